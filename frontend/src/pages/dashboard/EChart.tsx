// ECharts through echarts/core with only the charts and components the dashboard draws; this
// module is loaded with the dashboard's chunk, never with the first page.
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useEffectEvent, useRef } from 'react';

echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export type ChartOption = echarts.EChartsCoreOption;

export function EChart({
  option,
  onClick,
  height = 260,
  testId,
}: {
  option: ChartOption;
  onClick?: (seriesIndex: number, dataIndex: number) => void;
  height?: number;
  testId?: string;
}) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  // The chart is made once; its click listener calls the latest onClick.
  const click = useEffectEvent((seriesIndex: number, dataIndex: number) => onClick?.(seriesIndex, dataIndex));

  useEffect(() => {
    if (!element.current) return undefined;
    const instance = echarts.init(element.current);
    chart.current = instance;
    // The browser tests find a bar's pixel position through the instance.
    (element.current as HTMLDivElement & { chart?: echarts.ECharts }).chart = instance;
    instance.on('click', (params) => click(params.seriesIndex ?? 0, params.dataIndex));
    const resize = new ResizeObserver(() => instance.resize());
    resize.observe(element.current);
    return () => {
      resize.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(option, true);
  }, [option]);

  return <div ref={element} data-testid={testId} style={{ width: '100%', height }} />;
}

import { describe, expect, it } from 'vitest';
import type { Figure } from '../../queries/analytics';
import { bucketBars, drillRoute, groupBars } from './charts';

const figure = {
  figure: 'service.volume',
  unit: 'count',
  dimension: 'type',
  definition: { zh: '工单量', en: 'Volume' },
  period: { from: '2025-01-01', to: '2025-02-28', bucket: 'month', timezone: 'Asia/Shanghai', buckets: ['2025-01-01', '2025-02-01'] },
  filters: { department_id: null, owner_id: null, assignee_id: null, tag_id: null, type: null, channel: null },
  series: [
    {
      name: 'opened',
      group: 'complaint',
      points: [
        {
          x: '2025-01-01',
          value: 2,
          count: 2,
          label: null,
          drill: { path: '/tickets', query: { type: 'complaint', created_from: '2025-01-01', created_to: '2025-01-31' } },
        },
        { x: '2025-02-01', value: 0, count: 0, label: null, drill: null },
      ],
    },
    {
      name: 'opened',
      group: 'training',
      points: [
        { x: '2025-01-01', value: 1, count: 1, label: null, drill: { path: '/tickets', query: { status: ['closed', 'resolved'] } } },
        { x: '2025-02-01', value: 3, count: 3, label: null, drill: { path: '/follow-ups', query: {} } },
      ],
    },
  ],
} as unknown as Figure;

describe('dashboard charts', () => {
  it("stacks one series per group, labelled by month, keeping each bar's point", () => {
    const chart = groupBars(figure, 'opened', (k) => `«${k}»`);
    const option = chart.option as { xAxis: { data: string[] }; series: { name: string; data: number[]; stack: string }[] };
    expect(option.xAxis.data).toEqual(['2025-01', '2025-02']);
    expect(option.series.map((s) => [s.name, s.data, s.stack])).toEqual([
      ['«complaint»', [2, 0], 'all'],
      ['«training»', [1, 3], 'all'],
    ]);
    expect(chart.points[1]?.[1]?.value).toBe(3);
  });

  it('shows ratios as percentages', () => {
    const rates = {
      ...figure,
      series: [{ name: 'rate', group: null, points: [{ x: '2025-01-01', value: 0.6667, count: 3, label: null, drill: null }] }],
    } as unknown as Figure;
    const option = bucketBars(rates, [{ name: 'rate', label: 'r' }], { percent: true }).option as { series: { data: number[] }[] };
    expect(option.series[0]?.data).toEqual([66.7]);
  });

  it('opens the list a point counts, and only lists the web app has', () => {
    expect(drillRoute(figure.series[0]?.points[0])).toBe('/tickets?type=complaint&created_from=2025-01-01&created_to=2025-01-31');
    expect(drillRoute(figure.series[1]?.points[0])).toBe('/tickets?status=closed&status=resolved');
    expect(drillRoute(figure.series[1]?.points[1])).toBeNull();
    expect(drillRoute(figure.series[0]?.points[1])).toBeNull();
  });
});

// Figures (FigureOut) → ECharts options, keeping for every drawn bar or slice the point it
// came from, so that a click can open the list that point counts.
import type { Figure } from '../../queries/analytics';

export type Point = Figure['series'][number]['points'][number];
export interface Chart {
  option: Record<string, unknown>;
  points: Point[][]; // [series index][data index]
}
type Label = (key: string) => string;

/** A bucket's label: "2025-01" by month, "01-27" by week or day. */
export function bucketLabel(figure: Figure, first: string): string {
  return figure.period.bucket === 'month' ? first.slice(0, 7) : first.slice(5);
}

const GRID = { left: 48, right: 16, top: 36, bottom: 28, containLabel: true };
const LEGEND = { type: 'scroll', top: 0 };

function pick(figure: Figure, name: string, group: string | null = null) {
  return figure.series.find((s) => s.name === name && (s.group ?? null) === group);
}

/** Bars per bucket, one series per (name, group) asked for; `stack` piles them. */
export function bucketBars(
  figure: Figure,
  wanted: { name: string; group?: string | null; label: string }[],
  options: { stack?: boolean; percent?: boolean; line?: boolean } = {},
): Chart {
  const picked = wanted.map((w) => ({ ...w, series: pick(figure, w.name, w.group ?? null) })).filter((w) => w.series);
  const scale = (v: number | null) => (v === null ? null : options.percent ? Math.round(v * 1000) / 10 : v);
  return {
    points: picked.map((w) => w.series!.points),
    option: {
      grid: GRID,
      legend: { ...LEGEND, data: picked.map((w) => w.label) },
      tooltip: options.percent ? { trigger: 'axis', valueFormatter: (v: number) => `${v}%` } : { trigger: 'axis' },
      xAxis: { type: 'category', data: figure.period.buckets.map((b) => bucketLabel(figure, b)) },
      // No key set to undefined: ECharts takes that as "no labels".
      yAxis: options.percent ? { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } } : { type: 'value', minInterval: 1 },
      series: picked.map((w) => ({
        name: w.label,
        type: options.line ? 'line' : 'bar',
        ...(options.stack ? { stack: 'all' } : {}),
        connectNulls: true,
        data: w.series!.points.map((p) => scale(p.value)),
      })),
    },
  };
}

/** Every group of one series name (opened per ticket type …), stacked per bucket. */
export function groupBars(figure: Figure, name: string, label: Label): Chart {
  const groups = figure.series.filter((s) => s.name === name && s.group);
  return bucketBars(
    figure,
    groups.map((s) => ({ name, group: s.group, label: label(s.group!) })),
    { stack: true },
  );
}

/** One series as bars over its categories (x), named by `label` (or the point's own label). */
export function categoryBars(figure: Figure, name: string, label: Label, horizontal = false): Chart {
  const series = pick(figure, name);
  const points = series?.points ?? [];
  const categories = { type: 'category', data: points.map((p) => p.label ?? label(p.x)) };
  const values = figure.unit === 'count' ? { type: 'value', minInterval: 1 } : { type: 'value' };
  return {
    points: [points],
    option: {
      grid: GRID,
      tooltip: { trigger: 'axis' },
      xAxis: horizontal ? values : categories,
      yAxis: horizontal ? categories : values,
      series: [{ type: 'bar', data: points.map((p) => p.value) }],
    },
  };
}

export function pie(figure: Figure, name: string, label: Label): Chart {
  const points = pick(figure, name)?.points ?? [];
  return {
    points: [points],
    option: {
      tooltip: { trigger: 'item' },
      legend: { ...LEGEND },
      series: [{ type: 'pie', radius: ['35%', '65%'], top: 24, data: points.map((p) => ({ name: label(p.x), value: p.value })) }],
    },
  };
}

/** The SPA route for a drill-down link (the API list's path and query), or null. */
export function drillRoute(point: Point | undefined): string | null {
  const drill = point?.drill;
  if (!drill || !['/customers', '/tickets'].includes(drill.path)) return null;
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(drill.query)) {
    for (const v of Array.isArray(value) ? value : [value]) search.append(key, v);
  }
  return `${drill.path}?${search.toString()}`;
}

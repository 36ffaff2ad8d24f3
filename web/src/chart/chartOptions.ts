// Pure conversions of /api/chart results into ECharts options and tables.
import type { ChartConfig, ChartResult } from '../api/types';
import { colorsFor, fmtDuration, fmtNumber } from '../lib/format';
import { timeAxis, timeAxisLabel } from '../lib/time';

/** isDurationSelect: the select's values are nanoseconds (an aggregate of a trace's Duration, not a count). */
export function isDurationSelect(c: ChartConfig, s: ChartConfig['select'][number]): boolean {
  return c.source === 'traces' && /^duration$/i.test(s.valueExpression ?? '') && s.aggFn !== 'count' && s.aggFn !== 'count_distinct';
}

/** isDurationChart: every select's values are nanoseconds, so the axis is a duration axis. */
export function isDurationChart(c: ChartConfig): boolean {
  return c.select.length > 0 && c.select.every((s) => isDurationSelect(c, s));
}

/** isRatioChart: one series per group, select[0] / select[1] (seriesReturnType ratio). */
export function isRatioChart(c: ChartConfig): boolean {
  return c.seriesReturnType === 'ratio' && c.select.length === 2;
}

/** fmtPercent shows a fraction as a percentage: 0.0525 → 5.25%. */
export function fmtPercent(v: number, mantissa?: number): string {
  if (!Number.isFinite(v)) return '–';
  const digits = mantissa === undefined ? { maximumFractionDigits: 2 } : { minimumFractionDigits: mantissa, maximumFractionDigits: mantissa };
  return `${(v * 100).toLocaleString('en-US', digits)}%`;
}

/**
 * valueFormatter formats a chart's values: by the tile's numberFormat when
 * it is a percentage, else as durations for Duration aggregates (never for
 * a ratio, which has no unit), else as plain numbers.
 */
export function valueFormatter(c: ChartConfig): (v: number) => string {
  if (c.numberFormat?.output === 'percent') return (v) => fmtPercent(v, c.numberFormat?.mantissa);
  if (!isRatioChart(c) && isDurationChart(c)) return (v) => fmtDuration(v);
  return (v) => fmtNumber(v);
}

/**
 * columnFormatter formats the values of one select (a table column, the
 * number of a number tile): a duration column of a table that also counts
 * requests is a duration, its count column a plain number.
 */
export function columnFormatter(c: ChartConfig, i: number): (v: number) => string {
  if (c.numberFormat?.output === 'percent') return (v) => fmtPercent(v, c.numberFormat?.mantissa);
  if (!isRatioChart(c) && c.select[i] && isDurationSelect(c, c.select[i])) return (v) => fmtDuration(v);
  return (v) => fmtNumber(v);
}

/** selectLabel names a select as the server does: its alias, else aggFn(value). */
export function selectLabel(s: ChartConfig['select'][number]): string {
  if (s.alias) return s.alias;
  const what = s.metricName || s.valueExpression || '';
  return what ? `${s.aggFn ?? 'count'}(${what})` : (s.aggFn ?? 'count');
}

/** tableHeads are the value columns of a table chart: one per select, or one ratio column. */
export function tableHeads(c: ChartConfig): string[] {
  if (isRatioChart(c)) return [`${selectLabel(c.select[0])} / ${selectLabel(c.select[1])}`];
  return c.select.map(selectLabel);
}

/** timeSeriesOption renders line and stacked_bar charts. */
export function timeSeriesOption(res: ChartResult, c: ChartConfig, stacked: boolean) {
  const fmt = valueFormatter(c);
  const colors = colorsFor(res.series.map((s) => s.name));
  return {
    animation: false,
    grid: { left: 70, right: 16, top: 30, bottom: 24 },
    tooltip: { trigger: 'axis', valueFormatter: (v: number) => (v == null ? '–' : fmt(v)) },
    legend: { type: 'scroll', top: 0 },
    xAxis: timeAxis(res.meta.start, res.meta.end),
    yAxis: { type: 'value', axisLabel: { formatter: (v: number) => fmt(v) } },
    series: res.series.map((s) => ({
      name: s.name,
      type: stacked ? 'bar' : 'line',
      stack: stacked ? 'all' : undefined,
      showSymbol: false,
      connectNulls: false,
      color: colors.get(s.name),
      data: s.points,
    })),
  };
}

/**
 * isDurationHeatmap: the heatmap bins a trace's Duration (nanoseconds),
 * whatever the aggregation; a traces heatmap without a value expression
 * bins Duration too (the server's default).
 */
export function isDurationHeatmap(c: ChartConfig): boolean {
  return c.source === 'traces' && /^(duration)?$/i.test((c.select[0]?.valueExpression ?? '').trim());
}

/**
 * zeroDurationChart counts the spans of a duration heatmap whose Duration is
 * 0 (failed spans often are): the heatmap's log-scale value axis cannot hold
 * them, so they are charted beside it as a "0 ns" row (null when the heatmap
 * is not of durations).
 */
export function zeroDurationChart(c: ChartConfig): ChartConfig | null {
  if (!isDurationHeatmap(c)) return null;
  return {
    source: c.source, displayType: 'line', where: c.where, whereLanguage: c.whereLanguage, granularity: c.granularity ?? 'auto',
    select: [{ aggFn: 'count', alias: '0 ns', aggCondition: 'Duration:0', aggConditionLanguage: 'lucene' }],
  };
}

export interface HeatmapGrid {
  /** bucket start times (ms), the x categories */
  times: number[];
  /** value bins [lo, hi), the y categories from the bottom; a zero row is [0, 0] */
  bins: [number, number][];
}

/**
 * heatmapGrid lays out a heatmap result (and the optional zero-duration
 * counts) as x and y categories and [x, y, count] cells.
 */
export function heatmapGrid(res: ChartResult, zero?: ChartResult | null): HeatmapGrid & { data: [number, number, number][]; max: number } {
  const binned = res.series.filter((s) => s.bin).sort((a, b) => a.bin![0] - b.bin![0]);
  const zeroPts = (zero?.series[0]?.points ?? []).filter(([, v]) => (v ?? 0) > 0);
  const rows: { bin: [number, number]; points: [number, number | null][] }[] = [
    ...(zeroPts.length ? [{ bin: [0, 0] as [number, number], points: zeroPts }] : []),
    ...binned.map((s) => ({ bin: s.bin!, points: s.points })),
  ];
  const times = Array.from(new Set(rows.flatMap((r) => r.points.map((p) => p[0])))).sort((a, b) => a - b);
  const tIndex = new Map(times.map((t, i) => [t, i]));
  const data: [number, number, number][] = [];
  let max = 1;
  rows.forEach((r, y) => r.points.forEach(([t, v]) => {
    data.push([tIndex.get(t)!, y, v ?? 0]);
    max = Math.max(max, v ?? 0);
  }));
  return { times, bins: rows.map((r) => r.bin), data, max };
}

/**
 * heatmapOption renders the time × value-bin density: y labels are the bins'
 * lower bounds (durations for Duration: "405 ms"), at most one per 16 px of
 * height so they never overlap; x labels are 24-hour times; the tooltip
 * names the whole bin and its count.
 */
export function heatmapOption(res: ChartResult, c: ChartConfig, opts: { zero?: ChartResult | null; height?: number } = {}) {
  const fmt = isDurationHeatmap(c) ? (v: number) => fmtDuration(v) : valueFormatter(c);
  const g = heatmapGrid(res, opts.zero);
  const rangeMs = res.meta.end - res.meta.start;
  const plotH = Math.max(40, (opts.height ?? 380) - 60);
  const yEvery = Math.max(1, Math.ceil((g.bins.length * 16) / plotH));
  const binLabel = (b: [number, number]) => (b[1] === 0 ? fmt(0) : `${fmt(b[0])}–${fmt(b[1])}`);
  return {
    animation: false,
    grid: { left: 70, right: 16, top: 10, bottom: 50 },
    tooltip: {
      formatter: (p: { data: [number, number, number] }) => {
        const [x, y, n] = p.data;
        return `${new Date(g.times[x]).toLocaleString('en-GB', { hour12: false })}<br/>${binLabel(g.bins[y])}: <b>${fmtNumber(n)}</b>`;
      },
    },
    xAxis: { type: 'category', data: g.times, axisLabel: { formatter: (v: string) => timeAxisLabel(Number(v), rangeMs), hideOverlap: true } },
    yAxis: { type: 'category', data: g.bins.map((b) => fmt(b[0])), axisLabel: { interval: yEvery - 1 } },
    visualMap: { min: 0, max: g.max, calculable: false, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 80, inRange: { color: ['#e5dbff', '#7950f2', '#fa5252'] } },
    series: [{ type: 'heatmap', data: g.data }],
  };
}

/** tableRows: one row per group with each select's value over the range. */
export function tableRows(res: ChartResult): { group: string; values: (number | null)[] }[] {
  const nSel = Math.max(1, ...res.series.map((s) => s.select + 1));
  const byGroup = new Map<string, (number | null)[]>();
  for (const s of res.series) {
    const key = s.group ? Object.values(s.group).join(' · ') || '(empty)' : s.name;
    const vals = byGroup.get(key) ?? new Array<number | null>(nSel).fill(null);
    const total = s.points.reduce<number | null>((acc, [, v]) => (v == null ? acc : (acc ?? 0) + v), null);
    vals[s.select] = total;
    byGroup.set(key, vals);
  }
  return Array.from(byGroup, ([group, values]) => ({ group, values }));
}

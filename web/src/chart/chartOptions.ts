// Pure conversions of /api/chart results into ECharts options and tables.
import type { ChartConfig, ChartResult } from '../api/types';
import { colorFor, fmtDuration, fmtNumber } from '../lib/format';

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
  return {
    animation: false,
    grid: { left: 70, right: 16, top: 30, bottom: 24 },
    tooltip: { trigger: 'axis', valueFormatter: (v: number) => (v == null ? '–' : fmt(v)) },
    legend: { type: 'scroll', top: 0 },
    xAxis: { type: 'time', min: res.meta.start, max: res.meta.end },
    yAxis: { type: 'value', axisLabel: { formatter: (v: number) => fmt(v) } },
    series: res.series.map((s) => ({
      name: s.name,
      type: stacked ? 'bar' : 'line',
      stack: stacked ? 'all' : undefined,
      showSymbol: false,
      connectNulls: false,
      color: colorFor(s.name),
      data: s.points,
    })),
  };
}

/** heatmapOption renders the time × value-bin density. */
export function heatmapOption(res: ChartResult, c: ChartConfig) {
  const fmt = valueFormatter(c);
  const bins = res.series.filter((s) => s.bin).sort((a, b) => a.bin![0] - b.bin![0]);
  const times = Array.from(new Set(bins.flatMap((s) => s.points.map((p) => p[0])))).sort((a, b) => a - b);
  const tIndex = new Map(times.map((t, i) => [t, i]));
  const data: [number, number, number][] = [];
  let max = 1;
  bins.forEach((s, y) => s.points.forEach(([t, v]) => {
    data.push([tIndex.get(t)!, y, v ?? 0]);
    max = Math.max(max, v ?? 0);
  }));
  return {
    animation: false,
    grid: { left: 80, right: 16, top: 10, bottom: 50 },
    tooltip: {},
    xAxis: { type: 'category', data: times.map((t) => new Date(t).toLocaleTimeString()) },
    yAxis: { type: 'category', data: bins.map((s) => `${fmt(s.bin![0])}–${fmt(s.bin![1])}`) },
    visualMap: { min: 0, max, calculable: false, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 80, inRange: { color: ['#e5dbff', '#7950f2', '#fa5252'] } },
    series: [{ type: 'heatmap', data }],
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

/* eslint-disable @typescript-eslint/no-explicit-any */
import { describe, expect, it } from 'vitest';
import type { ChartConfig } from '../api/types';
import { colorsFor } from '../lib/format';
import { timeAxisLabel } from '../lib/time';
import { columnFormatter, heatmapOption, isDurationChart, timeSeriesOption, zeroDurationChart } from './chartOptions';
import { emptyHint } from './emptyHint';

// The Services (RED) "Per service" table: a count, an error count and a p95 of Duration.
const perService: ChartConfig = {
  source: 'traces', displayType: 'table', groupBy: ['ServiceName'],
  select: [
    { aggFn: 'count', alias: 'requests' },
    { aggFn: 'count', alias: 'errors', aggCondition: 'StatusCode:"Error"', aggConditionLanguage: 'lucene' },
    { aggFn: 'p95', valueExpression: 'Duration', alias: 'p95' },
  ],
};

describe('columnFormatter', () => {
  it('formats each table column by its own select', () => {
    expect(columnFormatter(perService, 0)(120)).toBe('120');
    expect(columnFormatter(perService, 1)(3)).toBe('3');
    expect(columnFormatter(perService, 2)(1_500_000)).toMatch(/ms$/);
  });
  it('uses a duration axis only when every select is a duration', () => {
    expect(isDurationChart(perService)).toBe(false);
    expect(isDurationChart({ ...perService, select: [perService.select[2]] })).toBe(true);
  });
  it('keeps a percent number format for every column', () => {
    const pct: ChartConfig = { ...perService, numberFormat: { output: 'percent' } };
    expect(columnFormatter(pct, 2)(0.5)).toBe('50%');
  });
});

describe('heatmapOption', () => {
  const heat: ChartConfig = { source: 'traces', displayType: 'heatmap', select: [{ aggFn: 'count', valueExpression: 'Duration' }] };
  const t0 = Date.UTC(2026, 0, 1, 10, 0);
  const res = {
    meta: { source: 'traces', displayType: 'heatmap', start: t0, end: t0 + 3600e3 },
    series: Array.from({ length: 40 }, (_, i) => ({
      name: `${i}`, select: 0, bin: [405e6 * 1.1 ** i, 405e6 * 1.1 ** (i + 1)] as [number, number], points: [[t0, 1], [t0 + 60e3, 2]] as [number, number][],
    })),
  };
  it('labels bins as durations (not raw nanoseconds), one label per 16 px at most', () => {
    const o = heatmapOption(res, heat, { height: 380 }) as any;
    expect(o.yAxis.data[0]).toBe('405 ms');
    expect(o.yAxis.data.every((l: string) => !/e\+/.test(l))).toBe(true);
    // 40 bins in 320 px of plot: every 2nd label.
    expect(o.yAxis.axisLabel.interval).toBe(1);
  });
  it('adds a 0 ns row below the bins for zero-duration spans', () => {
    const zero = { meta: res.meta, series: [{ name: '0 ns', select: 0, points: [[t0, 3], [t0 + 60e3, 0]] as [number, number][] }] };
    const o = heatmapOption(res, heat, { zero }) as any;
    expect(o.yAxis.data[0]).toBe('0 ns');
    expect(o.yAxis.data[1]).toBe('405 ms');
    expect(o.series[0].data).toContainEqual([0, 0, 3]);
    expect(o.series[0].data.filter((d: number[]) => d[1] === 0)).toHaveLength(1);
  });
  it('zeroDurationChart counts Duration:0 under the same where, only for Duration', () => {
    expect(zeroDurationChart({ ...heat, where: 'ServiceName:payment', whereLanguage: 'lucene' })).toMatchObject({
      where: 'ServiceName:payment', select: [{ aggFn: 'count', aggCondition: 'Duration:0', aggConditionLanguage: 'lucene' }],
    });
    expect(zeroDurationChart({ ...heat, select: [{ aggFn: 'count', valueExpression: 'SpanAttributes.size' }] })).toBeNull();
    // a traces heatmap without a value bins Duration (the server's default)
    expect(zeroDurationChart({ ...heat, select: [{ aggFn: 'count' }] })).not.toBeNull();
    expect(zeroDurationChart({ ...heat, source: 'logs', select: [{ aggFn: 'count' }] })).toBeNull();
  });
  it('labels the time axis in 24-hour time', () => {
    const o = heatmapOption(res, heat) as any;
    const at = new Date(2026, 0, 1, 15, 30).getTime();
    expect(o.xAxis.axisLabel.formatter(String(at))).toBe('15:30');
  });
});

describe('time axis labels', () => {
  it('midnight is 00:00, with the date on multi-day ranges', () => {
    const midnight = new Date(2026, 11, 6, 0, 0).getTime();
    expect(timeAxisLabel(midnight, 86400e3)).toBe('00:00');
    expect(timeAxisLabel(midnight, 2 * 86400e3)).toBe('12-06 00:00');
    expect(timeAxisLabel(new Date(2026, 11, 6, 18, 5).getTime(), 3600e3)).toBe('18:05');
    expect(timeAxisLabel(new Date(2026, 11, 6, 18, 5, 7).getTime(), 5 * 60e3)).toBe('18:05:07');
  });
  it('line charts use it', () => {
    const o = timeSeriesOption({ meta: { source: 'traces', displayType: 'line', start: 0, end: 86400e3 }, series: [] }, perService, false) as any;
    expect(o.xAxis.axisLabel.formatter(new Date(2026, 11, 6).getTime())).toBe('00:00');
  });
});

describe('series colours', () => {
  it('every service of a chart has its own colour', () => {
    const services = ['frontend', 'checkout', 'payment', 'cart', 'currency', 'shipping', 'email', 'ad', 'recommendation', 'product-catalog', 'fraud-detection', 'quote'];
    const c = colorsFor(services);
    expect(new Set(c.values()).size).toBe(services.length);
    // the same set gives the same colours in any order
    expect(colorsFor([...services].reverse())).toEqual(c);
    const o = timeSeriesOption({ meta: { source: 'traces', displayType: 'line', start: 0, end: 1 }, series: services.map((s) => ({ name: s, select: 0, points: [] })) }, perService, false) as any;
    expect(new Set(o.series.map((s: { color: string }) => s.color)).size).toBe(services.length);
  });
});

describe('emptyHint', () => {
  it('names the metric and the config that produces Temporal Cloud metrics', () => {
    const h = emptyHint({ source: 'metrics', select: [{ aggFn: 'sum', metricName: 'temporal_cloud_v1_workflow_success_count', metricType: 'gauge' }] });
    expect(h).toContain('No points of temporal_cloud_v1_workflow_success_count');
    expect(h).toContain('CUSTOM_OTELCOL_CONFIG_FILE');
    expect(h).toContain('prometheus receiver');
    expect(emptyHint(perService)).toBe('No data in this range');
  });
});

describe('series colours: hues first', () => {
  it('up to ten names get ten different hues, not light tones', () => {
    const names = ['frontend', 'checkout', 'payment', 'cart', 'currency', 'shipping', 'email', 'ad', 'recommendation', 'product-catalog'];
    const c = colorsFor(names);
    expect(new Set(c.values()).size).toBe(10);
    const lights = ['#aec7e8', '#ffbb78', '#98df8a', '#ff9896', '#c5b0d5', '#c49c94', '#f7b6d2', '#c7c7c7', '#dbdb8d', '#9edae5'];
    expect([...c.values()].some((v) => lights.includes(v))).toBe(false);
  });
});

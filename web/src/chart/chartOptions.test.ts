import { describe, expect, it } from 'vitest';
import type { ChartConfig } from '../api/types';
import { columnFormatter, isDurationChart } from './chartOptions';

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

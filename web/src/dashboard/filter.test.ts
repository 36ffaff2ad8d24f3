import { describe, expect, it } from 'vitest';
import type { ChartConfig } from '../api/types';
import { and, applyDashboardFilter } from './filter';

const lucene = { where: 'ServiceName:payment', language: 'lucene' as const };
const sql = { where: "ServiceName = 'payment'", language: 'sql' as const };
const tile = (p: Partial<ChartConfig>): ChartConfig => ({ source: 'traces', select: [{ aggFn: 'count' }], ...p });

describe('and', () => {
  it('skips empty parts and parenthesises several', () => {
    expect(and('', 'a')).toBe('a');
    expect(and('a OR b', ' c ')).toBe('(a OR b) AND (c)');
    expect(and('', ' ')).toBe('');
  });
});

describe('applyDashboardFilter', () => {
  it('leaves tiles alone without a filter, and markdown tiles always', () => {
    const t = tile({ where: 'x' });
    expect(applyDashboardFilter(t, { where: ' ', language: 'lucene' }).config).toBe(t);
    const md = tile({ displayType: 'markdown', where: '# notes' });
    expect(applyDashboardFilter(md, lucene).config).toBe(md);
  });
  it('ANDs a filter into a tile of the same language', () => {
    expect(applyDashboardFilter(tile({ where: 'level:error OR level:warn' }), lucene).config?.where)
      .toBe('(level:error OR level:warn) AND (ServiceName:payment)');
    expect(applyDashboardFilter(tile({ where: "StatusCode = 'Error'", whereLanguage: 'sql' }), sql).config?.where)
      .toBe("(StatusCode = 'Error') AND (ServiceName = 'payment')");
    expect(applyDashboardFilter(tile({}), lucene).config?.where).toBe('ServiceName:payment');
  });
  it('applies a search filter to a SQL tile through each series condition', () => {
    const t = tile({ where: "StatusCode = 'Error'", whereLanguage: 'sql', select: [{ aggFn: 'count' }, { aggFn: 'max', valueExpression: 'Duration', aggCondition: 'card:visa', aggConditionLanguage: 'lucene' }] });
    const c = applyDashboardFilter(t, lucene).config!;
    expect(c.where).toBe("StatusCode = 'Error'");
    expect(c.whereLanguage).toBe('sql');
    expect(c.select[0]).toEqual({ aggFn: 'count', aggCondition: 'ServiceName:payment', aggConditionLanguage: 'lucene' });
    expect(c.select[1]).toEqual({ aggFn: 'max', valueExpression: 'Duration', aggCondition: '(card:visa) AND (ServiceName:payment)', aggConditionLanguage: 'lucene' });
  });
  it('applies to metrics tiles as an attribute filter', () => {
    const m = tile({ source: 'metrics', select: [{ aggFn: 'max', metricName: 'visa_validation_cache.size', metricType: 'gauge' }] });
    expect(applyDashboardFilter(m, lucene).config?.where).toBe('ServiceName:payment');
    const q = applyDashboardFilter(m, sql).config!;
    expect(q.where).toBeUndefined();
    expect(q.select[0].aggCondition).toBe("ServiceName = 'payment'");
  });
  it('moves the tile where into the series when a series condition is in the tile language', () => {
    const t = tile({ where: "StatusCode = 'Error'", whereLanguage: 'sql', select: [{ aggFn: 'count', aggCondition: 'Duration > 1e9', aggConditionLanguage: 'sql' }, { aggFn: 'count' }] });
    const c = applyDashboardFilter(t, lucene).config!;
    expect(c.where).toBe('ServiceName:payment');
    expect(c.whereLanguage).toBe('lucene');
    expect(c.select[0]).toMatchObject({ aggCondition: "(StatusCode = 'Error') AND (Duration > 1e9)", aggConditionLanguage: 'sql' });
    expect(c.select[1]).toMatchObject({ aggCondition: "StatusCode = 'Error'", aggConditionLanguage: 'sql' });
  });
  it('says when a tile mixes both languages', () => {
    const t = tile({ where: "StatusCode = 'Error'", whereLanguage: 'sql', select: [
      { aggFn: 'count', aggCondition: 'Duration > 1e9', aggConditionLanguage: 'sql' }, { aggFn: 'count', aggCondition: 'card:visa', aggConditionLanguage: 'lucene' }] });
    expect(applyDashboardFilter(t, lucene).error).toMatch(/mix search and SQL/);
  });
});

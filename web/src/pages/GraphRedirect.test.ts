import { describe, expect, it } from 'vitest';
import { graphTarget } from './GraphRedirect';

describe('graphTarget', () => {
  it.each([
    ['?g0.expr=sum(rate(x%5B5m%5D))%20%3E%201&g0.tab=1', '/explore/metrics?tab=promql&range=1h&promql=sum%28rate%28x%5B5m%5D%29%29+%3E+1'],
    ['?g0.expr=up&g0.range_input=6h', '/explore/metrics?tab=promql&range=6h&promql=up'],
    ['', '/explore/metrics?tab=promql&range=1h'],
  ])('%s', (search, want) => {
    expect(graphTarget(new URLSearchParams(search))).toBe(want);
  });
});

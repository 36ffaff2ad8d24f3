import { describe, expect, it } from 'vitest';
import type { MetricEntry } from '../api/metrics';
import { aggregationsFor, filtersToSql, labelExpr, promLabel, promQuery, promSelector, toggleFilter, type LabelFilter } from './labels';

const ns = (value: string, exclude = false): LabelFilter => ({ column: 'Attributes', key: 'temporal_namespace', value, exclude });

describe('label filters as SQL', () => {
  it('quotes keys and values', () => {
    expect(labelExpr('Attributes', "it's")).toBe("Attributes['it''s']");
    expect(labelExpr('ServiceName')).toBe('ServiceName');
    expect(filtersToSql([{ column: 'ResourceAttributes', key: 'k8s.pod.name', value: "o'k" }]))
      .toBe("ResourceAttributes['k8s.pod.name'] = 'o''k'");
  });
  it('ORs values of one label and ANDs labels and exclusions', () => {
    expect(filtersToSql([ns('prod'), { column: 'ServiceName', value: 'temporal' }, ns('dev'), ns('test', true)]))
      .toBe("Attributes['temporal_namespace'] IN ('prod', 'dev') AND Attributes['temporal_namespace'] != 'test' AND ServiceName = 'temporal'");
    expect(filtersToSql([])).toBe('');
  });
  it('toggles a filter, and flips include to exclude', () => {
    const a = toggleFilter([], ns('prod'));
    expect(a).toEqual([ns('prod')]);
    expect(toggleFilter(a, ns('prod'))).toEqual([]);
    expect(toggleFilter(a, ns('prod', true))).toEqual([ns('prod', true)]);
  });
});

describe('PromQL from the selection', () => {
  const gauge: MetricEntry = { name: 'temporal_cloud_v1_workflow_success_count', type: 'gauge', promName: 'temporal_cloud_v1_workflow_success_count', promType: 'gauge' };
  it('escapes labels like the OTLP translation', () => {
    expect(promLabel('http.method')).toBe('http_method');
    expect(promLabel('0abc')).toBe('key_0abc');
  });
  it('maps ServiceName to job, drops resource attributes, joins values as a regex', () => {
    expect(promSelector(gauge, [ns('prod.a1'), ns('dev'), { column: 'ServiceName', value: 'temporal' },
      { column: 'ResourceAttributes', key: 'host', value: 'h' }, ns('x', true)]))
      .toBe('temporal_cloud_v1_workflow_success_count{temporal_namespace=~"prod\\\\.a1|dev", temporal_namespace!="x", job="temporal"}');
    expect(promSelector(gauge, [])).toBe(gauge.name);
  });
  it('suggests rate for counters and a quantile for histograms', () => {
    expect(promQuery({ name: 'http.server.requests', type: 'sum', promName: 'http_server_requests_total', promType: 'counter' }, []))
      .toBe('rate(http_server_requests_total[5m])');
    expect(promQuery({ name: 'd', type: 'histogram', promName: 'd_seconds', promType: 'histogram' }, []))
      .toBe('histogram_quantile(0.95, sum by (le) (rate(d_seconds_bucket[5m])))');
  });
  it('offers only the aggregations the chart API has', () => {
    expect(aggregationsFor('sum')?.[0]).toBe('rate');
    expect(aggregationsFor('summary')).toBeNull();
  });
});

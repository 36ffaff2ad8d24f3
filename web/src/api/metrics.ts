// The Metrics Explorer's discovery API (internal/api/metrics.go).
import { request, type Range } from './client';

export type MetricType = 'gauge' | 'sum' | 'histogram' | 'exponential_histogram' | 'summary';

/** A stored (OTLP) metric and the Prometheus family it reads as. */
export interface MetricEntry {
  name: string;
  type: MetricType;
  unit?: string;
  description?: string;
  monotonic?: boolean;
  temporality?: 'delta' | 'cumulative';
  promName?: string;
  promType?: string;
}

export type LabelColumn = 'ServiceName' | 'Attributes' | 'ResourceAttributes';

/** One label key of a metric's series. */
export interface MetricLabel {
  column: LabelColumn;
  key?: string;
  series: number;
  values: number;
}

export interface LabelValue {
  value: string;
  series: number;
}

export const metricsApi = {
  list: (p: { q: string; limit?: number } & Range, signal?: AbortSignal) => {
    const q = new URLSearchParams({ q: p.q, start: p.start, end: p.end, limit: String(p.limit ?? 50) });
    return request<{ metrics: MetricEntry[] }>('GET', `/api/metrics?${q}`, undefined, signal);
  },
  labels: (p: { name: string; type: MetricType } & Range, signal?: AbortSignal) => {
    const q = new URLSearchParams({ name: p.name, type: p.type, start: p.start, end: p.end });
    return request<{ series: number; labels: MetricLabel[] }>('GET', `/api/metrics/labels?${q}`, undefined, signal);
  },
  values: (p: { name: string; type: MetricType; column: LabelColumn; key?: string } & Range, signal?: AbortSignal) => {
    const q = new URLSearchParams({ name: p.name, type: p.type, column: p.column, key: p.key ?? '', start: p.start, end: p.end });
    return request<{ values: LabelValue[] }>('GET', `/api/metrics/labels/values?${q}`, undefined, signal);
  },
};

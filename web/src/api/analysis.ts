// The analysis APIs of issue 11 (docs/ui.md "Analysis modes"): Event Patterns,
// Event Deltas, facets and the Infrastructure tab. Shapes follow the contracts
// exactly; the server side lives in internal/api.
import { request, type Range } from './client';
import type { Row, Source, WhereLanguage } from './types';

export interface PatternsRequest extends Range {
  source: Source;
  query: string;
  whereLanguage: WhereLanguage;
  limit?: number;
}

export interface Pattern {
  pattern: string;
  count: number;
  errorCount: number;
  services: string[];
  samples: Row[];
  /** [unixSeconds, count] */
  series: [number, number][];
}

export interface PatternsResponse {
  patterns: Pattern[];
  rowsScanned: number;
  sampled: boolean;
}

/** A box on the duration × time heatmap; null bounds are open. */
export interface DeltaSelection {
  durationMinMs: number | null;
  durationMaxMs: number | null;
  start: string | null;
  end: string | null;
}

export interface DeltasRequest extends Range {
  source: 'traces';
  query: string;
  whereLanguage?: WhereLanguage;
  selection: DeltaSelection;
}

export interface DeltaValue {
  value: string;
  /** share of the selection's rows with this value, 0..1 */
  selection: number;
  /** share of the other rows with this value, 0..1 */
  background: number;
}

export interface DeltaAttribute {
  field: string;
  values: DeltaValue[];
  score: number;
}

export interface DeltasResponse {
  selectionCount: number;
  backgroundCount: number;
  attributes: DeltaAttribute[];
  /** the shares were computed on a sample of a side (counts exact); not in the contract, sent by the server */
  sampled?: boolean;
}

export interface FacetsRequest extends Range {
  source: Source;
  query: string;
  whereLanguage: WhereLanguage;
  fields?: string[];
  limit?: number;
}

export interface Facet {
  field: string;
  values: { value: string; count: number }[];
  distinct: number;
  more: boolean;
}

export interface FacetsResponse {
  facets: Facet[];
  rowsScanned: number;
  sampled: boolean;
}

/** The resource attributes the Infrastructure tab matches metrics on. */
export const INFRA_KEYS = ['k8s.pod.name', 'k8s.pod.uid', 'k8s.node.name', 'host.name'] as const;

export interface InfraRequest {
  resource: Partial<Record<(typeof INFRA_KEYS)[number], string>>;
  time: string;
  window: '1h' | '1d';
}

export interface InfraPanel {
  kind: 'pod' | 'node' | 'host';
  title: string;
  metric: string;
  unit: string;
  series: { name: string; points: [number, number][] }[];
}

export interface InfraResponse {
  start: string;
  end: string;
  matches: { kind: 'pod' | 'node' | 'host'; attribute: string; value: string }[];
  panels: InfraPanel[];
  missing: string[];
}

export const analysisApi = {
  patterns: (p: PatternsRequest, signal?: AbortSignal) => request<PatternsResponse>('POST', '/api/patterns', p, signal),
  deltas: (p: DeltasRequest, signal?: AbortSignal) => request<DeltasResponse>('POST', '/api/deltas', p, signal),
  facets: (p: FacetsRequest, signal?: AbortSignal) => request<FacetsResponse>('POST', '/api/facets', p, signal),
  infrastructure: (p: InfraRequest, signal?: AbortSignal) => request<InfraResponse>('POST', '/api/infrastructure', p, signal),
};

// The Service Map's data: nodes from the span metrics, edges from the
// service graph, read with PromQL (/prometheus/api/v1/query) under Tempo's
// metric names (docs/trace-metrics.md).
import { request } from '../api/client';

export interface PromVector {
  status: string;
  error?: string;
  data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
}

/** promInstant runs an instant PromQL query at `time` (seconds). */
export function promInstant(query: string, time: number, signal?: AbortSignal): Promise<PromVector> {
  const q = new URLSearchParams({ query, time: String(time) });
  return request<PromVector>('GET', `/prometheus/api/v1/query?${q}`, undefined, signal);
}

export interface NodeStats {
  /** Requests per second into the service (server and consumer spans). */
  rate: number;
  /** Failed share of those requests, 0..1. */
  errorRatio: number;
  /** 95th percentile latency in seconds (NaN when unknown). */
  p95: number;
}

export interface MapNode extends NodeStats {
  id: string;
  /** A peer known only from its callers (database, uninstrumented service, "user"). */
  virtual: boolean;
}

export interface MapEdge extends NodeStats {
  client: string;
  server: string;
  connectionType: string;
}

export interface ServiceMap {
  nodes: MapNode[];
  edges: MapEdge[];
}

const SERVER_KINDS = 'span_kind=~"SPAN_KIND_SERVER|SPAN_KIND_CONSUMER"';

/** mapQueries are the six instant queries behind the map, over a window of `windowSec` seconds. */
export function mapQueries(windowSec: number) {
  const w = `[${Math.max(1, Math.round(windowSec))}s]`;
  return {
    nodeRate: `sum by (service) (rate(traces_spanmetrics_calls_total{${SERVER_KINDS}}${w}))`,
    nodeErrors: `sum by (service) (rate(traces_spanmetrics_calls_total{${SERVER_KINDS},status_code="STATUS_CODE_ERROR"}${w}))`,
    nodeP95: `histogram_quantile(0.95, sum by (service, le) (rate(traces_spanmetrics_latency_bucket{${SERVER_KINDS}}${w})))`,
    edgeRate: `sum by (client, server, connection_type) (rate(traces_service_graph_request_total${w}))`,
    edgeErrors: `sum by (client, server, connection_type) (rate(traces_service_graph_request_failed_total${w}))`,
    edgeP95: `histogram_quantile(0.95, sum by (client, server, connection_type, le) (rate(traces_service_graph_request_server_seconds_bucket${w})))`,
  };
}

type Results = Record<keyof ReturnType<typeof mapQueries>, PromVector>;

function toMap(v: PromVector, key: (m: Record<string, string>) => string): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of v.data?.result ?? []) out.set(key(r.metric), Number(r.value[1]));
  return out;
}

const edgeKey = (m: Record<string, string>) => `${m.client ?? ''}\u0000${m.server ?? ''}\u0000${m.connection_type ?? ''}`;

/** buildMap joins the query results into nodes and edges. */
export function buildMap(r: Results): ServiceMap {
  const nRate = toMap(r.nodeRate, (m) => m.service ?? '');
  const nErr = toMap(r.nodeErrors, (m) => m.service ?? '');
  const nP95 = toMap(r.nodeP95, (m) => m.service ?? '');
  const eRate = toMap(r.edgeRate, edgeKey);
  const eErr = toMap(r.edgeErrors, edgeKey);
  const eP95 = toMap(r.edgeP95, edgeKey);

  const edges: MapEdge[] = [];
  for (const [k, rate] of eRate) {
    const [client, server, connectionType] = k.split('\u0000');
    const failed = eErr.get(k) ?? 0;
    edges.push({ client, server, connectionType, rate, errorRatio: rate > 0 ? failed / rate : 0, p95: eP95.get(k) ?? NaN });
  }
  const ids = new Set<string>([...nRate.keys()].filter(Boolean));
  for (const e of edges) {
    ids.add(e.client);
    ids.add(e.server);
  }
  const nodes: MapNode[] = [...ids].sort().map((id) => {
    const rate = nRate.get(id);
    if (rate === undefined) {
      // Virtual: what its callers report.
      const into = edges.filter((e) => e.server === id);
      const total = into.reduce((a, e) => a + e.rate, 0);
      const failed = into.reduce((a, e) => a + e.rate * e.errorRatio, 0);
      return { id, virtual: true, rate: total, errorRatio: total > 0 ? failed / total : 0, p95: NaN };
    }
    const err = nErr.get(id) ?? 0;
    return { id, virtual: false, rate, errorRatio: rate > 0 ? err / rate : 0, p95: nP95.get(id) ?? NaN };
  });
  edges.sort((a, b) => (a.client + a.server).localeCompare(b.client + b.server));
  return { nodes, edges };
}

/** loadMap runs the map's queries at `end` (ms) over [start, end]. */
export async function loadMap(start: number, end: number, signal?: AbortSignal): Promise<ServiceMap> {
  const qs = mapQueries((end - start) / 1000);
  const keys = Object.keys(qs) as (keyof typeof qs)[];
  const answers = await Promise.all(keys.map((k) => promInstant(qs[k], end / 1000, signal)));
  const r = {} as Results;
  keys.forEach((k, i) => { r[k] = answers[i]; });
  return buildMap(r);
}

const quote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/**
 * nodeSearch is the Search query for the spans of a service; a virtual node
 * (a database, an uninstrumented peer) has none, so its callers' client
 * spans stand for it, and "user" (callers outside the traces) its services' server spans.
 */
export function nodeSearch(n: Pick<MapNode, 'id' | 'virtual'>, edges: Pick<MapEdge, 'client' | 'server'>[]): string {
  if (!n.virtual) return `ServiceName:${quote(n.id)}`;
  const callers = [...new Set(edges.filter((e) => e.server === n.id).map((e) => e.client))].sort();
  if (callers.length > 0) return `ServiceName:(${callers.map(quote).join(' OR ')}) SpanKind:("Client" OR "Producer")`;
  const called = [...new Set(edges.filter((e) => e.client === n.id).map((e) => e.server))].sort();
  return `ServiceName:(${called.map(quote).join(' OR ')}) SpanKind:("Server" OR "Consumer")`;
}

/**
 * edgeSearch is the Search query for the spans of an edge: the client's
 * client spans and the server's server spans; a virtual end (a database,
 * an uninstrumented peer, "user") has no spans of its own.
 */
export function edgeSearch(e: Pick<MapEdge, 'client' | 'server'>, virtual: (id: string) => boolean): string {
  const client = `(ServiceName:${quote(e.client)} SpanKind:("Client" OR "Producer"))`;
  const server = `(ServiceName:${quote(e.server)} SpanKind:("Server" OR "Consumer"))`;
  if (virtual(e.client)) return server;
  if (virtual(e.server)) return client;
  return `${client} OR ${server}`;
}

/** searchUrl opens Search on traces for `q` over the map's time range. */
export function searchUrl(q: string, range: string): string {
  return `/search?${new URLSearchParams({ source: 'traces', q, range })}`;
}

export function fmtRate(r: number): string {
  if (!Number.isFinite(r)) return '–';
  if (r === 0) return '0/s';
  if (r < 0.01) return `${(r * 60).toPrecision(2)}/min`;
  return `${r < 10 ? r.toPrecision(2) : Math.round(r)}/s`;
}

export function fmtPct(x: number): string {
  if (!Number.isFinite(x)) return '–';
  const p = x * 100;
  return `${p === 0 ? '0' : p < 1 ? p.toFixed(2) : p.toFixed(1)}%`;
}

export function fmtSeconds(s: number): string {
  if (!Number.isFinite(s)) return '–';
  if (s < 1e-3) return `${Math.round(s * 1e6)}µs`;
  if (s < 1) return `${Math.round(s * 1e3)}ms`;
  return `${s.toFixed(2)}s`;
}

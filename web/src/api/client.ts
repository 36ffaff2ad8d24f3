import type {
  ChartConfig, ChartResult, Dashboard, Field, Row, SearchLanguage, SearchResponse, Source, Value,
} from './types';
import { tenantHeaders } from './tenant';

/** ApiError carries the server's message (and position for query errors). */
export class ApiError extends Error {
  constructor(message: string, readonly status: number, readonly position?: number, readonly field?: string) {
    super(message);
  }
}

/** UNAUTHORIZED_EVENT is dispatched on window when the API answers 401. */
export const UNAUTHORIZED_EVENT = 'overlook:unauthorized';

/**
 * send is the one place the UI talks to the server (the API, Prometheus
 * and Tempo alike): it adds the chosen tenant's header (api/tenant.ts),
 * marks JSON bodies, turns network failures into an ApiError, and
 * announces a 401 to the AuthGate. It answers the response and its text.
 */
async function send(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<[Response, string, unknown]> {
  let resp: Response;
  try {
    // Every state-changing request is JSON (the server refuses others: docs/security.md).
    const headers: Record<string, string> = tenantHeaders();
    if (body !== undefined || (method !== 'GET' && method !== 'HEAD')) headers['Content-Type'] = 'application/json';
    resp = await fetch(path, {
      method,
      signal,
      headers: Object.keys(headers).length ? headers : undefined,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
  } catch (e) {
    if (signal?.aborted) throw e;
    throw new ApiError(`cannot reach the server: ${(e as Error).message}`, 0);
  }
  if (resp.status === 204) return [resp, '', undefined];
  const text = await resp.text();
  let data: unknown = undefined;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: handled below
  }
  if (resp.status === 401) {
    // The session ended (or none exists): the AuthGate shows the login page.
    window.dispatchEvent(new Event(UNAUTHORIZED_EVENT));
  }
  if (!resp.ok) {
    const d = (data ?? {}) as { error?: string; position?: number; field?: string };
    throw new ApiError(d.error ?? `${resp.status} ${resp.statusText}: ${text.slice(0, 200)}`, resp.status, d.position, d.field);
  }
  return [resp, text, data];
}

export async function request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const [, , data] = await send(method, path, body, signal);
  return data as T;
}

/**
 * download fetches path (through send, so with the tenant's header, which
 * a plain link could not carry) and saves the answer as a file, named
 * by the server's Content-Disposition or fallback.
 */
export async function download(path: string, fallback: string): Promise<void> {
  const [resp, text] = await send('GET', path);
  const name = /filename="?([^";]+)"?/.exec(resp.headers.get('Content-Disposition') ?? '')?.[1] ?? fallback;
  const url = URL.createObjectURL(new Blob([text], { type: resp.headers.get('Content-Type') ?? 'application/json' }));
  try {
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
  } finally {
    URL.revokeObjectURL(url);
  }
}

export interface Range {
  start: string;
  end: string;
}

export const api = {
  search: (p: { source: Source; query: string; whereLanguage: SearchLanguage; limit?: number } & Range, signal?: AbortSignal) =>
    request<SearchResponse>('POST', '/api/search', p, signal),
  trace: (id: string, signal?: AbortSignal) =>
    request<{ traceId: string; spans: Row[] }>('GET', `/api/traces/${encodeURIComponent(id)}`, undefined, signal),
  traceLogs: (id: string, signal?: AbortSignal) =>
    request<{ rows: Row[]; count: number }>('GET', `/api/traces/${encodeURIComponent(id)}/logs`, undefined, signal),
  fields: (source: Source, r: Range, signal?: AbortSignal) =>
    request<{ fields: Field[] }>('GET', `/api/fields?${new URLSearchParams({ source, ...r })}`, undefined, signal),
  values: (p: { source: string; field: string; prefix?: string; limit?: number } & Range, signal?: AbortSignal) => {
    const q = new URLSearchParams({ source: p.source, field: p.field, start: p.start, end: p.end });
    if (p.prefix) q.set('prefix', p.prefix);
    if (p.limit) q.set('limit', String(p.limit));
    return request<{ values: Value[] }>('GET', `/api/values?${q}`, undefined, signal);
  },
  chart: (c: ChartConfig & Range, signal?: AbortSignal) => {
    // The chart API takes no tile name or number format; strip UI-only fields.
    const { name: _name, numberFormat: _nf, ...body } = c;
    return request<ChartResult>('POST', '/api/chart', body, signal);
  },
  dashboards: (signal?: AbortSignal) => request<{ dashboards: Dashboard[] }>('GET', '/api/dashboards', undefined, signal),
  dashboard: (id: string, signal?: AbortSignal) => request<Dashboard>('GET', `/api/dashboards/${id}`, undefined, signal),
  createDashboard: (d: Omit<Dashboard, 'id'>) => request<Dashboard>('POST', '/api/dashboards', d),
  updateDashboard: (d: Dashboard) => {
    const { id, createdAt: _c, updatedAt: _u, ...body } = d;
    return request<Dashboard>('PUT', `/api/dashboards/${id}`, body);
  },
  deleteDashboard: (id: string) => request<void>('DELETE', `/api/dashboards/${id}`),
  duplicateDashboard: (id: string) => request<Dashboard>('POST', `/api/dashboards/${id}/duplicate`),
  importDashboard: (json: string) => request<Dashboard>('POST', '/api/dashboards/import', json),
  /** Saves a dashboard's export as a file. */
  exportDashboard: (id: string, format: 'hyperdx' | 'overlook') =>
    download(`/api/dashboards/${id}/export?format=${format}`, `dashboard.${format}.json`),
  importGrafana: (json: string) => request<GrafanaImport>('POST', '/api/dashboards/import/grafana', json),
  /** An instant PromQL query at `time` (seconds). */
  promInstant: (p: { query: string; time: number }, signal?: AbortSignal) =>
    request<PromResponse>('GET', `/prometheus/api/v1/query?${new URLSearchParams({ query: p.query, time: String(p.time) })}`, undefined, signal),
  /** Values of a label (of the series matching `match`, when given) over [start, end] (seconds). */
  promLabelValues: (p: { label: string; match?: string; start: number; end: number }, signal?: AbortSignal) => {
    const q = new URLSearchParams({ start: String(p.start), end: String(p.end) });
    if (p.match) q.set('match[]', p.match);
    return request<{ status: string; data: string[] }>('GET', `/prometheus/api/v1/label/${encodeURIComponent(p.label)}/values?${q}`, undefined, signal);
  },
  promLabels: (p: { match?: string; start: number; end: number }, signal?: AbortSignal) => {
    const q = new URLSearchParams({ start: String(p.start), end: String(p.end) });
    if (p.match) q.set('match[]', p.match);
    return request<{ status: string; data: string[] }>('GET', `/prometheus/api/v1/labels?${q}`, undefined, signal);
  },
  /** A PromQL range query; 404 means the Prometheus API is not available. */
  promRange: (p: { query: string; start: number; end: number; step: number }, signal?: AbortSignal) =>
    request<PromResponse>('GET', `/prometheus/api/v1/query_range?${new URLSearchParams({
      query: p.query, start: String(p.start), end: String(p.end), step: String(p.step),
    })}`, undefined, signal),
};

/** What POST /api/dashboards/import/grafana answers. */
export interface GrafanaImport {
  dashboard: Dashboard;
  unmapped: { panel: string; panelId?: string; reason: string }[];
}

export interface PromResponse {
  status: string;
  error?: string;
  data?: { resultType: string; result: { metric: Record<string, string>; values?: [number, string][]; value?: [number, string] }[] };
}

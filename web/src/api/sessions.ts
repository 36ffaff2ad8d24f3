import { request } from './client';

/** A browser session as listed by POST /api/sessions. */
export interface SessionSummary {
  sessionId: string;
  start: string;
  end: string;
  durationMs: number;
  userEmail: string;
  userName: string;
  errorCount: number;
  requestCount: number;
  pageViews: number;
  serviceName: string;
  browser: string;
  lastUrl: string;
}

/** One line of GET /api/sessions/{id}/timeline. */
export interface TimelineEntry {
  timestamp: string;
  kind: 'navigation' | 'click' | 'request' | 'console' | 'exception' | 'resource' | 'span' | 'log';
  name: string;
  durationMs: number;
  method?: string;
  url?: string;
  status?: number;
  message?: string;
  error: boolean;
  highlighted: boolean;
  traceId?: string;
  spanId?: string;
  source: 'traces' | 'logs';
}

export interface ReplayWarning {
  at: string;
  event: number;
  message: string;
}

/** One page of GET /api/sessions/{id}/events. */
export interface EventsPage {
  sessionId: string;
  events: Array<{ type: number; timestamp: number; data: unknown }>;
  warnings: ReplayWarning[];
  next: string | null;
}

export interface SessionRange {
  start: string;
  end: string;
}

const rangeQuery = (r: SessionRange, extra: Record<string, string> = {}) => new URLSearchParams({ ...r, ...extra }).toString();

export const sessionsApi = {
  list: (p: { query: string; start: string; end: string; limit?: number }, signal?: AbortSignal) =>
    request<{ sessions: SessionSummary[] }>('POST', '/api/sessions', p, signal),
  timeline: (id: string, r: SessionRange, signal?: AbortSignal) =>
    request<{ sessionId: string; entries: TimelineEntry[] }>('GET', `/api/sessions/${encodeURIComponent(id)}/timeline?${rangeQuery(r)}`, undefined, signal),
  events: (id: string, r: SessionRange, cursor: string | null, signal?: AbortSignal) =>
    request<EventsPage>('GET', `/api/sessions/${encodeURIComponent(id)}/events?${rangeQuery(r, cursor ? { cursor } : {})}`, undefined, signal),
};

/**
 * sessionWindow is the range a session is read over: its span range, widened
 * by a minute on each side (recording batches arrive up to seconds apart).
 */
export function sessionWindow(start: string | number, end: string | number): SessionRange {
  const s = typeof start === 'number' ? start : Date.parse(start);
  const e = typeof end === 'number' ? end : Date.parse(end);
  return { start: new Date(s - 60_000).toISOString(), end: new Date(e + 60_000).toISOString() };
}

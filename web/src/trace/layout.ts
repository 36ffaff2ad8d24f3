// Waterfall layout: spans → visible rows (depth-first, children by start
// time), each with its offset and width as fractions of the trace.
import type { Row } from '../api/types';
import { colorsFor } from '../lib/format';
import { splitTimestamp } from '../lib/time';

export interface SpanEvent {
  name: string;
  /** offset from the trace start, ns */
  at: number;
}

export interface Span {
  id: string;
  parentId: string;
  service: string;
  name: string;
  /** start relative to the trace start, ns */
  start: number;
  duration: number;
  error: boolean;
  events: SpanEvent[];
  row: Row;
}

export interface WaterfallRow {
  span: Span;
  depth: number;
  /** left edge and width as fractions of the trace duration, in [0, 1] */
  offset: number;
  width: number;
  childCount: number;
  collapsed: boolean;
  color: string;
}

export interface TraceLayout {
  spans: Span[];
  rows: WaterfallRow[];
  /** total trace duration, ns (at least 1) */
  duration: number;
  /** absolute start of the trace, RFC 3339 of the first span */
  startTs: string;
  services: string[];
  errors: number;
}

/** toSpans converts API rows to spans with precise relative times. */
export function toSpans(rows: Row[]): { spans: Span[]; startTs: string } {
  if (rows.length === 0) return { spans: [], startTs: '' };
  const parsed = rows.map((r) => splitTimestamp(String(r.Timestamp ?? '')));
  let base = 0;
  for (let i = 1; i < parsed.length; i++) {
    const a = parsed[i];
    const b = parsed[base];
    if (a.sec < b.sec || (a.sec === b.sec && a.nanos < b.nanos)) base = i;
  }
  const b = parsed[base];
  const spans = rows.map((r, i) => {
    const names = (r['Events.Name'] as string[] | undefined) ?? [];
    const times = (r['Events.Timestamp'] as string[] | undefined) ?? [];
    const rel = (p: { sec: number; nanos: number }) => (p.sec - b.sec) * 1e9 + (p.nanos - b.nanos);
    return {
      id: String(r.SpanId ?? ''),
      parentId: String(r.ParentSpanId ?? ''),
      service: String(r.ServiceName ?? ''),
      name: String(r.SpanName ?? ''),
      start: rel(parsed[i]),
      duration: Number(r.Duration ?? 0),
      error: r.StatusCode === 'Error',
      events: names.map((n, j) => ({ name: n, at: times[j] ? rel(splitTimestamp(times[j])) : rel(parsed[i]) })),
      row: r,
    };
  });
  return { spans, startTs: String(rows[base].Timestamp ?? '') };
}

/**
 * layoutTrace builds the visible rows. Spans whose parent is absent are
 * roots. Descendants of a collapsed span are hidden. Iterative, so deep or
 * large (10k+) traces neither recurse nor allocate per frame.
 */
export function layoutTrace(rows: Row[], collapsed: ReadonlySet<string> = new Set()): TraceLayout {
  const { spans, startTs } = toSpans(rows);
  const byId = new Map<string, Span>();
  for (const s of spans) if (s.id) byId.set(s.id, s);
  const children = new Map<string, Span[]>();
  const roots: Span[] = [];
  for (const s of spans) {
    if (s.parentId && s.parentId !== s.id && byId.has(s.parentId)) {
      const list = children.get(s.parentId);
      if (list) list.push(s);
      else children.set(s.parentId, [s]);
    } else {
      roots.push(s);
    }
  }
  const byStart = (a: Span, b: Span) => a.start - b.start || a.name.localeCompare(b.name);
  roots.sort(byStart);
  for (const list of children.values()) list.sort(byStart);

  let end = 1;
  for (const s of spans) end = Math.max(end, s.start + s.duration);
  const services: string[] = [];
  const seen = new Set<string>();
  let errors = 0;
  for (const s of spans) {
    if (!seen.has(s.service)) {
      seen.add(s.service);
      services.push(s.service);
    }
    if (s.error) errors++;
  }

  const colors = colorsFor(services);
  const out: WaterfallRow[] = [];
  const visited = new Set<string>();
  const stack: { span: Span; depth: number }[] = [];
  for (let i = roots.length - 1; i >= 0; i--) stack.push({ span: roots[i], depth: 0 });
  while (stack.length) {
    const { span, depth } = stack.pop()!;
    if (span.id) {
      if (visited.has(span.id)) continue; // a cycle in bad data
      visited.add(span.id);
    }
    const kids = children.get(span.id) ?? [];
    const isCollapsed = collapsed.has(span.id);
    out.push({
      span, depth, childCount: kids.length, collapsed: isCollapsed, color: colors.get(span.service)!,
      offset: Math.max(0, span.start) / end, width: Math.max(0, span.duration) / end,
    });
    if (!isCollapsed) for (let i = kids.length - 1; i >= 0; i--) stack.push({ span: kids[i], depth: depth + 1 });
  }
  return { spans, rows: out, duration: end, startTs, services, errors };
}

// Time ranges: relative ("15m", "1h", "1d") or absolute, as they appear in
// the URL (`range=1h` or `range=<startISO>~<endISO>`).

export type TimeRange = { kind: 'relative'; last: string } | { kind: 'absolute'; start: number; end: number };

export const PRESETS: { value: string; label: string }[] = [
  { value: '5m', label: 'Last 5 minutes' },
  { value: '15m', label: 'Last 15 minutes' },
  { value: '1h', label: 'Last 1 hour' },
  { value: '6h', label: 'Last 6 hours' },
  { value: '1d', label: 'Last 1 day' },
  { value: '2d', label: 'Last 2 days' },
  { value: '7d', label: 'Last 7 days' },
];

const UNIT_MS: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 };

/** durationMs parses "15m", "1h", "2d" (null when invalid). */
export function durationMs(s: string): number | null {
  const m = /^(\d+)([smhdw])$/.exec(s.trim());
  return m ? Number(m[1]) * UNIT_MS[m[2]] : null;
}

export function parseRange(s: string | null | undefined, fallback = '15m'): TimeRange {
  if (s && s.includes('~')) {
    const [a, b] = s.split('~');
    const start = Date.parse(a);
    const end = Date.parse(b);
    if (!Number.isNaN(start) && !Number.isNaN(end) && start < end) return { kind: 'absolute', start, end };
  }
  if (s && durationMs(s) !== null) return { kind: 'relative', last: s };
  return { kind: 'relative', last: fallback };
}

export function formatRange(r: TimeRange): string {
  return r.kind === 'relative' ? r.last : `${new Date(r.start).toISOString()}~${new Date(r.end).toISOString()}`;
}

/** resolve turns a range into concrete [start, end) in ms at `now`. */
export function resolve(r: TimeRange, now = Date.now()): { start: number; end: number } {
  if (r.kind === 'absolute') return { start: r.start, end: r.end };
  return { start: now - (durationMs(r.last) ?? 15 * 60e3), end: now };
}

export function toIso(r: { start: number; end: number }): { start: string; end: string } {
  return { start: new Date(r.start).toISOString(), end: new Date(r.end).toISOString() };
}

export function describeRange(r: TimeRange): string {
  if (r.kind === 'relative') return PRESETS.find((p) => p.value === r.last)?.label ?? `Last ${r.last}`;
  return `${fmtTime(r.start)} → ${fmtTime(r.end)}`;
}

export function fmtTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/**
 * splitTimestamp parses an RFC 3339 timestamp with nanoseconds into whole
 * epoch seconds and nanoseconds, without losing precision.
 */
export function splitTimestamp(ts: string): { sec: number; nanos: number } {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(ts);
  if (!m) {
    const ms = Date.parse(ts);
    return { sec: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
  }
  const sec = Date.parse(m[1] + m[3]) / 1000;
  const nanos = m[2] ? Number((m[2] + '000000000').slice(0, 9)) : 0;
  return { sec, nanos };
}

/** tsMs is a timestamp string in epoch milliseconds (sub-ms fraction kept). */
export function tsMs(ts: unknown): number {
  if (typeof ts !== 'string') return NaN;
  const { sec, nanos } = splitTimestamp(ts);
  return sec * 1000 + nanos / 1e6;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/**
 * timeAxisLabel labels a time axis tick in 24-hour time: HH:mm (HH:mm:ss on
 * ranges under 10 minutes); midnight is 00:00, with the date (MM-DD 00:00)
 * when the range spans more than a day; ticks of multi-day ranges carry the
 * date when they fall on midnight only.
 */
export function timeAxisLabel(ms: number, rangeMs: number): string {
  const d = new Date(ms);
  const hm = `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
  if (rangeMs < 10 * 60e3) return `${hm}:${pad2(d.getSeconds())}`;
  const midnight = d.getHours() === 0 && d.getMinutes() === 0;
  if (midnight && rangeMs > 86400e3) return `${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${hm}`;
  return hm;
}

/** timeAxis is an ECharts time x axis over [start, end] labelled by timeAxisLabel. */
export function timeAxis(start: number, end: number): Record<string, unknown> {
  return {
    type: 'time', min: start, max: end,
    axisLabel: { hideOverlap: true, formatter: (v: number) => timeAxisLabel(v, end - start) },
  };
}

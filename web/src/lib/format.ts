/** fmtDuration renders nanoseconds for people: 950 µs, 12.3 ms, 40 ms, 1.25 s (three significant digits, no trailing zeros). */
export function fmtDuration(ns: number): string {
  if (!Number.isFinite(ns)) return '';
  const a = Math.abs(ns);
  if (a < 1e3) return `${ns} ns`;
  if (a < 1e6) return `${trim(ns / 1e3)} µs`;
  if (a < 1e9) return `${trim(ns / 1e6)} ms`;
  if (a < 60e9) return `${trim(ns / 1e9)} s`;
  return `${trim(ns / 60e9)} min`;
}

function trim(n: number): string {
  return String(Number(Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2)));
}

export function fmtNumber(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  if (Math.abs(n) >= 1e6) return n.toExponential(2);
  return Number.isInteger(n) ? n.toLocaleString('en-US') : n.toLocaleString('en-US', { maximumFractionDigits: 3 });
}

/** cellText renders any row value compactly for a table cell. */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/**
 * Palette for services and series: ten clearly different hues first, then
 * a lighter tone of each (the classic category-20 colours).
 */
export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf',
  '#aec7e8', '#ffbb78', '#98df8a', '#ff9896', '#c5b0d5', '#c49c94', '#f7b6d2', '#c7c7c7', '#dbdb8d', '#9edae5'];
const HUES = 10;

/** slot is a name's preferred colour: one of the ten distinct hues. */
function slot(name: string): number {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) | 0;
  return Math.abs(h) % HUES;
}

/** colorFor is a name's own colour, stable per name (may be shared by two names: use colorsFor for a chart). */
export function colorFor(name: string): string {
  return PALETTE[slot(name)];
}

/**
 * colorsFor gives each name of one chart a distinct colour (while there are
 * no more names than colours): names keep their own hue (colorFor) unless an
 * earlier name, in sorted order, has it; then the next free hue, and only
 * when all ten hues are taken the lighter tones. The same set of names gets
 * the same colours on every tile.
 */
export function colorsFor(names: string[]): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Set<number>();
  for (const n of Array.from(new Set(names)).sort()) {
    let i = slot(n);
    const hues = Array.from(used).filter((u) => u < HUES).length;
    if (hues < HUES) {
      while (used.has(i)) i = (i + 1) % HUES;
    } else if (used.size < PALETTE.length) {
      i += HUES;
      while (used.has(i)) i = HUES + ((i - HUES + 1) % HUES);
    }
    used.add(i);
    out.set(n, PALETTE[i]);
  }
  return out;
}

/** isErrorRow: a span with StatusCode Error, or a log at ERROR or worse. */
export function isErrorRow(r: Record<string, unknown>): boolean {
  if (r.StatusCode === 'Error' || r.StatusCode === 'STATUS_CODE_ERROR') return true;
  const sev = Number(r.SeverityNumber ?? 0);
  if (sev >= 17) return true;
  const t = String(r.SeverityText ?? '').toLowerCase();
  return ['error', 'err', 'fatal', 'critical', 'panic'].includes(t);
}

/** fmtDurationRaw shows a Duration with its unit and, when that rounds, the exact nanoseconds: "40 ms (40000000 ns)", "950 ns". */
export function fmtDurationRaw(ns: number): string {
  const f = fmtDuration(ns);
  return f === `${ns} ns` ? f : `${f} (${ns} ns)`;
}

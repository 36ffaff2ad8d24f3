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

/** Palette for services and series (20 distinguishable hues). */
export const PALETTE = ['#4c6ef5', '#12b886', '#fab005', '#be4bdb', '#15aabf', '#fd7e14', '#82c91e', '#e64980', '#7950f2', '#228be6',
  '#2f9e44', '#f03e3e', '#1098ad', '#ae3ec9', '#f59f00', '#364fc7', '#0ca678', '#d6336c', '#5c940d', '#e8590c'];

function slot(name: string): number {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) | 0;
  return Math.abs(h) % PALETTE.length;
}

/** colorFor is a name's own colour, stable per name (may be shared by two names: use colorsFor for a chart). */
export function colorFor(name: string): string {
  return PALETTE[slot(name)];
}

/**
 * colorsFor gives each name of one chart a distinct colour (while there are
 * no more names than colours): names keep their own colour (colorFor) unless
 * an earlier name, in sorted order, has it; then the next free one. The same
 * set of names gets the same colours on every tile.
 */
export function colorsFor(names: string[]): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Set<number>();
  for (const n of Array.from(new Set(names)).sort()) {
    let i = slot(n);
    if (used.size < PALETTE.length) while (used.has(i)) i = (i + 1) % PALETTE.length;
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

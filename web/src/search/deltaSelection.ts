// Event Deltas: a box dragged on the duration × time heatmap as the
// /api/deltas selection and as a query filter (docs/ui.md "Event Deltas").
import type { DeltaSelection } from '../api/analysis';
import type { WhereLanguage } from '../api/types';
import type { HeatmapGrid } from '../chart/chartOptions';

/** roundMs keeps a bound readable: whole ms from 10 ms, else whole µs. */
export function roundMs(ms: number): number {
  return ms >= 10 ? Math.round(ms) : Math.round(ms * 1000) / 1000;
}

/**
 * boxToSelection turns a box of category indexes on the heatmap into a
 * selection: the bins' duration bounds in ms (no lower bound when the box
 * reaches the lowest row, no upper bound when it reaches the top one) and
 * the buckets' time range (none when the box spans every bucket).
 */
export function boxToSelection(g: HeatmapGrid, box: { x: [number, number]; y: [number, number] }, stepMs: number): DeltaSelection {
  const clamp = (i: number, n: number) => Math.min(Math.max(i, 0), n - 1);
  const [x0, x1] = [clamp(Math.min(...box.x), g.times.length), clamp(Math.max(...box.x), g.times.length)];
  const [y0, y1] = [clamp(Math.min(...box.y), g.bins.length), clamp(Math.max(...box.y), g.bins.length)];
  const everyBucket = x0 === 0 && x1 === g.times.length - 1;
  return {
    durationMinMs: y0 === 0 ? null : roundMs(g.bins[y0][0] / 1e6),
    durationMaxMs: y1 === g.bins.length - 1 ? null : roundMs(g.bins[y1][1] / 1e6),
    start: everyBucket ? null : new Date(g.times[x0]).toISOString(),
    end: everyBucket ? null : new Date(g.times[x1] + stepMs).toISOString(),
  };
}

/** isEmptySelection: nothing selected (no bound at all). */
export function isEmptySelection(s: DeltaSelection): boolean {
  return s.durationMinMs === null && s.durationMaxMs === null && s.start === null && s.end === null;
}

const ms = (v: number) => (Number.isInteger(v) ? `${v}ms` : `${Math.round(v * 1000)}us`);

/**
 * durationQuery is the selection's duration bounds as a filter with units
 * (the query language turns `200ms` into nanoseconds): `Duration:>=200ms`,
 * `Duration:[200ms TO 1000ms]`, or in SQL `Duration >= 200ms AND …`.
 * Empty when the selection has no duration bound.
 */
export function durationQuery(s: DeltaSelection, lang: WhereLanguage): string {
  const lo = s.durationMinMs;
  const hi = s.durationMaxMs;
  if (lo === null && hi === null) return '';
  if (lang === 'sql') {
    return [lo !== null ? `Duration >= ${ms(lo)}` : '', hi !== null ? `Duration <= ${ms(hi)}` : ''].filter(Boolean).join(' AND ');
  }
  if (lo !== null && hi !== null) return `Duration:[${ms(lo)} TO ${ms(hi)}]`;
  return lo !== null ? `Duration:>=${ms(lo)}` : `Duration:<=${ms(hi!)}`;
}

/** selectionArea is the box of a selection in heatmap category indexes (for drawing it), or null. */
export function selectionArea(g: HeatmapGrid, s: DeltaSelection, stepMs: number): { x: [number, number]; y: [number, number] } | null {
  if (isEmptySelection(s) || g.times.length === 0 || g.bins.length === 0) return null;
  const t0 = s.start ? Date.parse(s.start) : -Infinity;
  const t1 = s.end ? Date.parse(s.end) : Infinity;
  const xs = g.times.map((t, i) => [t, i] as const).filter(([t]) => t + stepMs > t0 && t < t1).map(([, i]) => i);
  const lo = s.durationMinMs === null ? -Infinity : s.durationMinMs * 1e6;
  const hi = s.durationMaxMs === null ? Infinity : s.durationMaxMs * 1e6;
  const ys = g.bins.map((b, i) => [b, i] as const).filter(([b]) => (b[1] === 0 ? lo <= 0 : b[1] > lo && b[0] < hi)).map(([, i]) => i);
  if (!xs.length || !ys.length) return null;
  return { x: [xs[0], xs[xs.length - 1]], y: [ys[0], ys[ys.length - 1]] };
}

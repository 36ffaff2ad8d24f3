import { describe, expect, it } from 'vitest';
import type { HeatmapGrid } from '../chart/chartOptions';
import { boxToSelection, durationQuery, isEmptySelection, selectionArea } from './deltaSelection';

const t0 = Date.UTC(2026, 11, 6, 6, 0);
const step = 60_000;
// a 0 ns row, then bins from 1 ms up by ×2: [1,2), [2,4), … [256,512) ms
const grid: HeatmapGrid = {
  times: [0, 1, 2, 3, 4].map((i) => t0 + i * step),
  bins: [[0, 0], ...Array.from({ length: 9 }, (_, i) => [2 ** i * 1e6, 2 ** (i + 1) * 1e6] as [number, number])],
};

describe('boxToSelection', () => {
  it('a box over the top rows and every bucket: a lower duration bound only', () => {
    const s = boxToSelection(grid, { x: [0, 4], y: [8, 9] }, step);
    expect(s).toEqual({ durationMinMs: 128, durationMaxMs: null, start: null, end: null });
  });
  it('a box in the middle: both bounds and the buckets it covers (dragged right to left)', () => {
    const s = boxToSelection(grid, { x: [3, 1], y: [2, 4] }, step);
    expect(s).toEqual({ durationMinMs: 2, durationMaxMs: 16, start: new Date(t0 + step).toISOString(), end: new Date(t0 + 4 * step).toISOString() });
  });
  it('the lowest row selected: no lower bound, so 0 ns spans stay in', () => {
    expect(boxToSelection(grid, { x: [0, 4], y: [0, 3] }, step).durationMinMs).toBeNull();
  });
  it('clamps a box dragged past the edges', () => {
    expect(boxToSelection(grid, { x: [-2, 9], y: [-1, 20] }, step)).toEqual({ durationMinMs: null, durationMaxMs: null, start: null, end: null });
  });
});

describe('durationQuery', () => {
  it('writes bounds with units in either language', () => {
    expect(durationQuery({ durationMinMs: 200, durationMaxMs: null, start: null, end: null }, 'lucene')).toBe('Duration:>=200ms');
    expect(durationQuery({ durationMinMs: null, durationMaxMs: 16, start: null, end: null }, 'lucene')).toBe('Duration:<=16ms');
    expect(durationQuery({ durationMinMs: 2, durationMaxMs: 1000, start: null, end: null }, 'lucene')).toBe('Duration:[2ms TO 1000ms]');
    expect(durationQuery({ durationMinMs: 0.25, durationMaxMs: 1000, start: null, end: null }, 'sql')).toBe('Duration >= 250us AND Duration <= 1000ms');
    expect(durationQuery({ durationMinMs: null, durationMaxMs: null, start: 'a', end: 'b' }, 'lucene')).toBe('');
  });
});

describe('selectionArea', () => {
  it('maps a selection back onto the grid', () => {
    const s = boxToSelection(grid, { x: [1, 3], y: [2, 4] }, step);
    expect(selectionArea(grid, s, step)).toEqual({ x: [1, 3], y: [2, 4] });
    expect(selectionArea(grid, { durationMinMs: 200, durationMaxMs: null, start: null, end: null }, step)).toEqual({ x: [0, 4], y: [8, 9] });
    expect(isEmptySelection({ durationMinMs: null, durationMaxMs: null, start: null, end: null })).toBe(true);
  });
});

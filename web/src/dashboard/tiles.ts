// Pure tile-layout helpers for the dashboard grid (24 columns, as HyperDX).
import type { ChartConfig, Tile } from '../api/types';

export const COLS = 24;

export interface GridItem {
  i: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

export function toLayout(tiles: Tile[]): GridItem[] {
  return tiles.map((t) => ({ i: t.id, x: t.x, y: t.y, w: Math.max(1, t.w), h: Math.max(1, t.h) }));
}

/** applyLayout writes grid positions back into tiles (unchanged tiles keep identity). */
export function applyLayout(tiles: Tile[], layout: readonly GridItem[]): Tile[] {
  const byId = new Map(layout.map((l) => [l.i, l]));
  return tiles.map((t) => {
    const l = byId.get(t.id);
    if (!l || (l.x === t.x && l.y === t.y && l.w === t.w && l.h === t.h)) return t;
    return { ...t, x: l.x, y: l.y, w: l.w, h: l.h };
  });
}

/** appendTile places a new half-width tile below the existing ones. */
export function appendTile(tiles: Tile[], config: ChartConfig): Tile[] {
  const bottom = tiles.reduce((m, t) => Math.max(m, t.y + t.h), 0);
  const id = Math.random().toString(36).slice(2, 10);
  return [...tiles, { id, x: 0, y: bottom, w: 12, h: 8, config }];
}

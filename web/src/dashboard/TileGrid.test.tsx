import { MantineProvider } from '@mantine/core';
import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Tile } from '../api/types';
import { TileGrid } from './TileGrid';
import { appendTile, applyLayout, toLayout } from './tiles';

const tiles: Tile[] = [
  { id: 'a', x: 0, y: 0, w: 12, h: 8, config: { name: 'Requests', source: 'traces', select: [] } },
  { id: 'b', x: 12, y: 0, w: 12, h: 8, config: { name: 'Errors', source: 'traces', select: [] } },
];

describe('tile layout helpers', () => {
  it('round-trips positions and keeps unchanged tiles', () => {
    const l = toLayout(tiles);
    expect(l[1]).toEqual({ i: 'b', x: 12, y: 0, w: 12, h: 8 });
    const moved = applyLayout(tiles, [{ ...l[0] }, { ...l[1], y: 8, x: 0 }]);
    expect(moved[0]).toBe(tiles[0]);
    expect(moved[1]).toMatchObject({ x: 0, y: 8 });
  });
  it('appends new tiles below', () => {
    const next = appendTile(tiles, { source: 'logs', select: [] });
    expect(next[2]).toMatchObject({ x: 0, y: 8, w: 12, h: 8 });
  });
});

describe('TileGrid', () => {
  it('renders every tile at its grid position', () => {
    const r = render(
      <MantineProvider>
        <TileGrid tiles={tiles} width={1200} onChange={() => undefined} renderTile={(t) => <span>{t.config.name}</span>} />
      </MantineProvider>,
    );
    const items = r.getAllByTestId('tile');
    expect(items.map((e) => e.textContent)).toEqual(['Requests', 'Errors']);
    // 24 columns over 1200px: the second tile starts half way.
    const second = items[1].getAttribute('style') ?? '';
    expect(second).toMatch(/translate\((59\d|60\d)px/);
  });
});

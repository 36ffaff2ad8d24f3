import ReactGridLayout, { useContainerWidth } from 'react-grid-layout';
import 'react-grid-layout/css/styles.css';
import 'react-resizable/css/styles.css';
import { type ReactNode, useMemo } from 'react';
import type { Tile } from '../api/types';
import { applyLayout, COLS, type GridItem, toLayout } from './tiles';

interface Props {
  tiles: Tile[];
  /** Called with the moved/resized tiles. */
  onChange: (tiles: Tile[]) => void;
  renderTile: (t: Tile) => ReactNode;
  editable?: boolean;
  /** fixed width (tests); by default the container's */
  width?: number;
  rowHeight?: number;
}

/** TileGrid lays tiles out on a 24-column grid with drag (by the title) and resize. */
export function TileGrid({ tiles, onChange, renderTile, editable = true, width: fixed, rowHeight = 30 }: Props) {
  const { width, containerRef, mounted } = useContainerWidth();
  const layout = useMemo(() => toLayout(tiles), [tiles]);
  const w = fixed ?? width;
  return (
    <div ref={containerRef} data-testid="tile-grid">
      {(mounted || fixed) && w > 0 && (
        <ReactGridLayout
          layout={layout}
          width={w}
          gridConfig={{ cols: COLS, rowHeight, margin: [8, 8] }}
          dragConfig={{ enabled: editable, handle: '.tile-drag' }}
          resizeConfig={{ enabled: editable }}
          onLayoutChange={(l) => {
            const next = applyLayout(tiles, l as readonly GridItem[]);
            if (next.some((t, i) => t !== tiles[i])) onChange(next);
          }}
        >
          {tiles.map((t) => (
            <div key={t.id} data-testid="tile" data-tile-id={t.id} style={{ border: '1px solid var(--mantine-color-default-border)', borderRadius: 4, background: 'var(--mantine-color-body)', overflow: 'hidden', display: 'flex', flexDirection: 'column' }}>
              {renderTile(t)}
            </div>
          ))}
        </ReactGridLayout>
      )}
    </div>
  );
}

import { useComputedColorScheme } from '@mantine/core';
import { useMemo } from 'react';
import { fmtPct, fmtRate, fmtSeconds, type MapEdge, type MapNode, type ServiceMap } from './data';
import { layeredLayout, NODE_H, NODE_W } from './layout';

export type Selection = { kind: 'node'; id: string } | { kind: 'edge'; client: string; server: string } | null;

/** Errors above this share colour a node or edge red. */
const ERROR_ALERT = 0.05;

function edgePath(a: { x: number; y: number }, b: { x: number; y: number }): string {
  const x1 = a.x + NODE_W;
  const y1 = a.y + NODE_H / 2;
  const x2 = b.x;
  const y2 = b.y + NODE_H / 2;
  if (x2 > x1) {
    const dx = (x2 - x1) / 2;
    return `M${x1},${y1} C${x1 + dx},${y1} ${x2 - dx},${y2} ${x2},${y2}`;
  }
  // Back or same-column edge: loop below the nodes.
  const low = Math.max(a.y, b.y) + NODE_H + 30;
  return `M${x1},${y1} C${x1 + 60},${low} ${x2 - 60},${low} ${x2},${y2}`;
}

/**
 * ServiceGraph draws the service map as SVG: services as boxes with request
 * rate, error share and p95 latency; calls as arrows labelled with their
 * rate, red when failing. Virtual nodes (databases, uninstrumented peers,
 * "user") are dashed.
 */
export function ServiceGraph({ map, selected, onSelect }: { map: ServiceMap; selected: Selection; onSelect: (s: Selection) => void }) {
  const dark = useComputedColorScheme('light') === 'dark';
  const layout = useMemo(() => layeredLayout(map.nodes.map((n) => n.id), map.edges), [map]);
  const maxRate = Math.max(1e-9, ...map.edges.map((e) => e.rate));
  const fg = dark ? '#ddd' : '#222';
  const dim = dark ? '#999' : '#666';
  const isSel = (n: MapNode) => selected?.kind === 'node' && selected.id === n.id;
  const isSelEdge = (e: MapEdge) => selected?.kind === 'edge' && selected.client === e.client && selected.server === e.server;
  return (
    <svg width={layout.width} height={layout.height} role="img" aria-label="service map" data-testid="service-map"
      style={{ display: 'block', fontFamily: 'var(--mantine-font-family)' }}>
      <defs>
        <marker id="sm-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse">
          <path d="M0,0 L10,5 L0,10 z" fill={dim} />
        </marker>
        <marker id="sm-arrow-err" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse">
          <path d="M0,0 L10,5 L0,10 z" fill="#e03131" />
        </marker>
      </defs>
      {map.edges.map((e) => {
        const a = layout.pos.get(e.client);
        const b = layout.pos.get(e.server);
        if (!a || !b) return null;
        const d = edgePath(a, b);
        const bad = e.errorRatio > ERROR_ALERT;
        const width = 1 + 4 * Math.sqrt(e.rate / maxRate);
        const mx = (a.x + NODE_W + b.x) / 2;
        const my = (a.y + b.y) / 2 + NODE_H / 2 - 4 + (b.x > a.x ? 0 : NODE_H);
        return (
          <g key={`${e.client}>${e.server}>${e.connectionType}`} data-testid="map-edge" data-client={e.client} data-server={e.server}
            role="button" aria-label={`${e.client} → ${e.server}`} style={{ cursor: 'pointer' }}
            onClick={() => onSelect({ kind: 'edge', client: e.client, server: e.server })}>
            <title>{`${e.client} → ${e.server}${e.connectionType ? ` (${e.connectionType})` : ''}: ${fmtRate(e.rate)}, ${fmtPct(e.errorRatio)} errors, p95 ${fmtSeconds(e.p95)}`}</title>
            <path d={d} fill="none" stroke="transparent" strokeWidth={12} />
            <path d={d} fill="none" stroke={bad ? '#e03131' : dim} strokeWidth={isSelEdge(e) ? width + 2 : width}
              strokeOpacity={isSelEdge(e) ? 1 : 0.7} markerEnd={`url(#${bad ? 'sm-arrow-err' : 'sm-arrow'})`} />
            <text x={mx} y={my} textAnchor="middle" fontSize={10} fill={bad ? '#e03131' : dim}>
              {fmtRate(e.rate)}{e.errorRatio > 0 ? ` · ${fmtPct(e.errorRatio)}` : ''}
            </text>
          </g>
        );
      })}
      {map.nodes.map((n) => {
        const p = layout.pos.get(n.id);
        if (!p) return null;
        const bad = n.errorRatio > ERROR_ALERT;
        return (
          <g key={n.id} transform={`translate(${p.x},${p.y})`} data-testid="map-node" data-id={n.id} role="button"
            aria-label={n.id} style={{ cursor: 'pointer' }} onClick={() => onSelect({ kind: 'node', id: n.id })}>
            <title>{`${n.id}${n.virtual ? ' (virtual)' : ''}: ${fmtRate(n.rate)}, ${fmtPct(n.errorRatio)} errors, p95 ${fmtSeconds(n.p95)}`}</title>
            <rect width={NODE_W} height={NODE_H} rx={6} fill={dark ? '#25262b' : '#fff'}
              stroke={bad ? '#e03131' : isSel(n) ? '#228be6' : dim} strokeWidth={isSel(n) ? 2.5 : 1.2}
              strokeDasharray={n.virtual ? '4 3' : undefined} />
            <text x={8} y={17} fontSize={12} fontWeight={600} fill={fg}>
              {n.id.length > 20 ? `${n.id.slice(0, 19)}…` : n.id}
            </text>
            <text x={8} y={34} fontSize={10} fill={bad ? '#e03131' : dim}>
              {`${fmtRate(n.rate)} · ${fmtPct(n.errorRatio)}${n.virtual ? '' : ` · p95 ${fmtSeconds(n.p95)}`}`}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

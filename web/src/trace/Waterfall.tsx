import { Box, Text, Tooltip } from '@mantine/core';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';
import { fmtDuration } from '../lib/format';
import type { Span, WaterfallRow } from './layout';

const ROW_H = 24;

interface Props {
  rows: WaterfallRow[];
  duration: number;
  selectedId?: string;
  onSelect: (s: Span) => void;
  onToggle: (id: string) => void;
  height: number | string;
}

/** Waterfall draws span rows (virtualised): tree on the left, bars to scale on the right. */
export function Waterfall({ rows, duration, selectedId, onSelect, onToggle, height }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_H, overscan: 30 });
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  return (
    <Box style={{ border: '1px solid var(--mantine-color-default-border)', borderRadius: 4 }}>
      <div style={{ display: 'grid', gridTemplateColumns: '40% 60%', fontSize: 11, borderBottom: '1px solid var(--mantine-color-default-border)', padding: '2px 0' }}>
        <Text size="xs" fw={600} pl="xs">Service · span</Text>
        <div style={{ position: 'relative', height: 16 }}>
          {ticks.map((t) => (
            <span key={t} style={{ position: 'absolute', left: `${t * 100}%`, transform: t === 1 ? 'translateX(-100%)' : t ? 'translateX(-50%)' : undefined, color: 'var(--mantine-color-dimmed)' }}>
              {fmtDuration(duration * t)}
            </span>
          ))}
        </div>
      </div>
      <div ref={scroller} style={{ height, overflow: 'auto' }} data-testid="waterfall">
        <div style={{ height: v.getTotalSize(), position: 'relative' }}>
          {v.getVirtualItems().map((it) => {
            const r = rows[it.index];
            const s = r.span;
            const sel = s.id === selectedId;
            return (
              <div
                key={it.key}
                data-testid="span-row"
                data-error={s.error || undefined}
                onClick={() => onSelect(s)}
                style={{
                  position: 'absolute', top: 0, left: 0, right: 0, height: ROW_H, transform: `translateY(${it.start}px)`,
                  display: 'grid', gridTemplateColumns: '40% 60%', alignItems: 'center', cursor: 'pointer', fontSize: 12,
                  background: sel ? 'var(--mantine-primary-color-light)' : undefined,
                }}
              >
                <div style={{ paddingLeft: 4 + r.depth * 14, whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' }}>
                  {r.childCount > 0 ? (
                    <span role="button" aria-label={r.collapsed ? 'expand' : 'collapse'} style={{ display: 'inline-block', width: 14, cursor: 'pointer' }}
                      onClick={(e) => { e.stopPropagation(); onToggle(s.id); }}>
                      {r.collapsed ? '▸' : '▾'}
                    </span>
                  ) : <span style={{ display: 'inline-block', width: 14 }} />}
                  <span style={{ display: 'inline-block', width: 8, height: 8, borderRadius: 2, background: r.color, marginRight: 4 }} />
                  <b>{s.service}</b> {s.name}
                  {s.error && <span style={{ color: 'var(--mantine-color-red-6)', marginLeft: 4 }} title="error">●</span>}
                  {r.collapsed && <span style={{ color: 'var(--mantine-color-dimmed)' }}> (+{r.childCount})</span>}
                </div>
                <div style={{ position: 'relative', height: '100%' }}>
                  <div style={{
                    position: 'absolute', top: 6, height: 12, left: `${r.offset * 100}%`, width: `max(2px, ${r.width * 100}%)`,
                    background: s.error ? 'var(--mantine-color-red-6)' : r.color, borderRadius: 2, opacity: 0.9,
                  }} />
                  {s.events.map((e, i) => (
                    <Tooltip key={i} label={e.name}>
                      <div style={{ position: 'absolute', top: 4, width: 2, height: 16, left: `${(e.at / duration) * 100}%`, background: 'var(--mantine-color-text)' }} />
                    </Tooltip>
                  ))}
                  <span style={{ position: 'absolute', top: 4, fontSize: 11, left: `calc(${Math.min(r.offset + r.width, 0.85) * 100}% + 4px)`, whiteSpace: 'nowrap' }}>
                    {fmtDuration(s.duration)}
                  </span>
                </div>
              </div>
            );
          })}
        </div>
      </div>
    </Box>
  );
}

import { Box, Text } from '@mantine/core';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';
import type { Row } from '../api/types';
import { cellText, fmtDuration, isErrorRow } from '../lib/format';
import { fmtTime, tsMs } from '../lib/time';

export const DEFAULT_COLUMNS: Record<'logs' | 'traces', string[]> = {
  logs: ['Timestamp', 'ServiceName', 'SeverityText', 'Body'],
  traces: ['Timestamp', 'ServiceName', 'SpanName', 'Duration', 'StatusCode'],
};

/** columnValue reads a column or a dotted map path (SpanAttributes.k). */
export function columnValue(row: Row, col: string): unknown {
  if (col in row) return row[col];
  const dot = col.indexOf('.');
  if (dot > 0) {
    const m = row[col.slice(0, dot)];
    if (m && typeof m === 'object') return (m as Record<string, unknown>)[col.slice(dot + 1)];
  }
  return undefined;
}

function render(row: Row, col: string): string {
  const v = columnValue(row, col);
  if (col === 'Timestamp' && typeof v === 'string') {
    const ms = tsMs(v);
    return `${fmtTime(ms)}.${String(Math.floor(ms % 1000)).padStart(3, '0')}`;
  }
  if (col === 'Duration' && typeof v === 'number') return fmtDuration(v);
  return cellText(v);
}

const ROW_H = 28;

/** ResultsTable is a virtualised table of rows with chosen columns. */
export function ResultsTable({ rows, columns, onSelect, selected }: {
  rows: Row[]; columns: string[]; onSelect: (r: Row) => void; selected?: Row | null;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_H, overscan: 20 });
  const tmpl = columns.map((c) => (c === 'Body' || c === 'SpanName' ? 'minmax(200px, 1fr)' : c === 'Timestamp' ? '190px' : 'minmax(90px, max-content)')).join(' ');
  const width = columns.some((c) => c === 'Body' || c === 'SpanName') ? undefined : 'max-content';
  return (
    <Box style={{ border: '1px solid var(--mantine-color-default-border)', borderRadius: 4, flex: 1, minHeight: 200, display: 'flex', flexDirection: 'column' }}>
      <div style={{ display: 'grid', gridTemplateColumns: tmpl, gap: 8, padding: '4px 8px', fontWeight: 600, fontSize: 13, borderBottom: '1px solid var(--mantine-color-default-border)', width }}>
        {columns.map((c) => <div key={c} style={{ whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' }}>{c}</div>)}
      </div>
      <div ref={scroller} style={{ overflow: 'auto', flex: 1, minHeight: 0 }} data-testid="results">
        {rows.length === 0 && <Text c="dimmed" p="sm" size="sm">No results in this time range.</Text>}
        <div style={{ height: v.getTotalSize(), position: 'relative' }}>
          {v.getVirtualItems().map((it) => {
            const r = rows[it.index];
            const err = isErrorRow(r);
            return (
              <div
                key={it.key}
                role="row"
                data-testid="result-row"
                onClick={() => onSelect(r)}
                style={{
                  position: 'absolute', top: 0, left: 0, right: 0, height: ROW_H, transform: `translateY(${it.start}px)`,
                  display: 'grid', gridTemplateColumns: tmpl, gap: 8, padding: '4px 8px', fontSize: 13, cursor: 'pointer',
                  fontFamily: 'var(--mantine-font-family-monospace)', alignItems: 'center',
                  borderLeft: `3px solid ${err ? 'var(--mantine-color-red-6)' : 'transparent'}`,
                  background: selected === r ? 'var(--mantine-primary-color-light)' : undefined,
                }}
              >
                {columns.map((c) => (
                  <div key={c} style={{ whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' }}>{render(r, c)}</div>
                ))}
              </div>
            );
          })}
        </div>
      </div>
    </Box>
  );
}

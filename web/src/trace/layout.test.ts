import { describe, expect, it } from 'vitest';
import type { Row } from '../api/types';
import { layoutTrace } from './layout';

const span = (id: string, parent: string, startMs: number, durMs: number, extra: Row = {}): Row => ({
  SpanId: id, ParentSpanId: parent, ServiceName: 'svc-' + id[0], SpanName: 'op ' + id,
  Timestamp: new Date(Date.UTC(2026, 0, 1) + startMs).toISOString().replace('Z', '000Z'), Duration: durMs * 1e6, ...extra,
});

describe('layoutTrace', () => {
  const rows = [
    span('c', 'a', 20, 10),
    span('a', '', 0, 100),
    span('b', 'a', 10, 50, { StatusCode: 'Error' }),
    span('d', 'b', 15, 5, { 'Events.Name': ['exception'], 'Events.Timestamp': [new Date(Date.UTC(2026, 0, 1) + 16).toISOString()] }),
    span('x', 'missing', 50, 10),
  ];

  it('orders depth-first with children by start, orphans as roots', () => {
    const l = layoutTrace(rows);
    expect(l.rows.map((r) => `${r.span.id}@${r.depth}`)).toEqual(['a@0', 'b@1', 'd@2', 'c@1', 'x@0']);
    expect(l.duration).toBe(100e6);
    expect(l.errors).toBe(1);
  });

  it('scales offsets and widths to the trace', () => {
    const b = layoutTrace(rows).rows[1];
    expect(b.offset).toBeCloseTo(0.1);
    expect(b.width).toBeCloseTo(0.5);
    const d = layoutTrace(rows).rows[2];
    expect(d.span.events[0].at).toBe(16e6);
  });

  it('hides descendants of collapsed spans', () => {
    const l = layoutTrace(rows, new Set(['b']));
    expect(l.rows.map((r) => r.span.id)).toEqual(['a', 'b', 'c', 'x']);
    expect(l.rows[1].collapsed).toBe(true);
    expect(l.rows[1].childCount).toBe(1);
  });

  it('keeps nanosecond precision', () => {
    const l = layoutTrace([
      { SpanId: 'p', Timestamp: '2026-01-01T00:00:00.000000001Z', Duration: 10 },
      { SpanId: 'q', ParentSpanId: 'p', Timestamp: '2026-01-01T00:00:00.000000006Z', Duration: 2 },
    ]);
    expect(l.rows[1].span.start).toBe(5);
  });

  it('lays out 10k spans', () => {
    const big: Row[] = [span('root', '', 0, 10_000)];
    for (let i = 0; i < 10_000; i++) big.push(span(`s${i}`, i % 10 === 0 ? 'root' : `s${i - (i % 10)}`, i, 1));
    // Correctness only: timing belongs in benchmarks, not unit tests.
    const l = layoutTrace(big);
    expect(l.rows.length).toBe(10_001);
  });
});

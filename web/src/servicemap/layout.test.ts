import { describe, expect, it } from 'vitest';
import { layeredLayout, MAX_ROWS, NODE_H, NODE_W } from './layout';

const overlaps = (a: { x: number; y: number }, b: { x: number; y: number }) =>
  Math.abs(a.x - b.x) < NODE_W && Math.abs(a.y - b.y) < NODE_H;

describe('layeredLayout', () => {
  it('puts callers left of the services they call', () => {
    const l = layeredLayout(['payment', 'frontend', 'checkout', 'orders', 'user'], [
      { client: 'user', server: 'frontend' },
      { client: 'frontend', server: 'checkout' },
      { client: 'checkout', server: 'payment' },
      { client: 'checkout', server: 'orders' },
    ]);
    const layer = (id: string) => l.pos.get(id)!.layer;
    expect([layer('user'), layer('frontend'), layer('checkout'), layer('payment'), layer('orders')]).toEqual([0, 1, 2, 3, 3]);
    expect(l.pos.get('frontend')!.x).toBeLessThan(l.pos.get('checkout')!.x);
  });

  it('survives cycles and self-calls', () => {
    const l = layeredLayout(['a', 'b', 'c'], [
      { client: 'a', server: 'b' }, { client: 'b', server: 'c' }, { client: 'c', server: 'a' }, { client: 'b', server: 'b' },
    ]);
    expect(l.pos.size).toBe(3);
    expect(new Set([...l.pos.values()].map((p) => p.layer)).size).toBe(3);
  });

  it('lays out 50 services without overlaps, wrapping tall layers, deterministically', () => {
    const ids = Array.from({ length: 50 }, (_, i) => `svc-${String(i).padStart(2, '0')}`);
    const edges = [
      ...ids.slice(1, 6).map((s) => ({ client: ids[0], server: s })),
      ...ids.slice(6).map((s, i) => ({ client: ids[1 + (i % 5)], server: s })),
      { client: ids[49], server: ids[0] }, // a cycle back to the entry
    ];
    const l = layeredLayout(ids, edges);
    const ps = [...l.pos.values()];
    expect(ps).toHaveLength(50);
    for (let i = 0; i < ps.length; i++) for (let j = i + 1; j < ps.length; j++) expect(overlaps(ps[i], ps[j])).toBe(false);
    // 44 leaves in one layer wrap into columns of at most MAX_ROWS.
    const columns = new Map<number, number>();
    for (const p of ps) columns.set(p.x, (columns.get(p.x) ?? 0) + 1);
    expect(Math.max(...columns.values())).toBeLessThanOrEqual(MAX_ROWS);
    expect(l.height).toBeLessThan(1000);
    for (const p of ps) {
      expect(p.x + NODE_W).toBeLessThanOrEqual(l.width);
      expect(p.y + NODE_H).toBeLessThanOrEqual(l.height);
    }
    expect(layeredLayout([...ids].reverse(), [...edges].reverse()).pos).toEqual(l.pos);
  });
});

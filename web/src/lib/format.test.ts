import { describe, expect, it } from 'vitest';
import { colorsFor, fmtDuration, fmtDurationRaw } from './format';

describe('fmtDuration', () => {
  it.each([
    [0, '0 ns'], [950, '950 ns'], [950_000, '950 µs'], [40_000_000, '40 ms'], [12_340_000, '12.3 ms'],
    [1_250_000_000, '1.25 s'], [1_200_000_000, '1.2 s'], [90e9, '1.5 min'],
  ])('%d ns → %s', (ns, want) => expect(fmtDuration(ns)).toBe(want));
});

describe('fmtDurationRaw', () => {
  it('adds the exact nanoseconds only when the unit rounds', () => {
    expect(fmtDurationRaw(40_000_000)).toBe('40 ms (40000000 ns)');
    expect(fmtDurationRaw(0)).toBe('0 ns');
  });
});

describe('colorsFor', () => {
  // The demo's services: with plain colorsFor one of them is red (#d62728),
  // which the trace waterfall also uses for error spans.
  const services = ['frontend-web', 'frontend-proxy', 'frontend', 'checkout', 'payment', 'cart', 'currency', 'product-catalog',
    'shipping', 'quote', 'email', 'recommendation', 'ad', 'accounting', 'fraud-detection'];
  const reds = ['#d62728', '#ff9896'];
  it('gives a red to some service by default', () => {
    expect([...colorsFor(services).values()].some((c) => reds.includes(c))).toBe(true);
  });
  it('with avoidRed gives no red, and distinct colours while there are enough', () => {
    const c = colorsFor(services, { avoidRed: true });
    expect([...c.values()].filter((v) => reds.includes(v))).toEqual([]);
    expect(new Set(c.values()).size).toBe(services.length);
    const many = Array.from({ length: 30 }, (_, i) => `svc-${i}`);
    expect([...colorsFor(many, { avoidRed: true }).values()].filter((v) => reds.includes(v))).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { fmtDuration, fmtDurationRaw } from './format';

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

import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

// Unmount every rendered tree after each test (vitest runs without globals,
// so testing-library cannot register this itself): a tree left mounted can
// have React work scheduled after the file's jsdom window is torn down,
// which fails the run with "window is not defined".
afterEach(() => cleanup());

// jsdom lacks layout APIs that Mantine, CodeMirror and the grid touch.
class RO {
  observe() {}
  unobserve() {}
  disconnect() {}
}
const g = globalThis as unknown as Record<string, unknown>;
g.ResizeObserver ??= RO;
if (!window.matchMedia) {
  window.matchMedia = (q: string) => ({
    matches: false, media: q, onchange: null, addListener() {}, removeListener() {}, addEventListener() {}, removeEventListener() {}, dispatchEvent: () => false,
  }) as MediaQueryList;
}
Range.prototype.getClientRects ??= () => ({ length: 0, item: () => null, [Symbol.iterator]: [][Symbol.iterator] }) as unknown as DOMRectList;
Range.prototype.getBoundingClientRect ??= () => new DOMRect();

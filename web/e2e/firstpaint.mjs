// First paint of the UI, measured in Debian's chromium (headless, driven by
// playwright-core): each load uses a fresh browser context (cold HTTP
// cache) and reads the page's own Navigation Timing and Paint Timing
// entries. Reports the median of RUNS loads of each path as JSON lines.
//
//   OVERLOOK_URL=http://127.0.0.1:8080 node e2e/firstpaint.mjs [/search?range=1h …]
//
// measureFirstPaint is also used by walk.mjs, which logs the numbers (the
// browser test never asserts on time: see docs/benchmarks.md, Web UI).
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from './harness.mjs';

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
};

/** loadOnce opens url in a new context and returns its paint and navigation timings (ms) and script bytes. */
async function loadOnce(browser, url, ready) {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  try {
    const page = await ctx.newPage();
    await page.goto(url, { waitUntil: 'load' });
    // The time the page's main control was first seen (polled every frame).
    const readyAt = ready
      ? await (await page.waitForFunction((sel) => document.querySelector(sel) && performance.now(), ready, { polling: 'raf', timeout: 15000 })).jsonValue()
      : NaN;
    const t = await page.evaluate(() => new Promise((resolve) => {
      const done = () => {
        const nav = performance.getEntriesByType('navigation')[0];
        const fcp = performance.getEntriesByName('first-contentful-paint')[0];
        const js = performance.getEntriesByType('resource').filter((r) => r.name.endsWith('.js'));
        resolve({
          fcp: fcp ? fcp.startTime : NaN,
          domContentLoaded: nav.domContentLoadedEventEnd,
          load: nav.loadEventEnd,
          scripts: js.length,
          scriptBytes: js.reduce((n, r) => n + (r.decodedBodySize || 0), 0),
        });
      };
      if (performance.getEntriesByName('first-contentful-paint').length) done();
      else new PerformanceObserver(done).observe({ type: 'paint', buffered: true });
    }));
    return { ...t, ready: readyAt };
  } finally {
    await ctx.close();
  }
}

/**
 * measureFirstPaint loads each path runs times (after one warm-up load that
 * lets the server fill its caches) and returns the medians per path.
 * ready is a selector the page must show before a load counts.
 */
export async function measureFirstPaint(browser, base, paths, { runs = 7, ready } = {}) {
  const out = [];
  for (const path of paths) {
    await loadOnce(browser, base + path, ready);
    const loads = [];
    for (let i = 0; i < runs; i++) loads.push(await loadOnce(browser, base + path, ready));
    out.push({
      path,
      runs,
      fcpMs: Math.round(median(loads.map((l) => l.fcp))),
      fcpMaxMs: Math.round(Math.max(...loads.map((l) => l.fcp))),
      readyMs: Math.round(median(loads.map((l) => l.ready))),
      domContentLoadedMs: Math.round(median(loads.map((l) => l.domContentLoaded))),
      loadMs: Math.round(median(loads.map((l) => l.load))),
      scripts: loads[0].scripts,
      scriptKB: Math.round(loads[0].scriptBytes / 1024),
    });
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const base = process.env.OVERLOOK_URL;
  if (!base) throw new Error('set OVERLOOK_URL');
  const paths = process.argv.slice(2);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  try {
    const res = await measureFirstPaint(browser, base, paths.length ? paths : ['/search?source=logs&range=1h'],
      { runs: Number(process.env.RUNS ?? 7), ready: process.env.READY ?? '[data-testid=query-bar] .cm-content, main h3' });
    for (const r of res) console.log(JSON.stringify(r));
  } finally {
    await browser.close();
  }
}

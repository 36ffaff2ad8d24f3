// The Service Map on the live demo (e2e/ui_servicemap_test.go): the shop's
// services and calls with request rates, a service's RED panel, an edge's
// panel, and the click through to Search. OVERLOOK_URL is the server,
// CHROMIUM the browser, SCREENSHOTS the directory of service-map.png and
// service-map-edge.png (2160×1080: the shop's map is wide); SETTLE_MS
// how long to let the live demo run first, for charts with some history.
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from './firstpaint.mjs';

const base = process.env.OVERLOOK_URL;
if (!base) throw new Error('set OVERLOOK_URL');
const shots = process.env.SCREENSHOTS ?? '';
if (shots) mkdirSync(shots, { recursive: true });
const profile = mkdtempSync(join(tmpdir(), 'overlook-chromium-'));

let passed = 0;
let failed = 0;
async function step(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e.message}`);
    await page.screenshot({ path: join(tmpdir(), `overlook-servicemap-fail-${failed}.png`) }).catch(() => undefined);
  }
}
function expect(cond, msg) {
  if (!cond) throw new Error(msg);
}

const browser = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: CHROMIUM_ARGS,
  viewport: { width: 2160, height: 1080 },
  colorScheme: 'light',
  locale: 'en-US',
  timezoneId: 'UTC',
});
const page = browser.pages()[0] ?? (await browser.newPage());
page.setDefaultTimeout(20000);
const consoleErrors = [];
page.on('pageerror', (e) => consoleErrors.push(e.message));
const shot = async (name) => {
  if (!shots) return;
  await page.waitForTimeout(400); // charts animate in
  await page.screenshot({ path: join(shots, `${name}.png`) });
};
const node = (id) => page.locator(`[data-testid="map-node"][data-id="${id}"]`);
const edge = (client, server) => page.locator(`[data-testid="map-edge"][data-client="${client}"][data-server="${server}"]`);
/** rateOf reads the request rate from an SVG element's title ("x: 1.2/s, …"). */
const rateOf = async (loc) => {
  const t = (await loc.locator('title').first().textContent()) ?? '';
  const m = /: ([\d.]+)\/(s|min)/.exec(t);
  return m ? Number(m[1]) / (m[2] === 'min' ? 60 : 1) : 0;
};

try {
  await page.waitForTimeout(Number(process.env.SETTLE_MS ?? 0));
  await step('the map: the shop\'s services and calls, with request rates', async () => {
    // Rates need two flushes of the connectors: reload until they show.
    const deadline = Date.now() + 60000;
    for (;;) {
      await page.goto(`${base}/service-map?range=5m`);
      const ok = await node('payment').waitFor({ timeout: 5000 }).then(async () => (await rateOf(node('payment'))) > 0
        && (await rateOf(edge('checkout', 'payment'))) > 0, () => false);
      if (ok) break;
      expect(Date.now() < deadline, 'the service map never showed payment and checkout → payment with a rate');
      await page.waitForTimeout(2000);
    }
    for (const id of ['frontend', 'checkout', 'payment', 'cart', 'product-catalog', 'currency', 'shipping']) {
      expect(await node(id).count() === 1, `service ${id} missing from the map`);
    }
    expect(await page.getByTestId('map-edge').count() >= 8, `${await page.getByTestId('map-edge').count()} edges, want the shop's calls`);
    const summary = await page.getByTestId('map-summary').textContent();
    expect(/^\d+ services, \d+ connections$/.test(summary), `summary "${summary}"`);
  });

  await step('a service: rate, errors, p95 and its RED charts', async () => {
    await node('checkout').click();
    await page.getByTestId('red-panel').waitFor();
    expect((await page.getByTestId('map-panel-title').textContent()) === 'checkout', 'panel title');
    const stats = await page.getByTestId('map-stats').first().textContent();
    expect(/Rate[\d.]+\/(s|min)/.test(stats) && !/Rate0\/s/.test(stats), `checkout's stats "${stats}"`);
    await page.getByTestId('red-panel').locator('canvas').first().waitFor();
    await shot('service-map');
  });

  await step('an edge: checkout → payment, then its traces in Search', async () => {
    await edge('checkout', 'payment').click({ force: true });
    await page.getByTestId('map-panel-title').getByText('checkout → payment', { exact: true }).waitFor();
    await shot('service-map-edge');
    await page.getByTestId('map-search-link').click();
    await page.waitForURL(/\/search\?/);
    const u = new URL(page.url());
    expect(u.searchParams.get('source') === 'traces' && (u.searchParams.get('q') ?? '').includes('payment'), `search opened at ${page.url()}`);
    await page.getByTestId('result-row').first().waitFor();
  });

  await step('no uncaught page errors', async () => {
    expect(consoleErrors.length === 0, `page errors: ${consoleErrors.join(' | ')}`);
  });
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

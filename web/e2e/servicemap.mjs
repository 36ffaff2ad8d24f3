// The Service Map on the live demo (e2e/ui_servicemap_test.go): the shop's
// services and calls with request rates, a service's RED panel, an edge's
// panel, and the click through to Search. OVERLOOK_URL is the server,
// CHROMIUM the browser, SCREENSHOTS the directory of service-map.png and
// service-map-edge.png (2160×1080: the shop's map is wide); SETTLE_MS
// how long to let the live demo run first, for charts with some history.
import { env, expect, openBrowser } from './harness.mjs';

const [base] = env('OVERLOOK_URL');

const h = await openBrowser({
  name: 'servicemap', viewport: { width: 2160, height: 1080 }, colorScheme: 'light', locale: 'en-US', timezoneId: 'UTC', timeout: 20000,
});
const { page, step } = h;
const shot = (name) => h.shot(name, 400); // charts animate in
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

  await step('no uncaught page errors', async () => h.expectNoPageErrors());
} finally {
  await h.close();
}
h.exit();

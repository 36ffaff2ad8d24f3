// Browser walk of seed 001 (the payment incident) and seed 000 (dashboard
// import) against a running overlook: OVERLOOK_URL=http://127.0.0.1:PORT.
// Drives Debian's chromium (CHROMIUM, default /usr/bin/chromium) headless
// with playwright-core and saves a screenshot of each page to SCREENSHOTS.
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const base = process.env.OVERLOOK_URL;
if (!base) throw new Error('set OVERLOOK_URL');
const shots = process.env.SCREENSHOTS ?? '';
if (shots) mkdirSync(shots, { recursive: true });
const profile = mkdtempSync(join(tmpdir(), 'overlook-chromium-'));

const HYPERDX_EXPORT = JSON.stringify({
  version: '0.1.0', name: 'Payment incident (HyperDX import)', tags: [], filters: [],
  tiles: [
    { id: 'a', x: 0, y: 0, w: 12, h: 10, config: { name: 'Max payment duration by card', source: 'Traces', displayType: 'line',
      select: [{ aggFn: 'max', valueExpression: 'Duration', aggCondition: '', aggConditionLanguage: 'lucene' }],
      where: 'ServiceName: payment', whereLanguage: 'lucene', groupBy: "SpanAttributes['app.payment.card_type']", granularity: 'auto' } },
    { id: 'b', x: 12, y: 0, w: 12, h: 10, config: { name: 'Visa cache size', source: 'Metrics', displayType: 'line',
      select: [{ aggFn: 'max', valueExpression: 'Value', metricName: 'visa_validation_cache.size', metricType: 'gauge' }],
      where: '', whereLanguage: 'lucene', groupBy: '', granularity: 'auto' } },
    { id: 'c', x: 0, y: 10, w: 8, h: 6, config: { name: 'Error logs', source: 'Logs', displayType: 'number',
      select: [{ aggFn: 'count', valueExpression: '' }], where: 'level:error', whereLanguage: 'lucene', granularity: 'auto' } },
  ],
});

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
    await page.screenshot({ path: join(tmpdir(), `overlook-walk-fail-${failed}.png`) }).catch(() => undefined);
  }
}
function expect(cond, msg) {
  if (!cond) throw new Error(msg);
}

// A fresh profile directory (playwright's persistent context passes it as --user-data-dir).
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run'],
  viewport: { width: 1440, height: 900 },
  colorScheme: 'light',
});
const page = browser.pages()[0] ?? (await browser.newPage());
page.setDefaultTimeout(15000);
const consoleErrors = [];
page.on('pageerror', (e) => consoleErrors.push(e.message));
const shot = async (name) => shots && page.screenshot({ path: join(shots, `${name}.png`) });
/** chartResponse waits for the next /api/chart answer that satisfies pred. */
const chartResponse = (pred) => page.waitForResponse(async (r) => {
  if (!r.url().includes('/api/chart') || r.status() !== 200) return false;
  try { return pred(await r.json()); } catch { return false; }
});

let traceId = '';
try {
  await step('search page paints fast', async () => {
    const t0 = Date.now();
    await page.goto(`${base}/search?source=logs&range=1h`);
    await page.getByTestId('query-bar').waitFor();
    const ms = Date.now() - t0;
    expect(ms < 3000, `search page took ${ms} ms to show the query bar`);
    await page.getByTestId('result-row').first().waitFor();
  });

  await step('find the error: "/" focuses search, Enter runs', async () => {
    await page.locator('body').click({ position: { x: 5, y: 890 } });
    await page.keyboard.press('/');
    await page.keyboard.type('level:error "Failed to place order"');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('[data-testid=result-row]')];
      return rows.length > 0 && rows.every((r) => r.textContent.includes('Failed to place order'));
    });
    const count = await page.getByTestId('result-count').textContent();
    expect(/^10 results/.test(count), `expected 10 failed orders, got "${count}"`);
    await shot('search');
  });

  await step('open the log: attributes and the trace', async () => {
    await page.getByTestId('result-row').first().click();
    await page.getByRole('tab', { name: 'Overview' }).waitFor();
    await page.getByText('frontend', { exact: true }).first().waitFor();
    traceId = (await page.getByTestId('attr-row').filter({ hasText: /^TraceId/ }).locator('td').nth(1).textContent()).trim();
    expect(/^[0-9a-f]{32}$/.test(traceId), `TraceId attribute: "${traceId}"`);
    await shot('log-panel');
    await page.getByRole('tab', { name: 'Trace' }).click();
    await page.getByTestId('span-row').nth(3).waitFor();
    const errorSpans = await page.locator('[data-testid=span-row][data-error]').count();
    expect(errorSpans === 3, `expected 3 error spans (frontend, checkout, payment), got ${errorSpans}`);
    await page.getByTestId('span-row').filter({ hasText: 'PaymentService' }).click();
    await page.getByTestId('span-detail').getByText('Visa cache full: cannot add new item.').first().waitFor();
    await shot('log-trace-tab');
  });

  await step('trace view at /trace/<id>, collapse and correlated logs', async () => {
    await page.goto(`${base}/trace/${traceId}`);
    await page.getByTestId('span-row').nth(3).waitFor();
    expect(await page.getByTestId('span-row').count() === 4, 'expected 4 spans');
    await shot('trace');
    await page.getByRole('button', { name: 'collapse' }).first().click();
    expect(await page.getByTestId('span-row').count() === 1, 'collapsing the root should leave 1 row');
    await page.getByRole('button', { name: 'expand' }).first().click();
    await page.getByTestId('trace-logs-tab').click();
    await page.getByText('Failed to place order').first().waitFor();
  });

  await step('search traces: payment errors', async () => {
    await page.goto(`${base}/search?source=traces&range=1h&q=${encodeURIComponent('ServiceName:payment StatusCode:"Error"')}`);
    await page.getByTestId('result-row').first().waitFor();
    const count = await page.getByTestId('result-count').textContent();
    expect(/^10 results/.test(count), `expected 10 payment errors, got "${count}"`);
  });

  await step('chart: max Duration where ServiceName: payment by card type (no SQL typed)', async () => {
    await page.goto(`${base}/chart?range=1h`);
    await page.getByLabel('aggregation', { exact: true }).click();
    await page.getByRole('option', { name: 'max', exact: true }).click();
    await page.getByLabel('value expression', { exact: true }).fill('Duration');
    await page.getByLabel('where', { exact: true }).fill('ServiceName: payment');
    await page.getByLabel('group by', { exact: true }).fill('card');
    await page.getByRole('option', { name: "SpanAttributes['app.payment.card_type']" }).click();
    const resp = chartResponse((j) => j.series?.some((s) => s.name === 'visa') && j.series.some((s) => s.name === 'mastercard'));
    await page.getByTestId('chart-run').click();
    await resp;
    await page.waitForTimeout(300);
    await shot('chart-explorer');
  });

  await step('metrics: max visa_validation_cache.size', async () => {
    await page.goto(`${base}/explore/metrics?range=1h`);
    await page.getByLabel('metric', { exact: true }).fill('cache');
    await page.getByRole('option', { name: /visa_validation_cache\.size/ }).click();
    expect((await page.getByTestId('metric-type').textContent()) === 'gauge', 'metric type should be gauge');
    const resp = chartResponse((j) => j.series?.length === 1 && j.series[0].points.some((p) => p[1] === 100000));
    await page.getByRole('button', { name: '▶ Run' }).click();
    await resp;
    await page.waitForTimeout(300);
    await shot('metrics');
  });

  await step('import a HyperDX dashboard and see its tiles render', async () => {
    await page.goto(`${base}/dashboards`);
    await page.getByText('Services (RED)').waitFor();
    await page.getByText('Temporal Cloud').waitFor();
    await page.getByTestId('import-dashboard').click();
    await page.getByTestId('import-json').fill(HYPERDX_EXPORT);
    const visa = chartResponse((j) => j.series?.some((s) => s.name === 'visa'));
    const cache = chartResponse((j) => j.series?.[0]?.points.some((p) => p[1] === 100000));
    await page.getByTestId('finish-import').click();
    await page.getByTestId('dashboard-title').getByText('Payment incident (HyperDX import)').waitFor();
    expect(await page.getByTestId('tile').count() === 3, 'expected 3 tiles');
    await Promise.all([visa, cache]);
    await page.getByTestId('chart-number').getByText('30').waitFor();
    await page.waitForTimeout(500);
    await shot('dashboard-imported');
  });

  await step('prepared dashboard: Services (RED)', async () => {
    await page.goto(`${base}/dashboards`);
    const resp = chartResponse((j) => j.series?.some((s) => s.name === 'payment'));
    await page.getByRole('link', { name: 'Services (RED)' }).click();
    await page.getByTestId('tile').nth(3).waitFor();
    await resp;
    await page.getByTestId('chart-table').first().waitFor();
    await page.waitForTimeout(500);
    await shot('dashboard-red');
  });

  await step('dark theme', async () => {
    await page.goto(`${base}/search?source=traces&range=1h`);
    await page.getByRole('button', { name: 'toggle theme' }).click();
    await page.getByTestId('result-row').first().waitFor();
    await page.waitForTimeout(300);
    await shot('search-dark');
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

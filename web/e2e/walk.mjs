// Browser walk of seed 001 (the payment incident), seed 000 (dashboard
// import, Temporal metrics in the Metrics Explorer) and the rest of the UI
// (live tail, heatmap, dashboard filter, tile drag and resize, errors)
// against a running overlook: OVERLOOK_URL=http://127.0.0.1:PORT, and
// OVERLOOK_OTLP=http://127.0.0.1:PORT (its OTLP/HTTP receiver, for live
// tail). Drives Debian's chromium (CHROMIUM, default /usr/bin/chromium)
// headless with playwright-core and saves a screenshot of each page to
// SCREENSHOTS. First-paint timings are logged, never asserted.
import { chromium } from 'playwright-core';
import { measureFirstPaint } from './firstpaint.mjs';
import { CHROMIUM, CHROMIUM_ARGS, env, expect, openBrowser } from './harness.mjs';

const [base] = env('OVERLOOK_URL');
const otlp = process.env.OVERLOOK_OTLP ?? '';

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
    { id: 'd', x: 0, y: 16, w: 8, h: 6, config: { name: 'Error spans (SQL)', source: 'Traces', displayType: 'number',
      select: [{ aggFn: 'count', valueExpression: '' }], where: "StatusCode = 'Error'", whereLanguage: 'sql', granularity: 'auto' } },
  ],
});

const h = await openBrowser({ name: 'walk', viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
const { page, step } = h;
const shot = (name) => h.shot(name);
/** chartResponse waits for the next /api/chart answer that satisfies pred (and whose request body satisfies req). */
const chartResponse = (pred, req = () => true) => page.waitForResponse(async (r) => {
  if (!r.url().includes('/api/chart') || r.status() !== 200 || !req(r.request().postData() ?? '')) return false;
  try { return pred(await r.json()); } catch { return false; }
});
/** serverError is the error message the server answers to a request made from the page. */
const serverError = (path, init) => page.evaluate(async ([p, i]) => (await (await fetch(p, i)).json()).error, [path, init]);
/** errorNoteShows waits for the inline error note to carry the server's own message. */
async function errorNoteShows(msg) {
  expect(msg && msg.length > 10, `server error message: "${msg}"`);
  await page.getByTestId('error-note').filter({ hasText: msg }).first().waitFor();
}
/** ingestLog sends one log record to the OTLP/HTTP receiver (JSON). */
async function ingestLog(body) {
  const now = (BigInt(Date.now()) * 1000000n).toString();
  const resp = await fetch(`${otlp}/v1/logs`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'payment' } }] },
      scopeLogs: [{ logRecords: [{ timeUnixNano: now, severityNumber: 9, severityText: 'INFO', body: { stringValue: body } }] }] }] }),
  });
  expect(resp.ok, `OTLP logs export: ${resp.status}`);
}
const dashboardId = () => new URL(page.url()).pathname.split('/').pop();
const tileBox = (name) => page.getByTestId('tile').filter({ has: page.getByTestId('tile-title').getByText(name, { exact: true }) });

let traceId = '';
try {
  await step('search page shows logs', async () => {
    await page.goto(`${base}/search?source=logs&range=1h`);
    await page.getByTestId('query-bar').waitFor();
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

  await step('a bad query shows the server message inline', async () => {
    const q = 'ServiceName:(payment';
    await page.goto(`${base}/search?source=logs&range=1h&q=${encodeURIComponent(q)}`);
    const end = new Date().toISOString();
    const start = new Date(Date.now() - 3600e3).toISOString();
    const msg = await serverError('/api/search', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ source: 'logs', query: q, whereLanguage: 'lucene', start, end }) });
    await errorNoteShows(msg);
  });

  await step('live tail: new rows appear without reload, and stop when off', async () => {
    expect(otlp, 'set OVERLOOK_OTLP for live tail');
    await page.goto(`${base}/search?source=logs&range=15m&q=${encodeURIComponent('"live-tail-probe"')}`);
    await page.getByTestId('result-count').getByText(/^0 results/).waitFor();
    await page.evaluate(() => { window.__sameDocument = true; });
    await page.getByTestId('live').click();
    await ingestLog('live-tail-probe one');
    await page.getByTestId('result-row').filter({ hasText: 'live-tail-probe one' }).waitFor({ timeout: 20000 });
    expect(await page.evaluate(() => window.__sameDocument === true), 'the page reloaded');
    await page.getByTestId('live').click();
    await page.waitForTimeout(500);
    await ingestLog('live-tail-probe two');
    // Live tail refreshes every 2 s: three intervals without it must not show the new row.
    await page.waitForTimeout(6000);
    const rows = await page.getByTestId('result-row').count();
    expect(rows === 1, `live tail off: expected the 1 earlier row, got ${rows}`);
    await page.getByTestId('run').click();
    await page.getByTestId('result-row').filter({ hasText: 'live-tail-probe two' }).waitFor();
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

  await step('chart explorer: heatmap of span durations', async () => {
    await page.goto(`${base}/chart?range=1h`);
    await page.getByText('Heatmap', { exact: true }).click();
    const resp = chartResponse((j) => j.series?.filter((s) => s.bin).length > 1, (b) => b.includes('"heatmap"'));
    await page.getByTestId('chart-run').click();
    await resp;
    await page.getByTestId('chart').locator('canvas').first().waitFor();
    await page.waitForTimeout(300);
    await shot('chart-heatmap');
  });

  await step('metrics explorer: max visa_validation_cache.size', async () => {
    await page.goto(`${base}/explore/metrics?range=1h`);
    await page.getByLabel('metric search', { exact: true }).fill('cache');
    const resp = chartResponse((j) => j.series?.length === 1 && j.series[0].points.some((p) => p[1] === 100000));
    await page.getByTestId('metric-option').filter({ hasText: 'visa_validation_cache.size' }).click();
    await page.getByTestId('metric-info').getByTestId('metric-type').getByText('gauge').waitFor();
    await page.getByLabel('metric aggregation', { exact: true }).click();
    await page.getByRole('option', { name: 'max', exact: true }).click();
    await resp;
  });

  await step('metrics explorer: Temporal metric type, unit, help, labels; chart with a label filter', async () => {
    await page.goto(`${base}/explore/metrics?range=1h`);
    await page.getByLabel('metric search', { exact: true }).fill('temporal_cloud_v1_workflow_success_count');
    await page.getByTestId('metric-option').filter({ hasText: 'temporal_cloud_v1_workflow_success_count' }).click();
    const info = page.getByTestId('metric-info');
    await info.getByTestId('metric-name').getByText('temporal_cloud_v1_workflow_success_count', { exact: true }).waitFor();
    await info.getByTestId('metric-type').getByText('gauge').waitFor();
    await info.getByTestId('metric-unit').getByText('unit {workflow}').waitFor();
    await info.getByTestId('metric-help').getByText('Successful workflows per second').waitFor();
    const row = page.getByTestId('label-row').filter({ has: page.getByTestId('label-key').getByText('temporal_namespace', { exact: true }) });
    await row.getByTestId('show-values').click();
    await row.getByTestId('label-value').filter({ hasText: 'dev.c3d4' }).waitFor();
    const resp = chartResponse(
      (j) => j.series?.length === 1 && j.series[0].points.some((p) => p[1] != null) && j.series[0].points.every((p) => p[1] == null || p[1] < 0.2),
      (b) => b.includes("Attributes['temporal_namespace'] = 'prod.a1b2'"));
    await row.getByLabel('filter prod.a1b2', { exact: true }).click();
    await resp;
    await page.getByTestId('chosen-filter').getByText('temporal_namespace = prod.a1b2').waitFor();
    await page.waitForTimeout(300);
    await shot('metrics');
  });

  await step('metrics explorer: PromQL tab runs a query and shows errors inline', async () => {
    await page.getByTestId('open-promql').click();
    const input = page.getByTestId('promql-input');
    await input.waitFor();
    const sel = 'temporal_cloud_v1_workflow_success_count{temporal_namespace="prod.a1b2"}';
    expect((await input.inputValue()) === sel, `PromQL from the builder: "${await input.inputValue()}"`);
    await page.getByTestId('promql-summary').getByText(/^1 series/).waitFor();
    const bad = 'sum(temporal_cloud_v1_workflow_success_count';
    await input.fill(bad);
    await input.press('Enter');
    await errorNoteShows(await serverError(`/prometheus/api/v1/query_range?${new URLSearchParams({ query: bad, start: '1', end: '100', step: '15' })}`));
    await input.fill('sum by (temporal_namespace) (temporal_cloud_v1_workflow_success_count)');
    await page.keyboard.press('Enter');
    await page.getByTestId('promql-summary').getByText(/^2 series/).waitFor();
    await page.getByTestId('promql-chart').locator('canvas').first().waitFor();
    await page.waitForTimeout(300);
    await shot('metrics-promql');
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
    expect(await page.getByTestId('tile').count() === 4, 'expected 4 tiles');
    await Promise.all([visa, cache]);
    await tileBox('Error logs').getByTestId('chart-number').getByText('30', { exact: true }).waitFor();
    await tileBox('Error spans (SQL)').getByTestId('chart-number').getByText('30', { exact: true }).waitFor();
    await page.waitForTimeout(500);
    await shot('dashboard-imported');
  });

  await step('dashboard filter applies to search, SQL and metrics tiles', async () => {
    const cache = chartResponse((j) => j.series?.[0]?.points.some((p) => p[1] === 100000),
      (b) => b.includes('visa_validation_cache.size') && b.includes('ServiceName:payment'));
    await page.getByLabel('dashboard filter', { exact: true }).fill('ServiceName:payment');
    await page.getByLabel('dashboard filter', { exact: true }).press('Enter');
    await tileBox('Error logs').getByTestId('chart-number').getByText('10', { exact: true }).waitFor();
    await tileBox('Error spans (SQL)').getByTestId('chart-number').getByText('10', { exact: true }).waitFor();
    await cache;
    // Another service: the metrics tile has no points (not an error).
    const empty = chartResponse((j) => j.series?.every((s) => s.points.every((p) => p[1] == null)),
      (b) => b.includes('visa_validation_cache.size') && b.includes('ServiceName:checkout'));
    await page.getByLabel('dashboard filter', { exact: true }).fill('ServiceName:checkout');
    await page.getByLabel('dashboard filter', { exact: true }).press('Enter');
    await empty;
    expect(await page.getByTestId('error-note').count() === 0, 'no tile should fail');
    await tileBox('Error spans (SQL)').getByTestId('chart-number').getByText('10', { exact: true }).waitFor();
  });

  await step('dashboard tiles: drag and resize persist after reload', async () => {
    const id = dashboardId();
    await page.goto(`${base}/dashboards/${id}`);
    const tile = tileBox('Error logs');
    await tile.getByTestId('chart-number').waitFor();
    const saved = () => page.waitForResponse((r) => r.url().endsWith(`/api/dashboards/${id}`) && r.request().method() === 'PUT' && r.status() === 200);
    const drag = async (handle, dx, dy) => {
      const b = await handle.boundingBox();
      const x = b.x + Math.min(b.width / 2, 40);
      const y = b.y + b.height / 2;
      await page.mouse.move(x, y);
      await page.mouse.down();
      for (let i = 1; i <= 10; i++) await page.mouse.move(x + (dx * i) / 10, y + (dy * i) / 10);
      await page.mouse.up();
    };
    let put = saved();
    await drag(tile.locator('.tile-drag'), 620, 0);
    await put;
    put = saved();
    const handle = tile.locator('.react-resizable-handle');
    await handle.hover();
    const hb = await handle.boundingBox();
    await page.mouse.move(hb.x + hb.width / 2, hb.y + hb.height / 2);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(hb.x + hb.width / 2 + 21 * i, hb.y + hb.height / 2 + 8 * i);
    await page.mouse.up();
    await put;
    const stored = await page.evaluate(async (d) => (await (await fetch(`/api/dashboards/${d}`)).json()).tiles.find((t) => t.id === 'c'), id);
    expect(stored.x >= 10 && stored.w > 8 && stored.h > 6, `tile after drag and resize: ${JSON.stringify(stored)}`);
    await page.waitForTimeout(600); // the grid animates size changes
    const before = await tile.boundingBox();
    await page.reload();
    await tileBox('Error logs').getByTestId('chart-number').waitFor();
    await page.waitForTimeout(600);
    const after = await tileBox('Error logs').boundingBox();
    expect(Math.abs(after.x - before.x) < 3 && Math.abs(after.width - before.width) < 3 && Math.abs(after.height - before.height) < 3,
      `tile box after reload ${JSON.stringify(after)} != ${JSON.stringify(before)}`);
    await page.waitForTimeout(300);
    await shot('dashboard-edited');
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

  await step('service map: services from span metrics, click through to traces', async () => {
    // The span metrics are flushed every 15 s by default: reload until they are in.
    const node = page.locator('[data-testid="map-node"][data-id="payment"]');
    const deadline = Date.now() + 45000;
    for (;;) {
      await page.goto(`${base}/service-map?range=1h`);
      if (await node.waitFor({ timeout: 5000 }).then(() => true, () => false)) break;
      expect(Date.now() < deadline, 'the service map never showed the payment service');
    }
    expect(await page.locator('[data-testid="map-node"][data-id="checkout"]').count() === 1, 'checkout missing from the map');
    await node.click();
    await page.getByTestId('red-panel').waitFor();
    await page.waitForTimeout(300);
    await shot('service-map');
    await page.getByTestId('map-search-link').click();
    await page.waitForURL(/\/search\?/);
    const u = new URL(page.url());
    expect(u.searchParams.get('source') === 'traces' && u.searchParams.get('q') === 'ServiceName:"payment"', `search opened at ${page.url()}`);
    await page.getByTestId('result-row').first().waitFor();
  });

  await step('dark theme', async () => {
    await page.goto(`${base}/search?source=traces&range=1h`);
    await page.getByRole('button', { name: 'toggle theme' }).click();
    await page.getByTestId('result-row').first().waitFor();
    await page.waitForTimeout(300);
    await shot('search-dark');
  });

  await step('first paint (logged, not asserted; docs/benchmarks.md)', async () => {
    const b = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    try {
      const res = await measureFirstPaint(b, base, ['/search?source=logs&range=1h', '/explore/metrics', '/dashboards'],
        { runs: 5, ready: '[data-testid=query-bar] .cm-content, main h3' });
      for (const r of res) console.log(`     first paint ${JSON.stringify(r)}`);
    } finally {
      await b.close();
    }
  });

  await step('no uncaught page errors', async () => h.expectNoPageErrors());
} finally {
  await h.close();
}
h.exit();

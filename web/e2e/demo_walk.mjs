// Seed 001's walk (the ClickStack remote-demo guide's payment incident) on
// overlook's seeded demo, in the guide's order, asserting what the user
// sees at each step with the numbers the Go test computed from
// demo.Expected (EXPECT, JSON). OVERLOOK_URL is the server, CHROMIUM the
// browser (default /usr/bin/chromium), SCREENSHOTS the directory each
// step's 1280×800 screenshot goes to (walk-N-<step>.png).
import { env, expect, openBrowser } from './harness.mjs';

const [base] = env('OVERLOOK_URL');
const want = JSON.parse(process.env.EXPECT ?? 'null');
if (!want) throw new Error('set EXPECT (the Go test does)');
const range = encodeURIComponent(want.range);

/** num reads the number at the start of a text ("6,015 results" → 6015). */
const num = (s) => Number((s ?? '').replace(/,/g, '').match(/-?\d+(\.\d+)?/)?.[0] ?? NaN);
/** pct is the UI's share format (DeltasView). */
const pct = (v) => `${(v * 100).toFixed(v > 0 && v < 0.01 ? 2 : 1)}%`;

const h = await openBrowser({
  name: 'demo-walk', viewport: { width: 1280, height: 800 }, colorScheme: 'light', locale: 'en-US', timezoneId: 'UTC', timeout: 20000,
});
const { page, step } = h;
const shot = (name) => h.shot(name, 400); // charts animate in
/** apiResponse waits for the next 200 answer of path whose request body satisfies req and whose JSON satisfies pred. */
const apiResponse = (path, req = () => true, pred = () => true) => page.waitForResponse(async (r) => {
  if (!r.url().includes(path) || r.status() !== 200 || !req(r.request().postData() ?? '')) return false;
  try { return pred(await r.json()); } catch { return false; }
});
const resultCount = async (n) => {
  await page.waitForFunction((n) => {
    const t = document.querySelector('[data-testid=result-count]')?.textContent ?? '';
    return Number(t.replace(/,/g, '').split(' ')[0]) === n && t.endsWith('results');
  }, n);
};
/**
 * chartReady waits until the chart of testId has drawn every option it was
 * given, has its brush cursor taken (EChartCanvas's data attributes), and
 * has kept that state and its place on the page for 500 ms.
 */
const chartReady = async (testId, brush) => {
  const sel = `[data-testid="${testId}"]`;
  await page.waitForFunction(({ sel, brush }) => {
    const e = document.querySelector(sel);
    if (!e) return false;
    const d = e.dataset;
    const r = e.getBoundingClientRect();
    const state = `${d.option}/${d.rendered}/${d.brush}/${r.x},${r.y},${r.width},${r.height}`;
    const ok = d.brush === brush && d.option !== undefined && d.rendered === d.option;
    if (!ok || window.__chartState?.[sel]?.state !== state) {
      window.__chartState = { ...window.__chartState, [sel]: { state, since: Date.now() } };
      return false;
    }
    return Date.now() - window.__chartState[sel].since >= 500;
  }, { sel, brush }, { polling: 100 });
};
const patternRow = (text) => page.getByTestId('pattern-row').filter({ has: page.getByTestId('pattern-text').getByText(text, { exact: true }) });

try {
  await step('1. the error spike in the histogram', async () => {
    const hist = apiResponse('/api/chart', (b) => b.includes('"alias":"errors"') && b.includes('"source":"logs"'));
    await page.goto(`${base}/search?source=logs&range=${range}`);
    const h = await (await hist).json();
    const errs = h.series.find((s) => s.select === 1).points;
    const all = h.series.find((s) => s.select === 0).points;
    const sum = (ps) => ps.reduce((a, [, v]) => a + (v ?? 0), 0);
    expect(sum(all) === want.logs && sum(errs) === want.errorLogs,
      `histogram: ${sum(all)} logs, ${sum(errs)} errors; want ${want.logs}, ${want.errorLogs}`);
    // The spike: the bucket with the most errors is in the cache-full period.
    const step = h.meta.stepMillis;
    const [peak] = errs.reduce((a, p) => ((p[1] ?? 0) > (a[1] ?? 0) ? p : a));
    expect(peak >= want.fullStartMs - step && peak < want.restartMs,
      `error peak at ${new Date(peak).toISOString()}, want in the cache-full period ${new Date(want.fullStartMs).toISOString()}–${new Date(want.restartMs).toISOString()}`);
    await resultCount(want.logs);
    await page.getByTestId('histogram').locator('canvas').first().waitFor();
    await page.getByTestId('facet-value').first().waitFor();
    await shot('walk-1-histogram');
  });

  await step('2. Event Patterns: "Failed to place order" among the logs', async () => {
    await page.getByTestId('analysis-mode').getByText('Event Patterns', { exact: true }).click();
    await page.getByTestId('patterns-summary').waitFor();
    const summary = await page.getByTestId('patterns-summary').textContent();
    expect(summary.endsWith(`patterns in ${want.logs.toLocaleString('en-US')} logs`), `patterns summary "${summary}"`);
    const text = `Failed to place order: rpc error: code = Internal desc = failed to charge card: could not charge the card: rpc error: code = Unknown desc = ${want.cacheFull}`;
    const row = patternRow(text);
    await row.waitFor();
    const cells = row.locator('td');
    const count = (await cells.nth(0).textContent()).trim();
    expect(count === `${want.orderFailedLogs}${want.orderFailedLogs} errors`, `pattern count cell "${count}", want ${want.orderFailedLogs} and ${want.orderFailedLogs} errors`);
    expect((await cells.nth(3).textContent()).trim() === 'frontend', 'the pattern\'s service is frontend');
    await row.getByTestId('sparkline').waitFor();
    await row.scrollIntoViewIfNeeded();
    await shot('walk-2-patterns');
  });

  await step('3. "Failed to place order": its events and one of them', async () => {
    await patternRow(`Failed to place order: rpc error: code = Internal desc = failed to charge card: could not charge the card: rpc error: code = Unknown desc = ${want.cacheFull}`).click();
    await resultCount(want.orderFailedLogs);
    const rows = page.getByTestId('result-row');
    await rows.first().waitFor();
    const n = await rows.count();
    for (let i = 0; i < n; i++) expect((await rows.nth(i).textContent()).includes('Failed to place order'), `row ${i} is not a failed order`);
    await rows.first().click();
    await page.getByTestId('attr-row').filter({ hasText: /^Body/ }).getByText(want.orderFailedBody, { exact: true }).waitFor();
    await page.getByTestId('attr-row').filter({ hasText: /^ServiceName/ }).getByText('frontend', { exact: true }).waitFor();
    await shot('walk-3-failed-order');
  });

  await step('4. its trace: the payment error propagates up to the browser', async () => {
    await page.getByRole('tab', { name: 'Trace' }).click();
    const errRows = page.locator('[data-testid=span-row][data-error]');
    await errRows.nth(7).waitFor();
    const services = await errRows.evaluateAll((rs) => rs.map((r) => r.querySelector('b')?.textContent));
    expect(services.join('>') === 'frontend-web>frontend-proxy>frontend-proxy>frontend>frontend>checkout>checkout>payment',
      `error spans, root first: ${services.join('>')}`);
    // Red means error in the waterfall: no other span's service is red.
    const reds = ['rgb(214, 39, 40)', 'rgb(255, 152, 150)'];
    const redOk = await page.locator('[data-testid=span-row]:not([data-error])').evaluateAll((rs, reds) => rs
      .map((r) => [r.querySelector('b')?.textContent, getComputedStyle(r.querySelector('b').previousElementSibling).backgroundColor])
      .filter(([, c]) => reds.includes(c)).map(([s]) => s), reds);
    expect(redOk.length === 0, `spans without error drawn in red: ${[...new Set(redOk)].join(', ')}`);
    await errRows.filter({ hasText: 'PaymentService/Charge' }).filter({ has: page.locator('b', { hasText: /^payment$/ }) }).click();
    await page.getByTestId('span-detail').getByText(want.cacheFull).first().waitFor();
    await shot('walk-4-trace');
  });

  await step('5. traces of ServiceName:payment, Event Patterns: the cache issue', async () => {
    await page.goto(`${base}/search?source=traces&range=${range}&q=${encodeURIComponent('ServiceName:payment')}&mode=patterns`);
    const ok = patternRow('oteldemo.PaymentService/Charge');
    const full = patternRow(`oteldemo.PaymentService/Charge ${want.cacheFull}`);
    await full.waitFor();
    expect((await ok.locator('td').nth(0).textContent()).trim() === String(want.paymentSpans - want.failedCharges), 'successful charges count');
    expect((await full.locator('td').nth(0).textContent()).trim() === `${want.failedCharges}${want.failedCharges} errors`, 'failed charges count');
    const summary = await page.getByTestId('patterns-summary').textContent();
    expect(summary === `2 patterns in ${want.paymentSpans} spans`, `patterns summary "${summary}"`);
    await shot('walk-5-payment-patterns');
  });

  await step('6. a failed charge\'s Infrastructure: the payment pod\'s memory climbs, then the restart', async () => {
    await patternRow(`oteldemo.PaymentService/Charge ${want.cacheFull}`).click();
    await resultCount(want.failedCharges);
    await page.getByTestId('result-row').first().click();
    const infra = apiResponse('/api/infrastructure');
    await page.getByRole('tab', { name: 'Infrastructure' }).click();
    const d = await (await infra).json();
    const mem = d.panels.find((p) => p.metric === 'k8s.pod.memory.usage');
    expect(mem && mem.series.length === 1, `pod memory panel: ${JSON.stringify(d.panels.map((p) => p.metric))}`);
    const pts = mem.series[0].points;
    const top = Math.max(...pts.map((p) => p[1]));
    const last = pts[pts.length - 1];
    const mib = 1 << 20;
    expect(top >= 370 * 0.99 * mib && top <= 370 * 1.01 * mib, `pod memory peaks at ${(top / mib).toFixed(1)} MiB, want 370 MiB ± 1 %`);
    expect(last[0] * 1000 === want.restartMs && last[1] === 0, `pod memory's last point ${JSON.stringify(last)}, want 0 at the restart ${want.restartMs / 1000}`);
    expect(await page.getByTestId('infra-panel').count() === 6, 'six panels: pod, node and host CPU and memory');
    const matches = await page.getByTestId('infra-match').allTextContents();
    expect(matches.length === 3 && matches[0].startsWith('pod: ') && matches[1].startsWith('node: ') && matches[2].startsWith('host: '), `matches ${matches}`);
    await page.getByTestId('infra-panel').filter({ hasText: 'Pod memory' }).locator('canvas').first().waitFor();
    await shot('walk-6-infrastructure');
  });

  await step('7. Event Deltas over 200 ms: card_type visa on top', async () => {
    const heatP = apiResponse('/api/chart', (b) => b.includes('"heatmap"'));
    const zeroP = apiResponse('/api/chart', (b) => b.includes('Duration:0'));
    await page.goto(`${base}/search?source=traces&range=${range}&q=${encodeURIComponent('ServiceName:payment')}&mode=deltas`);
    const [heat, zero] = await Promise.all([heatP, zeroP].map((p) => p.then((r) => r.json())));
    await page.getByTestId('deltas-heatmap').locator('canvas').first().waitFor();
    await page.waitForTimeout(500);
    // A box dragged with the mouse from the middle of the first row at or
    // over 200 ms to the top, over the whole range: the selection is that
    // row's lower bound and up, and only visa charges are that slow. The
    // rows (the heatmap's bins, a 0 ns row below when there are such spans)
    // share the plot's height (grid top 10 px, bottom 50 px, left 70, right 16).
    const bins = heat.series.filter((x) => x.bin).map((x) => x.bin).sort((a, b) => a[0] - b[0]);
    const zeroRow = zero.series[0]?.points.some((p) => (p[1] ?? 0) > 0) ? 1 : 0;
    const target = bins.findIndex((b) => b[0] >= 200e6);
    expect(target > 0, `heatmap bins ${JSON.stringify(bins)}: none from 200 ms`);
    const minMs = Math.round(bins[target][0] / 1e6);
    // The page settles first (the histogram and facets load above and
    // beside it), then the heatmap has drawn its last option with the
    // brush cursor taken and stays put (chartReady): a drag before that
    // draws no box under load.
    await page.getByTestId('facet-value').first().waitFor();
    const want7 = (sel) => sel.durationMinMs === minMs && sel.durationMaxMs === null && sel.start === null && sel.end === null;
    const dragged = page.waitForResponse(async (r) => r.url().includes('/api/deltas') && r.status() === 200
      && want7(JSON.parse(r.request().postData() ?? '{}').selection ?? {}), { timeout: 60000 });
    const sent = [];
    const log = (r) => r.url().includes('/api/deltas') && sent.push(JSON.parse(r.postData()).selection);
    page.on('request', log);
    // The drag; once more if no /api/deltas request followed within 5 s
    // (the same box: the assertions below are on the request and answer).
    for (let attempt = 1; ; attempt++) {
      await chartReady('deltas-heatmap', 'rect');
      const hb = await page.getByTestId('deltas-heatmap').boundingBox();
      const [plotTop, plotBottom] = [hb.y + 10, hb.y + hb.height - 50];
      const rowH = (plotBottom - plotTop) / (bins.length + zeroRow);
      const [x0, y0, x1, y1] = [hb.x + 72, plotBottom - (target + zeroRow + 0.5) * rowH, hb.x + hb.width - 18, plotTop + 2];
      await page.mouse.move(x0, y0);
      await page.mouse.down();
      for (let i = 1; i <= 10; i++) await page.mouse.move(x0 + ((x1 - x0) * i) / 10, y0 + ((y1 - y0) * i) / 10);
      await page.mouse.up();
      const t0 = Date.now();
      while (sent.length === 0 && Date.now() - t0 < 5000) await page.waitForTimeout(100);
      if (sent.length > 0 || attempt === 2) break;
      console.log('     step 7: no /api/deltas request after the drag; dragging again');
    }
    const d = await (await dragged.catch(() => { throw new Error(`no /api/deltas request with durationMinMs ${minMs} and no other bound: ${JSON.stringify(sent)}`); })).json();
    page.off('request', log);
    const card = d.attributes[0];
    expect(card.field === 'SpanAttributes.app.payment.card_type' && card.values[0].value === 'visa' && card.values[0].selection === 1,
      `the dragged box's top attribute: ${JSON.stringify(card)}`);
    // Then exactly 200 ms, typed.
    await page.getByLabel('selection min ms', { exact: true }).fill('200');
    const top = page.getByTestId('delta-attribute').first();
    await top.getByTestId('delta-field').getByText('SpanAttributes.app.payment.card_type', { exact: true }).waitFor();
    await page.getByText(`selection: ${want.slowCharges} spans`, { exact: true }).waitFor();
    const text = (await top.getByTestId('delta-value').first().textContent()).trim();
    expect(text === `visa100.0% / ${pct(want.visaBackground)}`, `top value "${text}", want visa 100.0% / ${pct(want.visaBackground)}`);
    await page.getByText(`background: ${want.background} spans`, { exact: true }).waitFor();
    await shot('walk-7-deltas');
    await page.getByTestId('filter-by-selection').click();
    await resultCount(want.slowCharges);
    const q = await page.getByTestId('query-bar').textContent();
    expect(q.includes('Duration:>=200ms'), `query after Filter by selection: "${q}"`);
  });

  await step('8. Chart Explorer: max Duration where ServiceName: payment by card type', async () => {
    await page.goto(`${base}/chart?range=${range}`);
    await page.getByLabel('aggregation', { exact: true }).click();
    await page.getByRole('option', { name: 'max', exact: true }).click();
    await page.getByLabel('value expression', { exact: true }).fill('Duration');
    await page.getByLabel('where', { exact: true }).fill('ServiceName: payment');
    await page.getByLabel('group by', { exact: true }).fill('card');
    await page.getByRole('option', { name: "SpanAttributes['app.payment.card_type']" }).click();
    const resp = apiResponse('/api/chart', (b) => b.includes('card_type'));
    await page.getByTestId('chart-run').click();
    const c = await (await resp).json();
    const names = c.series.map((s) => s.name).sort().join(',');
    expect(names === 'amex,mastercard,visa', `series ${names}`);
    const maxOf = (name, pred = () => true) => Math.max(...c.series.find((s) => s.name === name).points.filter((p) => p[1] != null && pred(p[0])).map((p) => p[1]));
    const ms = 1e6;
    expect(maxOf('visa') > 1000 * ms, `visa's slowest charge ${maxOf('visa') / ms} ms, want over 1 s (the cache nearly full)`);
    expect(maxOf('mastercard') < 100 * ms && maxOf('amex') < 100 * ms, `mastercard ${maxOf('mastercard') / ms} ms, amex ${maxOf('amex') / ms} ms, want under 100 ms`);
    // While the cache is full visa charges fail at once.
    const step = c.meta.stepMillis;
    const full = maxOf('visa', (t) => t >= want.fullStartMs + step && t + step <= want.restartMs);
    expect(full < 5 * ms, `visa while the cache is full: ${full / ms} ms, want under 5 ms (failing fast)`);
    await page.getByTestId('chart').locator('canvas').first().waitFor();
    await page.getByTestId('sample-events-count').waitFor();
    await shot('walk-8-chart-duration-by-card');
  });

  await step('9. the cache-size metric: visa_validation_cache.size reaches 100,000, then 0', async () => {
    const chart = { source: 'metrics', displayType: 'line', select: [{ aggFn: 'max', valueExpression: 'Value', metricName: want.cacheMetric, metricType: 'gauge' }],
      where: 'ServiceName: payment', whereLanguage: 'lucene', groupBy: [], granularity: 'auto' };
    const resp = apiResponse('/api/chart', (b) => b.includes(want.cacheMetric));
    await page.goto(`${base}/chart?range=${range}&chart=${encodeURIComponent(JSON.stringify(chart))}`);
    const c = await (await resp).json();
    expect(c.series.length === 1, `${c.series.length} series`);
    const pts = c.series[0].points.filter((p) => p[1] != null);
    const top = Math.max(...pts.map((p) => p[1]));
    expect(top === want.maxCacheSize && top === 100000, `cache max ${top}, want ${want.maxCacheSize}`);
    const step = c.meta.stepMillis;
    const after = pts.find((p) => p[0] >= want.restartMs + step);
    expect(after && after[1] < 100000 / 10, `after the restart the cache holds ${JSON.stringify(after)}, want near 0`);
    const sample = await page.getByTestId('sample-events-count').textContent();
    expect(sample.includes(`of ${want.paymentSpans} spans matching the chart's where`), `Sample Matched Events: "${sample}"`);
    await page.getByTestId('chart').locator('canvas').first().waitFor();
    await shot('walk-9-cache-size');
  });

  await step('10. TraceQL: the same slow payment spans, and a syntax error pointed at', async () => {
    await page.goto(`${base}/search?source=traces&range=${range}`);
    await page.getByTestId('query-bar').waitFor();
    await page.getByLabel('query language').getByText('TraceQL', { exact: true }).click();
    await page.waitForURL(/lang=traceql/);
    await page.getByTestId('traceql-note').waitFor();
    const query = '{ resource.service.name = "payment" && duration >= 200ms }';
    const answer = apiResponse('/api/search', (b) => JSON.parse(b).whereLanguage === 'traceql' && JSON.parse(b).query === query);
    await page.getByTestId('query-input').click();
    await page.keyboard.type(query);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Enter');
    const rows = (await (await answer).json()).rows;
    // Step 7's selection (ServiceName:payment, 200 ms and over), by TraceQL;
    // the page shows at most 500 spans.
    const n = Math.min(want.slowCharges, 500);
    expect(rows.length === n && rows.every((r) => r.ServiceName === 'payment' && r.Duration >= 200e6),
      `TraceQL answered ${rows.length} spans (want ${n}, payment, ≥ 200 ms)`);
    await resultCount(n);
    expect(await page.getByTestId('histogram').count() === 0, 'no histogram with TraceQL');
    await shot('walk-10-traceql');
    const bad = '{ duration >= }';
    await page.getByTestId('query-input').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type(bad);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Enter');
    await page.getByTestId('error-note').filter({ hasText: 'invalid TraceQL query' }).waitFor();
    const caret = await page.getByTestId('error-position').textContent();
    expect(caret.startsWith(`${bad}\n`) && caret.endsWith('^'), `error position "${caret}"`);
  });

  await step('no uncaught page errors', async () => h.expectNoPageErrors());
} finally {
  await h.close();
}
h.exit();

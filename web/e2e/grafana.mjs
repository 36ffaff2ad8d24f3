// Browser walk of the Grafana import (issue 13 §4) and the prepared
// "overlook" dashboard (§5) against a running overlook with self-telemetry
// on: OVERLOOK_URL=http://127.0.0.1:PORT, GRAFANA_SEED=<seed 002's DAG
// Manager dashboard JSON>. Drives Debian's chromium (CHROMIUM) headless
// with playwright-core; screenshots go to SCREENSHOTS when set.
import { readFileSync } from 'node:fs';
import { env, expect, openBrowser } from './harness.mjs';

const [base] = env('OVERLOOK_URL');
const seed = readFileSync(process.env.GRAFANA_SEED ?? '../internal/meta/grafana/testdata/qmtl_dagmanager.json', 'utf8');

// A Grafana dashboard over overlook's own metrics (self-telemetry stores them).
const OVER_SELF = JSON.stringify({
  title: 'overlook from Grafana', schemaVersion: 39,
  templating: { list: [{ name: 'job', type: 'query', query: 'label_values(overlook_http_requests_total, job)', current: { text: 'overlook', value: 'overlook' } }] },
  panels: [{ id: 1, type: 'timeseries', title: 'API requests', gridPos: { x: 0, y: 0, w: 12, h: 8 },
    targets: [{ refId: 'A', expr: 'sum by (endpoint) (increase(overlook_http_requests_total{job=~"$job"}[$__rate_interval]))', legendFormat: '{{endpoint}}' }] }],
});

const h = await openBrowser({ name: 'grafana', viewport: { width: 1440, height: 900 }, colorScheme: 'light', timeout: 20000 });
const { page, step } = h;
const shot = (name) => h.shot(name);
/** promAnswer waits for a query_range answer with at least one series. */
const promAnswer = () => page.waitForResponse(async (r) => {
  if (!r.url().includes('/prometheus/api/v1/query_range') || r.status() !== 200) return false;
  try { return (await r.json()).data.result.length > 0; } catch { return false; }
});

try {
  await step('import seed 002 Grafana dashboard: the unmapped list', async () => {
    await page.goto(`${base}/dashboards`);
    await page.getByTestId('import-grafana').click();
    await page.getByTestId('grafana-json').fill(seed);
    await page.getByTestId('finish-grafana-import').click();
    const table = page.getByTestId('grafana-unmapped');
    await table.waitFor();
    const rows = await table.locator('tbody tr').count();
    expect(rows === 11, `${rows} unmapped rows, want 11`);
    const text = await table.innerText();
    for (const s of ['DAG Manager logs (#10)', 'panel type "logs" is not supported', 'transformations are not applied', '$filters']) {
      expect(text.includes(s), `unmapped list lacks "${s}"`);
    }
    await shot('grafana-import-unmapped');
  });

  await step('open the imported dashboard: tiles and variables', async () => {
    await page.getByTestId('open-imported').click();
    await page.getByTestId('dashboard-title').filter({ hasText: 'QMTL DAG Manager' }).waitFor();
    await page.getByTestId('variable-bar').waitFor();
    for (const v of ['job', 'topic', 'node', 'window', 'quantile']) await page.getByTestId(`variable-${v}`).waitFor();
    const tiles = await page.getByTestId('tile').count();
    expect(tiles === 11, `${tiles} tiles, want 11`);
    await shot('grafana-imported');
  });

  await step('a Grafana dashboard over overlook itself: its PromQL tile draws series', async () => {
    await page.goto(`${base}/dashboards`);
    await page.getByTestId('import-grafana').click();
    await page.getByTestId('grafana-json').fill(OVER_SELF);
    const seen = [];
    const record = async (r) => {
      if (!r.url().includes('/prometheus/api/v1/query_range')) return;
      let n = -1;
      try { n = (await r.json()).data.result.filter((x) => x.metric.endpoint).length; } catch { /* not JSON */ }
      seen.push({ url: decodeURIComponent(r.url()), status: r.status(), series: n });
    };
    page.on('response', record);
    await page.getByTestId('finish-grafana-import').click(); // nothing unmapped: straight to the dashboard
    await page.getByTestId('dashboard-title').filter({ hasText: 'overlook from Grafana' }).waitFor();
    const t0 = Date.now();
    while (!seen.some((x) => x.series > 0) && Date.now() - t0 < 20000) {
      await page.waitForTimeout(500);
      // A first answer before the self-scrape had two samples may be empty: refetch as a user would.
      if (Date.now() - t0 > 5000 && seen.length > 0 && !seen.some((x) => x.series > 0)) await page.reload();
    }
    page.off('response', record);
    expect(seen.some((x) => x.series > 0), `no per-endpoint series; answers: ${JSON.stringify(seen)}`);
    await page.locator('[data-testid="tile"] [data-testid="chart"]').first().waitFor();
    const url = new URL(page.url());
    expect(url.searchParams.get('var-job') === null || url.searchParams.get('var-job') === 'overlook', `var-job=${url.searchParams.get('var-job')}`);
  });

  await step('prepared overlook dashboard: every tile answers', async () => {
    await page.goto(`${base}/dashboards`);
    const answered = promAnswer();
    await page.getByRole('link', { name: 'overlook', exact: true }).click();
    await page.getByTestId('dashboard-title').filter({ hasText: /^overlook$/ }).waitFor();
    await answered;
    await page.waitForLoadState('networkidle');
    const failedTiles = await page.getByText('PromQL failed').count();
    expect(failedTiles === 0, `${failedTiles} tiles failed`);
    await shot('dashboard-overlook');
  });

  await step('no uncaught page errors', async () => h.expectNoPageErrors());
} finally {
  await h.close();
}
h.exit();

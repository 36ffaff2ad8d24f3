// Browser test of alerts on searches (issue 13 §2): create an alert from
// the Search page, see it fire on the Alerts page with its history and
// delivered notice, silence and unsilence it. Run by e2e/ui_alerts_test.go
// against a running overlook (OVERLOOK_URL) that already holds error logs
// of service ui-alerts; HOOK_URL is the test's webhook receiver.
import { env, expect, openBrowser } from './harness.mjs';

const [base, hook] = env('OVERLOOK_URL', 'HOOK_URL');
const QUERY = 'SeverityText:ERROR ServiceName:ui-alerts';
const NAME = 'browser errors';

const h = await openBrowser({ name: 'alerts', viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
const { page, step } = h;
const row = () => page.locator('[data-testid=alert-row]', { hasText: NAME });
const rowState = async () => (await row().locator('[data-testid=alert-state]').textContent())?.trim();

try {
  await step('create an alert from Search, prefilled with the query', async () => {
    await page.goto(`${base}/search?source=logs&range=15m&q=${encodeURIComponent(QUERY)}`);
    await page.getByTestId('result-count').filter({ hasText: 'results' }).waitFor();
    await page.getByTestId('create-alert').click();
    const target = await page.getByTestId('alert-target').textContent();
    expect(target.includes(QUERY) && target.includes('logs'), `modal target: ${target}`);
    await page.getByTestId('alert-name').fill(NAME);
    await page.getByTestId('alert-url').fill(hook);
    await page.getByTestId('alert-send-test').click();
    const test = await page.getByTestId('alert-test-result').textContent();
    expect(test.startsWith('Test notification delivered'), `test notification: ${test}`);
    await page.getByTestId('alert-create').click();
    await page.getByTestId('alert-created').waitFor();
    await h.shot('alert-create');
  });

  await step('the Alerts page shows it firing, with history and the delivered notice', async () => {
    await page.getByRole('link', { name: 'Open Alerts' }).click();
    await page.waitForURL(/\/alerts$/);
    await row().waitFor();
    const deadline = Date.now() + 30000;
    let state = await rowState();
    while (state !== 'alert' && Date.now() < deadline) {
      await page.waitForTimeout(500);
      state = await rowState();
    }
    expect(state === 'alert', `state ${state}, want alert`);
    await row().getByTestId('alert-name').click();
    const hist = page.getByTestId('alert-history').filter({ hasText: 'firing' });
    await hist.first().waitFor();
    await page.getByTestId('alert-notification').filter({ hasText: 'firing · delivered' }).first().waitFor();
    await h.shot('alerts');
  });

  await step('silence and unsilence', async () => {
    await row().getByTestId('alert-silence').click();
    await page.getByTestId('silence-1h').click();
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=alert-row]')]
      .some((r) => r.textContent.includes('browser errors') && r.querySelector('[data-testid=alert-state]')?.textContent === 'silenced'));
    await row().getByTestId('alert-unsilence').click();
    await row().getByTestId('alert-silence').waitFor();
    await page.getByTestId('alert-history').filter({ hasText: 'unsilenced' }).first().waitFor();
  });

  await step('a Prometheus rule from the rule files is listed, firing', async () => {
    // e2e/ui_alerts_test.go loads a rule file with the always-true alert
    // "AlwaysOn" (vector(1) > 0): the page reads /prometheus/api/v1/rules.
    const prom = page.getByTestId('prom-rule-row').filter({ hasText: 'AlwaysOn' });
    const deadline = Date.now() + 30000;
    let text = '';
    while (Date.now() < deadline) {
      if (await prom.count()) {
        text = await prom.first().textContent();
        if (text.includes('1 firing')) break;
      }
      await page.reload();
      await page.waitForTimeout(1000);
    }
    const table = await page.getByTestId('alerts-table').textContent().catch((e) => `no table: ${e.message}`);
    expect(text.includes('1 firing') && text.includes('vector(1) > 0') && text.includes('selftest'),
      `Prometheus rule row: "${text}"; the table: ${table}`);
  });

  await step('a refused rule-channel notice is shown on the Alerts page', async () => {
    // ui_alerts_test.go's channel "chat" answers 404 to every notice.
    const failed = page.getByTestId('rule-channel-row').filter({ hasText: 'chat' });
    const deadline = Date.now() + 30000;
    let text = '';
    while (Date.now() < deadline) {
      if (await failed.count()) {
        text = await failed.first().textContent();
        if (text.includes('failed') && text.includes('404')) break;
      }
      await page.reload();
      await page.waitForTimeout(1000);
    }
    expect(text.includes('failed') && text.includes('404'), `rule channel row: "${text}"`);
  });

  await step('send a test notification to the rule channel: the refusal is shown', async () => {
    const row = page.getByTestId('rule-channel-row').filter({ hasText: 'chat' }).first();
    const answer = page.waitForResponse((r) => r.url().includes('/api/alerts/rule-channels/chat/test'));
    await row.getByTestId('rule-channel-test').click();
    expect((await answer).status() === 502, 'test notice to a refusing receiver answers 502');
    const result = await row.getByTestId('rule-channel-test-result').textContent();
    expect(result.startsWith('Test notification failed') && result.includes('404'), `result: ${result}`);
  });

  await step("a rule alert's generatorURL (/graph?g0.expr=…) opens the Metrics Explorer on the expression", async () => {
    await page.goto(`${base}/graph?g0.expr=${encodeURIComponent('vector(1) > 0')}&g0.tab=1`);
    await page.waitForURL(/\/explore\/metrics\?/);
    const u = new URL(page.url());
    expect(u.searchParams.get('tab') === 'promql' && u.searchParams.get('promql') === 'vector(1) > 0', `landed on ${page.url()}`);
  });

  await step('no uncaught page errors', async () => h.expectNoPageErrors());
} finally {
  await h.close();
}
h.exit();

// Browser walk of issue 16 (client sessions): a shop page instrumented with
// HyperDX's browser SDK (SHOP_URL, served by e2e/sessions_test.go) is used
// in headless chromium — type an email, pay, the checkout answers 500 —
// then overlook's UI (OVERLOOK_URL) must list the session under that email,
// replay the recorded page in its player, seek the replay with ▶ on the
// failed request, and open the request's trace. Prints "recorded N ms" (the
// recording's length, for the bytes-per-minute figure) and the replay's
// time to first frame.
import { join } from 'node:path';
import { env, expect, openBrowser } from './harness.mjs';

const [base, shop] = env('OVERLOOK_URL', 'SHOP_URL');
const EMAIL = 'Braulio.Roberts23@hotmail.com';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function api(path, body) {
  const r = await fetch(base + path, body ? { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) } : {});
  const j = await r.json();
  if (!r.ok) throw new Error(`${path}: ${r.status} ${j.error}`);
  return j;
}

// Failure screenshots go to SCREENSHOTS only (none without it).
const h = await openBrowser({
  name: 'sessions', viewport: { width: 1280, height: 800 }, timeout: 20000, profilePrefix: 'overlook-sessions-',
  failShot: (n) => (h.shots ? join(h.shots, `sessions-fail-${n}.png`) : ''),
});
const { step } = h;
let page;
try {
  // The customer's visit, in its own page.
  const { page: customer, errors: sdkErrors } = await h.newPage();
  page = h.page = customer;
  let sessionId = '';
  let recordStart = 0;
  await step('customer: the instrumented page loads and the SDK starts', async () => {
    await customer.goto(shop);
    await customer.waitForFunction(() => window.hdxReady === true);
    recordStart = Date.now();
    sessionId = await customer.evaluate(() => (window.HyperDX.default || window.HyperDX).getSessionId());
    expect(sessionId, 'the SDK has no session ID');
    console.log(`     session ${sessionId}`);
  });
  await step('customer: types the email and pays; the checkout fails with 500', async () => {
    await sleep(1500);
    await customer.locator('#email').fill(EMAIL);
    await customer.locator('#email').press('Tab'); // change → setGlobalAttributes
    await sleep(500);
    await customer.locator('#pay').click();
    await customer.getByText('Payment failed (500)').waitFor();
    // DWELL_MS keeps the page open (its clock ticking) for the
    // bytes-per-minute measurement; 0 in CI.
    await sleep(Number(process.env.DWELL_MS ?? 0));
  });

  // Wait until overlook has the spans (with the email) and the recording.
  let session;
  await step('overlook: the session arrives with its email, the failed request and a recording', async () => {
    const deadline = Date.now() + 45000;
    const start = new Date(Date.now() - 3600e3).toISOString();
    for (;;) {
      const end = new Date(Date.now() + 60e3).toISOString();
      const { sessions } = await api('/api/sessions', { query: 'SpanAttributes.userEmail:Braulio', start, end });
      session = sessions.find((s) => s.sessionId === sessionId);
      if (session && session.errorCount > 0 && session.requestCount > 0) {
        const ev = await api(`/api/sessions/${encodeURIComponent(sessionId)}/events?start=${start}&end=${end}`);
        if (ev.events.some((e) => e.type === 2) && ev.events.some((e) => e.type === 3)) {
          // Privacy: the typed email is nowhere in the recording.
          expect(!JSON.stringify(ev.events).includes('Braulio.Roberts23'), 'the recording holds the typed email in clear');
          break;
        }
      }
      expect(Date.now() < deadline, `session not complete after 45 s: ${JSON.stringify(session)}`);
      await sleep(1000);
    }
    expect(session.userEmail === EMAIL, `userEmail ${session.userEmail}`);
    expect(session.browser.startsWith('Chrome'), `browser ${session.browser}`);
    expect(sdkErrors.length === 0, `page errors: ${sdkErrors.join(' | ')}`);
  });
  console.log(`     recorded ${Date.now() - recordStart} ms`);
  await customer.close();

  // The engineer, in overlook.
  const ui = await h.newPage();
  page = h.page = ui.page;
  const uiErrors = ui.errors;
  await step('Client Sessions: search by email lists the session', async () => {
    await page.goto(`${base}/sessions?range=1h`);
    await page.getByTestId('sessions-query').fill('SpanAttributes.userEmail:Braulio');
    await page.getByTestId('sessions-search').click();
    const row = page.locator(`[data-testid=session-row][data-session-id="${sessionId}"]`);
    await row.waitFor();
    const text = await row.innerText();
    expect(text.includes(EMAIL), `row: ${text}`);
    await h.shot('sessions-list');
  });
  let firstFrame = 0;
  await step('session view: the replay renders the recorded page', async () => {
    const t0 = Date.now();
    await page.locator(`[data-testid=session-row][data-session-id="${sessionId}"]`).click();
    const frame = page.frameLocator('[data-testid=player-frame] iframe');
    await frame.locator('#title').filter({ hasText: 'Acme checkout' }).waitFor();
    firstFrame = Date.now() - t0;
    const shown = await frame.locator('#pay').innerText();
    expect(shown.includes('Pay now'), `button in the replay: ${shown}`);
    const attr = await page.getByTestId('session-player').getAttribute('data-first-frame-ms');
    console.log(`     time to first frame: ${firstFrame} ms from the click (player: ${attr} ms from mount)`);
  });
  await step('timeline: Highlighted shows the failed request; All Events shows more', async () => {
    const failedReq = page.locator('[data-testid=timeline-entry][data-kind=request][data-status="500"]');
    await failedReq.first().waitFor();
    const highlighted = await page.getByTestId('timeline-entry').count();
    await page.getByTestId('timeline-view').getByText('All Events').click();
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=timeline-entry]').length > n, highlighted);
    await page.getByTestId('timeline-view').getByText('Highlighted').click();
  });
  await step('▶ on the failed request seeks the replay to it; the typed email shows masked', async () => {
    const failedReq = page.locator('[data-testid=timeline-entry][data-kind=request][data-status="500"]').first();
    const ts = Number(await failedReq.getAttribute('data-ts'));
    const progress = page.getByTestId('player-progress');
    const startMs = Number(await progress.getAttribute('data-start-ms'));
    expect(startMs > 0, 'the player has no start time');
    await failedReq.getByTestId('timeline-play').click();
    const want = ts - startMs;
    await page.waitForFunction(([w]) => {
      const cur = Number(document.querySelector('[data-testid=player-progress]')?.getAttribute('data-current-ms'));
      return cur >= w - 1000 && cur <= w + 3000;
    }, [want]);
    expect(await page.getByTestId('error-marker').count() > 0, 'no error marker on the progress bar');
    await page.getByTestId('player-toggle').click(); // pause
    // By then the customer had typed the email: the SDK masked the input
    // (maskAllInputs), and the replay shows only what it sent.
    const typed = await page.frameLocator('[data-testid=player-frame] iframe').locator('#email').inputValue();
    expect(typed !== EMAIL && /^\*+$/.test(typed), `the email input in the replay shows ${JSON.stringify(typed)}, want it masked`);
    await h.shot('session-replay');
  });
  await step('the failed request opens its trace, with the backend error', async () => {
    await page.locator('[data-testid=timeline-entry][data-kind=request][data-status="500"]').first().click();
    await page.waitForURL(/\/trace\/[0-9a-f]{32}/);
    await page.getByText('checkout', { exact: true }).first().waitFor();
    // The backend's span (a child of the browser's fetch) says why.
    await page.getByText('POST /api/checkout').first().click();
    await page.getByTestId('span-detail').getByText(/Visa cache full: cannot add new item/).first().waitFor();
    await h.shot('session-trace');
  });
  await step('from the trace, the browser span opens its session again', async () => {
    // The browser's fetch span carries rum.sessionId.
    await page.getByText('HTTP POST').first().click();
    await page.getByTestId('span-open-session').click();
    await page.waitForURL(/\/sessions\/[^?]+\?.*ts=/);
    await page.frameLocator('[data-testid=player-frame] iframe').locator('#title').waitFor();
  });
  await step('no uncaught errors in overlook', async () => {
    h.expectNoPageErrors(uiErrors);
  });
} finally {
  await h.close();
}
h.exit();

// Browser test of the tenant picker (issue 14) against a running overlook
// (OVERLOOK_URL): GET /api/tenants is answered by the test (page.route) as
// a multitenant server would, so the UI's side is checked whatever the
// server's tenancy: the picker shows the server's current tenant, every
// API and Prometheus request carries it as X-Scope-OrgID, switching sends
// the new one and is remembered across a reload; with the endpoint
// missing (the real server's 404) there is no picker and no header.
import { env, expect, openBrowser } from './harness.mjs';

const [base] = env('OVERLOOK_URL');
const TENANTS = { enabled: true, header: 'X-Scope-OrgID', tenants: ['default', 'team-a'], current: 'default' };

const h = await openBrowser({ name: 'tenant', viewport: { width: 1280, height: 800 } });
const { page, step } = h;

/** sent records every API, Prometheus and Tempo request with its tenant header. */
let sent = [];
page.on('request', (r) => {
  const u = new URL(r.url());
  if (/^\/(api|prometheus|tempo)\//.test(u.pathname)) sent.push({ path: u.pathname, tenant: r.headers()['x-scope-orgid'] });
});
/** nextRequest waits for a request to a path starting with prefix that carries tenant. */
const nextRequest = (prefix, tenant) => page.waitForRequest((r) => new URL(r.url()).pathname.startsWith(prefix) && r.headers()['x-scope-orgid'] === tenant);
const tenantCalls = () => sent.filter((s) => s.path === '/api/tenants');
const dataCalls = () => sent.filter((s) => s.path !== '/api/tenants' && s.path !== '/api/auth/status');

try {
  await step('multitenant server: the picker shows the current tenant; every request carries it', async () => {
    await page.route('**/api/tenants', (route) => route.fulfill({ json: TENANTS }));
    const searched = nextRequest('/api/search', 'default');
    await page.goto(`${base}/search?source=logs&range=15m`);
    await searched;
    const picker = page.getByLabel('Tenant');
    expect(await picker.inputValue() === 'default', `picker shows ${await picker.inputValue()}`);
    expect(tenantCalls().length === 1 && tenantCalls()[0].tenant === undefined, `/api/tenants calls ${JSON.stringify(tenantCalls())}`);
    const data = dataCalls();
    expect(data.length > 0 && data.every((s) => s.tenant === 'default'), `requests ${JSON.stringify(data)}`);
    await h.shot('tenant-picker');
  });

  await step('switching tenant: the page is fetched again with the new header, and remembered', async () => {
    sent = [];
    const searched = nextRequest('/api/search', 'team-a');
    await page.getByLabel('Tenant').selectOption('team-a');
    await searched;
    expect(dataCalls().every((s) => s.tenant === 'team-a'), `requests ${JSON.stringify(dataCalls())}`);
    const stored = await page.evaluate(() => localStorage.getItem('overlook.tenant'));
    expect(JSON.parse(stored ?? '{}').tenant === 'team-a', `localStorage ${stored}`);
  });

  await step('after a reload the remembered tenant is used, on PromQL requests too', async () => {
    sent = [];
    const prom = nextRequest('/prometheus/api/v1/query', 'team-a');
    await page.goto(`${base}/explore/metrics?tab=promql&promql=${encodeURIComponent('vector(1)')}`);
    await prom;
    expect(await page.getByLabel('Tenant').inputValue() === 'team-a', 'picker after reload');
    expect(dataCalls().every((s) => s.tenant === 'team-a'), `requests ${JSON.stringify(dataCalls())}`);
  });

  await step('server without /api/tenants (404): no picker, no header', async () => {
    await page.unroute('**/api/tenants');
    sent = [];
    const searched = page.waitForRequest((r) => new URL(r.url()).pathname === '/api/search');
    await page.goto(`${base}/search?source=logs&range=15m`);
    await searched;
    await page.getByTestId('query-bar').waitFor();
    expect(await page.getByLabel('Tenant').count() === 0, 'picker shown without multitenancy');
    expect(await page.getByTestId('tenant-current').count() === 0, 'tenant name shown without multitenancy');
    expect(dataCalls().length > 0 && dataCalls().every((s) => s.tenant === undefined), `requests ${JSON.stringify(dataCalls())}`);
  });

  await step('no uncaught page errors', async () => h.expectNoPageErrors());
} finally {
  await h.close();
}
h.exit();

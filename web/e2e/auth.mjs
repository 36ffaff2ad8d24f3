// Browser test of access control against a running overlook with no user
// yet (OVERLOOK_URL=http://127.0.0.1:PORT): the first-run page creates the
// first admin, logout shows the login page, a wrong password is refused
// with the server's message, login brings the app back, the session
// cookie is invisible to scripts, the CSP blocks injected inline scripts,
// and the admin page creates an API token. ADMIN_EMAIL / ADMIN_PASSWORD
// name the admin it creates (the Go test logs in with them afterwards).
import { env, expect, openBrowser } from './harness.mjs';

const [base] = env('OVERLOOK_URL');
const email = process.env.ADMIN_EMAIL ?? 'admin@example.com';
const password = process.env.ADMIN_PASSWORD ?? 'admin-password-1';

const h = await openBrowser({ name: 'auth', viewport: { width: 1280, height: 800 } });
const { browser, page, step } = h;

async function submitCredentials(button) {
  await page.locator('input[type=email]').fill(email);
  await page.locator('input[type=password]').fill(password);
  await page.getByRole('button', { name: button }).click();
}

try {
  await step('first run: the app is usable and offers to create the first admin', async () => {
    await page.goto(`${base}/search`);
    await page.getByTestId('query-bar').waitFor();
    await page.getByTestId('setup-banner').waitFor();
  });

  await step('create the first admin: logged in, banner gone', async () => {
    await page.getByText('Create the first admin').click();
    await page.getByRole('heading', { name: 'Create the first admin' }).waitFor();
    await submitCredentials('Create admin and log in');
    await page.getByTestId('query-bar').waitFor();
    await page.getByText(email).waitFor();
    expect(await page.getByTestId('setup-banner').count() === 0, 'setup banner still shown');
  });

  await step('the session cookie is HttpOnly and SameSite=Strict', async () => {
    const cookies = await browser.cookies(base);
    const c = cookies.find((x) => x.name === 'overlook_session');
    expect(c && c.httpOnly && c.sameSite === 'Strict', `cookie ${JSON.stringify(c)}`);
    expect(!(await page.evaluate(() => document.cookie)).includes('overlook_session'), 'session cookie readable by scripts');
  });

  await step('the CSP blocks an injected inline script', async () => {
    const ran = await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__injected = 1';
      document.body.appendChild(s);
      return window.__injected === 1;
    });
    expect(!ran, 'an inline script ran');
  });

  await step('log out: the login page', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in to overlook' }).waitFor();
    const status = await page.evaluate(async () => (await fetch('/api/dashboards')).status);
    expect(status === 401, `GET /api/dashboards after logout: ${status}`);
  });

  await step('a wrong password shows the server message', async () => {
    await page.locator('input[type=email]').fill(email);
    await page.locator('input[type=password]').fill('not-the-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').filter({ hasText: 'wrong email or password' }).waitFor();
  });

  await step('log in: the app again, the page reloads logged in', async () => {
    await submitCredentials('Log in');
    await page.getByTestId('query-bar').waitFor();
    await page.reload();
    await page.getByTestId('query-bar').waitFor();
    await page.getByText(email).waitFor();
  });

  await step('admin page: users and a new API token', async () => {
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByTestId('users-table').getByText(email).waitFor();
    await page.getByRole('tab', { name: 'API tokens' }).click();
    await page.getByLabel('Name').fill('grafana');
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = (await page.getByTestId('new-token').textContent()).trim();
    expect(token.startsWith('olk_'), `token "${token}"`);
    const status = await page.evaluate(async (t) => {
      const r = await fetch('/prometheus/api/v1/labels', { headers: { Authorization: `Bearer ${t}` }, credentials: 'omit' });
      return r.status;
    }, token);
    expect(status === 200, `token on /prometheus: ${status}`);
    await page.getByRole('tab', { name: 'Audit log' }).click();
    await page.getByTestId('audit-table').getByText('token.create').waitFor();
  });

  await step('no page errors', async () => h.expectNoPageErrors());
} finally {
  await h.close();
}
h.exit();

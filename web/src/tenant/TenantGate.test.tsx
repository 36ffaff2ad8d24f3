import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider, useQuery } from '@tanstack/react-query';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, download, request } from '../api/client';
import { forgetTenant, TENANT_STORAGE_KEY } from '../api/tenant';
import { TenantGate, TenantPicker } from './TenantGate';

interface Sent {
  path: string;
  headers: Record<string, string>;
}

/**
 * mockServer answers fetch like a server whose data depends on the tenant
 * header (X-Scope-OrgID): /api/dashboards lists "<tenant>'s board".
 * tenants is what /api/tenants answers, or 404 (an older server).
 */
function mockServer(tenants: unknown | 404): Sent[] {
  const sent: Sent[] = [];
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const path = String(input);
    const headers = { ...(init?.headers as Record<string, string> | undefined) };
    sent.push({ path, headers });
    const json = (status: number, body: unknown, extra: Record<string, string> = {}) =>
      new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...extra } });
    if (path === '/api/tenants') return tenants === 404 ? json(404, { error: 'not found' }) : json(200, tenants);
    const tenant = headers['X-Scope-OrgID'] ?? 'no tenant';
    if (path === '/api/dashboards') return json(200, { dashboards: [{ id: 'd1', name: `${tenant}'s board`, tiles: [] }] });
    if (path.startsWith('/prometheus/')) return json(200, { status: 'success', data: { resultType: 'matrix', result: [] } });
    if (path.startsWith('/api/dashboards/d1/export')) {
      return json(200, { name: `${tenant}'s board` }, { 'Content-Disposition': 'attachment; filename="board.overlook.json"' });
    }
    return json(404, { error: `no route ${path}` });
  });
  return sent;
}

function Boards() {
  const q = useQuery({ queryKey: ['dashboards'], queryFn: ({ signal }) => api.dashboards(signal) });
  return <div data-testid="boards">{q.data?.dashboards.map((d) => d.name).join(',') ?? 'loading'}</div>;
}

function renderApp() {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
  render(
    <QueryClientProvider client={qc}>
      <MantineProvider>
        <TenantGate>
          <TenantPicker />
          <Boards />
        </TenantGate>
      </MantineProvider>
    </QueryClientProvider>,
  );
  return qc;
}

const TWO = { enabled: true, header: 'X-Scope-OrgID', tenants: ['default', 'team-a'], current: 'default' };

beforeEach(() => {
  localStorage.clear();
  forgetTenant();
});
afterEach(() => vi.restoreAllMocks());

describe('tenant picker', () => {
  it('changes nothing on a server without /api/tenants (404): no picker, no header', async () => {
    const sent = mockServer(404);
    renderApp();
    expect((await screen.findByText("no tenant's board")).textContent).toBe("no tenant's board");
    expect(screen.queryByTestId('tenant-select')).toBeNull();
    expect(screen.queryByTestId('tenant-current')).toBeNull();
    expect(sent.map((s) => s.path)).toEqual(['/api/tenants', '/api/dashboards']);
    expect(sent.every((s) => !('X-Scope-OrgID' in s.headers))).toBe(true);
    expect(localStorage.getItem(TENANT_STORAGE_KEY)).toBeNull();
  });

  it('changes nothing when multitenancy is off', async () => {
    const sent = mockServer({ enabled: false });
    renderApp();
    await screen.findByText("no tenant's board");
    expect(screen.queryByTestId('tenant-select')).toBeNull();
    expect(sent.every((s) => !('X-Scope-OrgID' in s.headers))).toBe(true);
  });

  it("sends the server's current tenant on every request, shows it, and remembers it", async () => {
    const sent = mockServer(TWO);
    renderApp();
    await screen.findByText("default's board");
    const select = screen.getByLabelText('Tenant') as HTMLSelectElement;
    expect(select.value).toBe('default');
    expect([...select.options].map((o) => o.value)).toEqual(['default', 'team-a']);
    // /api/tenants itself goes without a tenant; everything after carries it.
    expect(sent[0]).toEqual({ path: '/api/tenants', headers: {} });
    expect(sent[1]).toEqual({ path: '/api/dashboards', headers: { 'X-Scope-OrgID': 'default' } });
    expect(JSON.parse(localStorage.getItem(TENANT_STORAGE_KEY)!)).toEqual({ header: 'X-Scope-OrgID', tenant: 'default' });
  });

  it('switching tenant drops every cached answer and fetches again with the new header', async () => {
    const sent = mockServer(TWO);
    const qc = renderApp();
    await screen.findByText("default's board");
    qc.setQueryData(['other-page'], 'default data');
    fireEvent.change(screen.getByLabelText('Tenant'), { target: { value: 'team-a' } });
    await screen.findByText("team-a's board");
    expect(qc.getQueryData(['other-page'])).toBeUndefined();
    expect(sent.filter((s) => s.path === '/api/dashboards').map((s) => s.headers['X-Scope-OrgID'])).toEqual(['default', 'team-a']);
    // /api/tenants is not asked again.
    expect(sent.filter((s) => s.path === '/api/tenants')).toHaveLength(1);
    expect(JSON.parse(localStorage.getItem(TENANT_STORAGE_KEY)!).tenant).toBe('team-a');
  });

  it('uses the remembered tenant when the server still lists it', async () => {
    localStorage.setItem(TENANT_STORAGE_KEY, JSON.stringify({ header: 'X-Scope-OrgID', tenant: 'team-a' }));
    const sent = mockServer(TWO);
    renderApp();
    await screen.findByText("team-a's board");
    expect((screen.getByLabelText('Tenant') as HTMLSelectElement).value).toBe('team-a');
    expect(sent[0].headers).toEqual({});
  });

  it("ignores a remembered tenant the server no longer lists (another user's, or deleted)", async () => {
    localStorage.setItem(TENANT_STORAGE_KEY, JSON.stringify({ header: 'X-Scope-OrgID', tenant: 'gone' }));
    mockServer({ ...TWO, current: 'team-a' });
    renderApp();
    await screen.findByText("team-a's board");
  });

  it('shows the one tenant without a selector when the user is bound to it', async () => {
    vi.spyOn(await import('../auth/AuthGate'), 'useAuth').mockReturnValue({
      status: { setupRequired: false, authenticated: true, principal: { kind: 'user', name: 'ann@x.io', role: 'viewer', tenant: 'team-a' } },
      logout: async () => undefined,
    });
    mockServer({ enabled: true, header: 'X-Scope-OrgID', tenants: ['team-a'], current: 'team-a' });
    renderApp();
    await screen.findByText("team-a's board");
    expect(screen.queryByTestId('tenant-select')).toBeNull();
    expect(screen.getByTestId('tenant-current').textContent).toBe('team-a');
  });

  it('sends the tenant on Prometheus API calls, writes, and downloads', async () => {
    const sent = mockServer(TWO);
    renderApp();
    await screen.findByText("default's board");
    await api.promRange({ query: 'up', start: 1, end: 2, step: 1 });
    await api.promLabels({ start: 1, end: 2 });
    await request('POST', '/api/dashboards', { name: 'x' }).catch(() => undefined);
    URL.createObjectURL ??= () => 'blob:x';
    URL.revokeObjectURL ??= () => undefined;
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);
    await download('/api/dashboards/d1/export?format=overlook', 'dashboard.json');
    expect(click).toHaveBeenCalledTimes(1);
    expect((click.mock.contexts[0] as HTMLAnchorElement).download).toBe('board.overlook.json');
    const later = sent.slice(2);
    expect(later.map((s) => s.path)).toEqual([
      '/prometheus/api/v1/query_range?query=up&start=1&end=2&step=1',
      '/prometheus/api/v1/labels?start=1&end=2',
      '/api/dashboards',
      '/api/dashboards/d1/export?format=overlook',
    ]);
    for (const s of later) expect(s.headers['X-Scope-OrgID'], s.path).toBe('default');
    expect(later[2].headers['Content-Type']).toBe('application/json');
  });
});

describe('request without tenancy', () => {
  it('sends no headers on a GET (as before)', async () => {
    const spy = vi.spyOn(globalThis, 'fetch').mockResolvedValue(new Response('{}', { status: 200 }));
    await request('GET', '/api/fields');
    await waitFor(() => expect(spy).toHaveBeenCalledTimes(1));
    expect(spy.mock.calls[0][1]?.headers).toBeUndefined();
  });
});

import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { request } from '../api/client';
import { mockApi } from '../test/harness';
import { AccountMenu, AuthGate } from './AuthGate';

afterEach(() => vi.restoreAllMocks());

function renderGate(child = <div>the app</div>) {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={qc}>
      <MantineProvider>
        <AuthGate>{child}<AccountMenu /></AuthGate>
      </MantineProvider>
    </QueryClientProvider>,
  );
}

const user = { kind: 'user', id: 'u1', name: 'ada@example.com', role: 'admin' };

function fill(label: RegExp, value: string) {
  fireEvent.change(screen.getByLabelText(label), { target: { value } });
}

describe('AuthGate', () => {
  it('keeps the app usable before any user exists and creates the first admin', async () => {
    let state: any = { setupRequired: true, authenticated: true, principal: { kind: 'anonymous', role: 'admin' } };
    const calls = mockApi({
      'GET /api/auth/status': () => state,
      'POST /api/setup': (b) => {
        state = { setupRequired: false, authenticated: true, principal: { ...user, name: b.email } };
        return [201, { user: { id: 'u1', email: b.email, role: 'admin' } }];
      },
    });
    renderGate();
    await screen.findByText('the app');
    fireEvent.click(screen.getByText('Create the first admin'));
    fill(/Email/, 'ada@example.com');
    fill(/Password/, 'long-password');
    fireEvent.click(screen.getByRole('button', { name: 'Create admin and log in' }));
    await screen.findByText('the app');
    await waitFor(() => expect(screen.queryByTestId('setup-banner')).toBeNull());
    expect(calls.find((c) => c.path === '/api/setup')?.body).toEqual({ email: 'ada@example.com', password: 'long-password' });
    expect(screen.getByText('ada@example.com')).toBeTruthy();
  });

  it('shows the login page without a session, the server error on failure, and the app after login', async () => {
    let state: any = { setupRequired: false, authenticated: false };
    mockApi({
      'GET /api/auth/status': () => state,
      'POST /api/login': (b) => {
        if (b.password !== 'right-password') return [401, { error: 'wrong email or password' }];
        state = { setupRequired: false, authenticated: true, principal: user };
        return { principal: user };
      },
    });
    renderGate();
    await screen.findByText('Log in to overlook');
    expect(screen.queryByText('the app')).toBeNull();
    fill(/Email/, 'ada@example.com');
    fill(/Password/, 'nope-nope');
    fireEvent.click(screen.getByRole('button', { name: 'Log in' }));
    expect((await screen.findByRole('alert')).textContent).toContain('wrong email or password');
    fill(/Password/, 'right-password');
    fireEvent.click(screen.getByRole('button', { name: 'Log in' }));
    await screen.findByText('the app');
  });

  it('shows the login page after logout', async () => {
    let state: any = { setupRequired: false, authenticated: true, principal: user };
    const calls = mockApi({
      'GET /api/auth/status': () => state,
      'GET /api/dashboards': () => [401, { error: 'your session has expired or ended: log in again' }],
      'POST /api/logout': () => {
        state = { setupRequired: false, authenticated: false };
        return { status: 'logged out' };
      },
    });
    renderGate();
    await screen.findByText('the app');
    fireEvent.click(screen.getByRole('button', { name: 'Log out' }));
    await screen.findByText('Log in to overlook');
    expect(calls.some((c) => c.method === 'POST' && c.path === '/api/logout')).toBe(true);
  });

  it('shows the login page when any API call answers 401', async () => {
    let state: any = { setupRequired: false, authenticated: true, principal: user };
    mockApi({
      'GET /api/auth/status': () => state,
      'GET /api/dashboards': () => {
        state = { setupRequired: false, authenticated: false };
        return [401, { error: 'your session has expired or ended: log in again' }];
      },
    });
    renderGate();
    await screen.findByText('the app');
    await expect(request('GET', '/api/dashboards')).rejects.toThrow('session has expired');
    await screen.findByText('Log in to overlook');
  });

  it('sends state-changing requests as JSON even without a body', async () => {
    const calls: RequestInit[] = [];
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (_i, init) => {
      calls.push(init ?? {});
      return new Response('{}', { status: 200 });
    });
    await request('POST', '/api/dashboards/x/duplicate');
    await request('GET', '/api/dashboards');
    expect((calls[0].headers as Record<string, string>)['Content-Type']).toBe('application/json');
    expect(calls[1].headers).toBeUndefined();
  });
});

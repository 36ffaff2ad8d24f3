import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mockApi, renderAt } from '../test/harness';
import AdminPage from './AdminPage';

afterEach(() => vi.restoreAllMocks());

describe('AdminPage', () => {
  it('lists and adds users', async () => {
    const users = [{ id: 'u1', email: 'ada@example.com', role: 'admin', created: '2026-12-06T10:00:00Z', createdBy: 'setup' }];
    const calls = mockApi({
      'GET /api/users': () => ({ users }),
      'POST /api/users': (b) => {
        users.push({ id: 'u2', email: b.email, role: b.role, created: '2026-12-06T11:00:00Z', createdBy: 'ada@example.com' });
        return [201, { user: users[1] }];
      },
    });
    renderAt('/admin', '/admin', <AdminPage />);
    await screen.findByText('ada@example.com');
    fireEvent.change(screen.getByLabelText(/Email/), { target: { value: 'bob@example.com' } });
    fireEvent.change(screen.getByLabelText(/Password/), { target: { value: 'bob-password' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add user' }));
    await screen.findByText('bob@example.com');
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ email: 'bob@example.com', password: 'bob-password', role: 'viewer' });
  });

  it('creates a token, shows its secret once, and revokes it', async () => {
    let tokens: any[] = [];
    const calls = mockApi({
      'GET /api/users': () => ({ users: [] }),
      'GET /api/tokens': () => ({ tokens }),
      'POST /api/tokens': (b) => {
        tokens = [{ id: 't1', name: b.name, role: b.role, prefix: 'olk_abcd', created: '2026-12-06T10:00:00Z' }];
        return [201, { token: 'olk_abcdSECRET', info: tokens[0] }];
      },
      'DELETE /api/tokens/t1': () => {
        tokens = [];
        return { deleted: {} };
      },
    });
    renderAt('/admin', '/admin', <AdminPage />);
    fireEvent.click(await screen.findByRole('tab', { name: 'API tokens' }));
    fireEvent.change(await screen.findByLabelText(/Name/), { target: { value: 'grafana' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create token' }));
    expect((await screen.findByTestId('new-token')).textContent).toBe('olk_abcdSECRET');
    await screen.findByText('grafana');
    fireEvent.click(screen.getByRole('button', { name: 'Revoke' }));
    await waitFor(() => expect(screen.queryByText('grafana')).toBeNull());
    expect(calls.some((c) => c.method === 'DELETE' && c.path === '/api/tokens/t1')).toBe(true);
  });

  it('shows the audit log', async () => {
    mockApi({
      'GET /api/users': () => ({ users: [] }),
      'GET /api/audit': () => ({ events: [{ time: '2026-12-06T10:00:00Z', actor: 'ada@example.com', action: 'login', outcome: 'failed', ip: '10.0.0.1' }] }),
    });
    renderAt('/admin', '/admin', <AdminPage />);
    fireEvent.click(await screen.findByRole('tab', { name: 'Audit log' }));
    await screen.findByText('10.0.0.1');
    expect(screen.getByText('failed')).toBeTruthy();
  });
});

/* eslint-disable @typescript-eslint/no-explicit-any */
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mockApi, renderAt } from '../test/harness';
import DashboardPage from './DashboardPage';

vi.mock('../components/EChart', async () => ({ EChart: (await import('../test/harness')).EChartStub }));

afterEach(() => vi.restoreAllMocks());

const t0 = Date.UTC(2026, 11, 6, 6, 0);
const dash = {
  id: 'd1', name: 'Mine', tags: [], timeRange: '1h',
  tiles: [{ id: 'a', x: 0, y: 0, w: 12, h: 8, config: { name: 'Requests', source: 'traces', displayType: 'line', select: [{ aggFn: 'count' }] } }],
};

describe('Dashboard: Add tile', () => {
  it('saves a new tile and opens its editor at once', async () => {
    const calls = mockApi({
      'GET /api/dashboards/d1': () => dash,
      'PUT /api/dashboards/d1': (b: any) => ({ ...b, id: 'd1' }),
      'GET /api/dashboards': () => ({ dashboards: [dash] }),
      'POST /api/chart': () => ({ series: [], meta: { source: 'traces', displayType: 'line', start: t0, end: t0 + 1 } }),
      'GET /api/fields': () => ({ fields: [] }),
    });
    renderAt('/dashboards/d1', '/dashboards/:id', <DashboardPage />);
    fireEvent.click(await screen.findByTestId('add-tile'));
    expect(await screen.findByText('Edit tile')).toBeTruthy();
    expect((screen.getByLabelText('Name') as HTMLInputElement).value).toBe('New tile');
    await waitFor(() => expect(calls.some((c) => c.method === 'PUT')).toBe(true));
    const put = calls.find((c) => c.method === 'PUT')!.body as any;
    expect(put.tiles).toHaveLength(2);
    expect(put.tiles[1]).toMatchObject({ x: 0, y: 8, config: { name: 'New tile' } });
  });
});

describe('Dashboard: Add PromQL tile', () => {
  it('saves a PromQL tile and opens its query editor', async () => {
    const calls = mockApi({
      'GET /api/dashboards/d1': () => dash,
      'PUT /api/dashboards/d1': (b: any) => ({ ...b, id: 'd1' }),
      'GET /api/dashboards': () => ({ dashboards: [dash] }),
      'POST /api/chart': () => ({ series: [], meta: { source: 'traces', displayType: 'line', start: t0, end: t0 + 1 } }),
      'GET /api/fields': () => ({ fields: [] }),
    });
    renderAt('/dashboards/d1', '/dashboards/:id', <DashboardPage />);
    fireEvent.click(await screen.findByTestId('add-promql-tile'));
    expect(((await screen.findByTestId('promql-expr')) as HTMLTextAreaElement).value).toBe('up');
    await waitFor(() => expect(calls.some((c) => c.method === 'PUT')).toBe(true));
    const put = calls.find((c) => c.method === 'PUT')!.body as any;
    expect(put.tiles[1]).toMatchObject({ config: { source: 'promql', queries: [{ expr: 'up' }] } });
  });
});

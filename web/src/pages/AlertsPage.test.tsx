/* eslint-disable @typescript-eslint/no-explicit-any */
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildRule } from '../alerts/CreateAlertModal';
import { mockApi, renderAt } from '../test/harness';
import AlertsPage from './AlertsPage';
import SearchPage from './SearchPage';

vi.mock('../components/EChart', async () => ({ EChart: (await import('../test/harness')).EChartStub }));

afterEach(() => vi.restoreAllMocks());

// Shapes of GET /api/alerts and GET /api/alerts/{id} (docs/alerting.md).
const FIRING = {
  id: 'a1', name: 'checkout errors', source: 'logs', query: 'SeverityText:ERROR', whereLanguage: 'lucene', groupBy: [],
  interval: '1m', thresholdType: 'above', threshold: 10, channel: { type: 'webhook', url: 'http://hook' },
  state: 'alert', lastEvaluation: '2026-12-06T10:00:00Z', lastValue: 12,
  instances: [{ state: 'alert', value: 12, since: '2026-12-06T09:59:00Z' }],
  notifications: [{ at: '2026-12-06T09:59:01Z', status: 'firing', ok: false, attempts: 4, error: 'http://hook/… answered 500' }],
};
const BROKEN = {
  id: 'a2', name: 'p95 tile', dashboardId: 'd1', tileId: 't1', groupBy: [], query: '', interval: '5m', thresholdType: 'below', threshold: 1,
  channel: { type: 'slack', url: 'http://slack' }, state: 'error', lastError: 'query: timed out', instances: [], notifications: [],
};
const RULES = { status: 'success', data: { groups: [{ name: 'qmtl', file: 'rules.yml', rules: [
  { name: 'HighLatency', query: 'histogram_quantile(0.95, rate(x[5m])) > 1', type: 'alerting', state: 'firing', health: 'ok', lastEvaluation: '2026-12-06T10:00:00Z',
    alerts: [{ labels: { alertname: 'HighLatency' }, state: 'firing' }] },
] }] } };

describe('Alerts page', () => {
  it('lists search, chart and Prometheus rules with state, last error and failed deliveries; shows history; silences and tests', async () => {
    const calls = mockApi({
      'GET /api/alerts/a1': () => ({ ...FIRING, history: [
        { at: '2026-12-06T09:40:00Z', state: 'ok', value: 0 }, { at: '2026-12-06T09:59:00Z', state: 'alert', value: 12 }] }),
      'GET /api/alerts': () => ({ alerts: [FIRING, BROKEN] }),
      'GET /prometheus/api/v1/rules': () => RULES,
      'POST /api/alerts/a1/silence': (b) => ({ ...FIRING, state: 'silenced', silenceUntil: '2099-01-01T00:00:00Z', _b: b }),
      'POST /api/alerts/a1/test': () => [502, { ok: false, attempts: 1, error: 'the channel did not take the test notification: 500' }],
    });
    renderAt('/alerts', '/alerts', <AlertsPage />);
    const rows = await screen.findAllByTestId('alert-row');
    expect(rows).toHaveLength(2);
    expect(within(rows[0]).getByTestId('alert-state').textContent).toBe('alert');
    expect(within(rows[0]).getByTestId('delivery-failed')).toBeTruthy();
    expect(rows[0].textContent).toContain('SeverityText:ERROR');
    expect(within(rows[1]).getByTestId('alert-state').textContent).toBe('error');
    expect(within(rows[1]).getByTestId('alert-last-error').textContent).toBe('query: timed out');
    expect(rows[1].textContent).toContain('chart');
    expect(rows[1].textContent).toContain('below 1 per 5m');
    expect(rows[0].textContent).toContain('at or above 10 per 1m (last 12)');
    const prom = await screen.findAllByTestId('prom-rule-row');
    expect(prom).toHaveLength(1);
    expect(prom[0].textContent).toContain('HighLatency');
    expect(within(prom[0]).getByTestId('alert-state').textContent).toBe('firing');

    fireEvent.click(within(rows[0]).getByTestId('alert-name'));
    const hist = await screen.findAllByTestId('alert-history');
    expect(hist.map((h) => h.textContent?.split(' · ').slice(1).join(' · '))).toEqual(['firing · value 12', 'resolved · value 0']);
    expect((await screen.findByTestId('alert-notification')).textContent).toContain('FAILED after 4 attempt(s)');

    fireEvent.click(within(rows[0]).getByTestId('alert-silence'));
    fireEvent.click(await screen.findByTestId('silence-4h'));
    await waitFor(() => expect(calls.find((c) => c.path === '/api/alerts/a1/silence')?.body).toEqual({ for: '4h' }));

    fireEvent.click(within(rows[0]).getByTestId('alert-test'));
    expect((await screen.findByTestId('alert-test-result')).textContent).toContain('did not take the test notification');
  });

  it('shows no Prometheus rules when that API is not there (404)', async () => {
    mockApi({ 'GET /api/alerts': () => ({ alerts: [] }) });
    renderAt('/alerts', '/alerts', <AlertsPage />);
    expect((await screen.findByTestId('alerts-empty')).textContent).toBe('No alerts yet.');
    expect(screen.queryByTestId('error-note')).toBeNull();
  });
});

describe('Create alert from Search', () => {
  it('prefills the current query, source and language and posts the contract body', async () => {
    const calls = mockApi({
      'POST /api/search': () => ({ rows: [], count: 0 }),
      'POST /api/chart': () => ({ series: [], meta: { source: 'traces', displayType: 'stacked_bar', start: 0, end: 1, stepMillis: 60000 } }),
      'POST /api/facets': () => ({ facets: [], rowsScanned: 0, sampled: false }),
      'GET /api/fields': () => ({ fields: [] }),
      'POST /api/alerts/test-channel': () => ({ ok: true, attempts: 1 }),
      'POST /api/alerts': (b) => [201, { ...b, id: 'new', state: 'ok', instances: [], notifications: [] }],
    });
    renderAt("/search?source=traces&lang=sql&q=StatusCode%20%3D%20'Error'", '/search', <SearchPage />);
    fireEvent.click(await screen.findByTestId('create-alert'));
    expect((await screen.findByTestId('alert-target')).textContent).toContain("StatusCode = 'Error'");
    fireEvent.change(screen.getByTestId('alert-url'), { target: { value: 'http://hook.example/x' } });
    fireEvent.change(screen.getByTestId('alert-groupby'), { target: { value: 'ServiceName' } });
    fireEvent.click(screen.getByTestId('alert-send-test'));
    expect((await screen.findByTestId('alert-test-result')).textContent).toBe('Test notification delivered (1 attempt).');
    fireEvent.click(screen.getByTestId('alert-create'));
    await screen.findByTestId('alert-created');
    const body = calls.find((c) => c.method === 'POST' && c.path === '/api/alerts')!.body as any;
    expect(body).toEqual({
      name: "traces: StatusCode = 'Error'", source: 'traces', query: "StatusCode = 'Error'", whereLanguage: 'sql', groupBy: ['ServiceName'],
      interval: '5m', thresholdType: 'above', threshold: 1, channel: { type: 'webhook', url: 'http://hook.example/x' },
    });
    expect(calls.find((c) => c.path === '/api/alerts/test-channel')!.body).toEqual({ channel: { type: 'webhook', url: 'http://hook.example/x' }, name: "traces: StatusCode = 'Error'" });
  });

  it('builds a tile alert body', () => {
    const f = { name: 'p95', interval: '1h', thresholdType: 'between' as const, threshold: 2, thresholdMax: 4, groupBy: 'x', channelType: 'template' as const,
      url: ' http://h ', body: '{{.Status}}', contentType: '', message: '' };
    expect(buildRule({ kind: 'tile', dashboardId: 'd', tileId: 't', tileName: 'p95' }, f)).toEqual({
      name: 'p95', interval: '1h', thresholdType: 'between', threshold: 2, thresholdMax: 4, dashboardId: 'd', tileId: 't',
      channel: { type: 'template', url: 'http://h', body: '{{.Status}}', contentType: undefined },
    });
  });
});

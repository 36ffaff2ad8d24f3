/* eslint-disable @typescript-eslint/no-explicit-any */
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChartConfig, Variable } from '../api/types';
import { charts, location, mockApi, renderAt } from '../test/harness';
import { PromTile } from './PromTile';
import { VariableBar } from './VariableBar';
import DashboardsPage from '../pages/DashboardsPage';

vi.mock('../components/EChart', async () => ({ EChart: (await import('../test/harness')).EChartStub }));

afterEach(() => vi.restoreAllMocks());

const start = Date.UTC(2026, 11, 6, 6, 0);
const end = start + 3600_000;
const job: Variable = { name: 'job', type: 'label_values', labelName: 'job', match: 'up{env="$env"}', multi: true, includeAll: true };
const env: Variable = { name: 'env', type: 'custom', options: [{ text: 'Production', value: 'prod' }, { text: 'Staging', value: 'stage' }], current: ['prod'] };

describe('PromTile', () => {
  it('runs each query with variables and built-ins substituted, and draws legends', async () => {
    const calls = mockApi({
      'GET /prometheus/api/v1/query_range': () => ({ status: 'success', data: { resultType: 'matrix', result: [{ metric: { job: 'api' }, values: [[start / 1000, '1'], [start / 1000 + 15, '3']] }] } }),
    });
    const config: ChartConfig = { name: 't', source: 'promql', displayType: 'line', select: [], queries: [{ expr: 'sum by (job) (rate(x{job=~"$job"}[$__rate_interval]))', legend: '{{job}}' }] };
    renderAt('/', '/', <PromTile config={config} variables={[job]} values={{ job: ['api', 'db'] }} start={start} end={end} height={200} />);
    await waitFor(() => expect(charts.chart?.option.series[0].name).toBe('api'));
    const q = new URL(calls[0].path, 'http://x').searchParams;
    expect(q.get('query')).toBe('sum by (job) (rate(x{job=~"(api|db)"}[60s]))');
    expect(q.get('step')).toBe('15');
  });
  it('reduces a number tile, and an instant query asks /query at the end of the range', async () => {
    const calls = mockApi({
      'GET /prometheus/api/v1/query': () => ({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [end / 1000, '0.25'] }] } }),
    });
    const config: ChartConfig = { source: 'promql', displayType: 'number', select: [], numberFormat: { output: 'percent' }, queries: [{ expr: 'x', instant: true }] };
    renderAt('/', '/', <PromTile config={config} variables={[]} values={{}} start={start} end={end} height={200} />);
    expect((await screen.findByTestId('chart-number')).textContent).toBe('25%');
    expect(calls[0].path).toContain(`time=${end / 1000}`);
  });
});

describe('VariableBar', () => {
  it('loads label values for the series of the (substituted) match and picks the first when nothing is selected', async () => {
    const calls = mockApi({
      'GET /prometheus/api/v1/label/job/values': () => ({ status: 'success', data: ['api', 'db'] }),
    });
    const changes: [string, string[]][] = [];
    renderAt('/', '/', <VariableBar variables={[env, { ...job, includeAll: false }]} values={{}} start={start} end={end} onChange={(n, v) => changes.push([n, v])} />);
    await waitFor(() => expect(changes).toContainEqual(['job', ['api']]));
    const q = new URL(calls[0].path, 'http://x').searchParams;
    expect(q.get('match[]')).toBe('up{env="prod"}');
    expect(screen.getByTestId('variable-env')).toBeTruthy();
  });
});

describe('Import Grafana dashboard', () => {
  it('posts the JSON and lists what did not map', async () => {
    const calls = mockApi({
      'GET /api/dashboards': () => ({ dashboards: [] }),
      'POST /api/dashboards/import/grafana': () => [201, {
        dashboard: { id: 'g1', name: 'QMTL', tags: ['grafana'], tiles: [{ id: 'a', x: 0, y: 0, w: 12, h: 8, config: { source: 'promql', select: [], queries: [{ expr: 'up' }] } }], variables: [job] },
        unmapped: [{ panel: 'Logs', panelId: '10', reason: 'panel type "logs" is not supported' }],
      }],
    });
    renderAt('/dashboards', '/dashboards', <DashboardsPage />);
    fireEvent.click(await screen.findByTestId('import-grafana'));
    fireEvent.change(await screen.findByTestId('grafana-json'), { target: { value: '{"title":"QMTL"}' } });
    fireEvent.click(screen.getByTestId('finish-grafana-import'));
    const table = await screen.findByTestId('grafana-unmapped');
    expect(table.textContent).toContain('Logs (#10)');
    expect(table.textContent).toContain('panel type "logs" is not supported');
    expect(calls.find((c) => c.method === 'POST')!.body).toEqual({ title: 'QMTL' });
    fireEvent.click(screen.getByTestId('open-imported'));
    await waitFor(() => expect(location.pathname).toBe('/dashboards/g1'));
  });
});

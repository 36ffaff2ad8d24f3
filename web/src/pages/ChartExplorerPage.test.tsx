/* eslint-disable @typescript-eslint/no-explicit-any */
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mockApi, param, renderAt } from '../test/harness';
import ChartExplorerPage from './ChartExplorerPage';

vi.mock('../components/EChart', async () => ({ EChart: (await import('../test/harness')).EChartStub }));

afterEach(() => vi.restoreAllMocks());

const t0 = Date.UTC(2026, 11, 6, 6, 0);
const chart = { source: 'traces', displayType: 'line', select: [{ aggFn: 'max', valueExpression: 'Duration' }], where: 'ServiceName: payment', whereLanguage: 'lucene', groupBy: [], granularity: 'auto' };

describe('Chart Explorer: Sample Matched Events', () => {
  it('lists the newest rows behind the chart\'s where; a row\'s filter narrows the chart', async () => {
    // jsdom has no layout: give the virtualised table a viewport.
    vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(600);
    vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(1000);
    const calls = mockApi({
      'POST /api/chart': () => ({ series: [{ name: 'max(Duration)', select: 0, points: [[t0, 4e8]] }], meta: { source: 'traces', displayType: 'line', start: t0, end: t0 + 3600e3 } }),
      'POST /api/search': () => ({
        rows: [
          { Timestamp: '2026-12-06T06:59:00Z', ServiceName: 'payment', SpanName: 'charge', Duration: 0, StatusCode: 'Error', SpanAttributes: { 'app.payment.card_type': 'visa' } },
          { Timestamp: '2026-12-06T06:58:00Z', ServiceName: 'payment', SpanName: 'charge', Duration: 400_000_000, StatusCode: 'Unset' },
        ],
        count: 3000,
      }),
      'GET /api/fields': () => ({ fields: [] }),
    });
    renderAt(`/chart?range=1h&chart=${encodeURIComponent(JSON.stringify(chart))}`, '/chart', <ChartExplorerPage />);
    await screen.findByTestId('sample-events-count');
    const rows = await screen.findAllByTestId('result-row');
    expect(rows).toHaveLength(2);
    expect(rows[1].textContent).toContain('400 ms');
    expect(screen.getByTestId('sample-events-count').textContent).toBe("newest 2 of 3,000 spans matching the chart's where");
    const req = calls.find((c) => c.path === '/api/search')!.body as any;
    expect(req).toMatchObject({ source: 'traces', query: 'ServiceName: payment', whereLanguage: 'lucene', limit: 50 });

    fireEvent.click(rows[0]);
    fireEvent.click(await screen.findByLabelText('filter in SpanAttributes.app.payment.card_type'));
    await waitFor(() => expect(JSON.parse(param('chart')!).where).toBe('(ServiceName: payment) SpanAttributes.app.payment.card_type:"visa"'));
  });

  it('a metrics chart lists the spans (or logs) matching its where beside it', async () => {
    vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(600);
    vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(1000);
    const calls = mockApi({
      'POST /api/chart': () => ({ series: [], meta: { source: 'metrics', displayType: 'line', start: t0, end: t0 + 1 } }),
      'POST /api/search': (b: any) => (b.source === 'logs' ? [400, { error: 'unknown field Attributes' }]
        : { rows: [{ Timestamp: '2026-12-06T06:59:00Z', ServiceName: 'payment', SpanName: 'charge', Duration: 0, StatusCode: 'Error' }], count: 1 }),
      'GET /api/fields': () => ({ fields: [] }),
    });
    const m = { source: 'metrics', displayType: 'line', where: 'ServiceName: payment', whereLanguage: 'lucene', select: [{ aggFn: 'max', metricName: 'visa_validation_cache.size', metricType: 'gauge', valueExpression: 'Value' }] };
    renderAt(`/chart?range=1h&chart=${encodeURIComponent(JSON.stringify(m))}`, '/chart', <ChartExplorerPage />);
    expect((await screen.findByTestId('chart-empty')).textContent).toContain('No points of visa_validation_cache.size');
    expect((await screen.findByTestId('sample-events-count')).textContent).toContain('1 of 1 spans');
    expect(calls.find((c) => c.path === '/api/search')!.body).toMatchObject({ source: 'traces', query: 'ServiceName: payment' });
    // a where the other source cannot read is a note, not a failure
    fireEvent.click(within(screen.getByTestId('sample-events')).getByText('Logs'));
    expect((await screen.findByTestId('sample-events-na')).textContent).toContain('unknown field Attributes');
    expect(screen.queryByTestId('error-note')).toBeNull();
  });
});

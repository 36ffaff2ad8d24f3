/* eslint-disable @typescript-eslint/no-explicit-any */
import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { charts, mockApi, param, renderAt } from '../test/harness';
import SearchPage from './SearchPage';

vi.mock('../components/EChart', async () => ({ EChart: (await import('../test/harness')).EChartStub }));

afterEach(() => vi.restoreAllMocks());

const t0 = Date.UTC(2026, 11, 6, 6, 0);

// Contract shapes (i11-contracts.md and the issue text).
const PATTERNS = {
  patterns: [
    { pattern: 'Failed to place order: could not charge the card order=<*>', count: 30, errorCount: 30, services: ['frontend'],
      samples: [{ Body: 'Failed to place order: could not charge the card order=42', ServiceName: 'frontend' }], series: [[t0 / 1000, 10], [t0 / 1000 + 60, 20]] },
    { pattern: 'GET /api/products <*>', count: 900, errorCount: 0, services: ['frontend', 'product-catalog'], samples: [], series: [[t0 / 1000, 900]] },
  ],
  rowsScanned: 250000,
  sampled: true,
};
const FACETS = {
  facets: [
    { field: 'ServiceName', values: [{ value: 'frontend', count: 120 }, { value: 'payment', count: 30 }], distinct: 2, more: false },
    { field: 'ResourceAttributes.k8s.pod.name', values: [{ value: 'payment-7d9f', count: 30 }], distinct: 11, more: true },
  ],
  rowsScanned: 150,
  sampled: true,
};
const EMPTY_CHART = { series: [], meta: { source: 'logs', displayType: 'stacked_bar', start: t0, end: t0 + 3600e3, stepMillis: 60000 } };

function routes(extra: Record<string, (b: any, p: string) => unknown> = {}) {
  return mockApi({
    'POST /api/patterns': () => PATTERNS,
    'POST /api/facets': () => FACETS,
    'POST /api/search': () => ({ rows: [{ Timestamp: '2026-12-06T06:00:00.000000001Z', ServiceName: 'frontend', Body: 'x' }], count: 1 }),
    'POST /api/chart': () => EMPTY_CHART,
    'GET /api/fields': () => ({ fields: [] }),
    ...extra,
  });
}

describe('Search: Event Patterns', () => {
  it('lists patterns with count, errors, services, trend and the sampled note; a click filters the results to the pattern', async () => {
    const calls = routes();
    renderAt('/search?source=logs&range=1h&q=level:error&mode=patterns', '/search', <SearchPage />);
    const rows = await screen.findAllByTestId('pattern-row');
    expect(rows).toHaveLength(2);
    expect(rows[0].textContent).toContain('Failed to place order');
    expect(rows[0].textContent).toContain('30 errors');
    expect(rows[1].textContent).toContain('product-catalog');
    expect(screen.getAllByTestId('sparkline')).toHaveLength(2);
    expect(screen.getByTestId('patterns-sampled').textContent).toContain('sampled');
    expect(screen.getByTestId('patterns-summary').textContent).toBe('2 patterns in 250,000 logs');
    const req = calls.find((c) => c.path === '/api/patterns')!.body as any;
    expect(req).toMatchObject({ source: 'logs', query: 'level:error', whereLanguage: 'lucene', limit: 50 });
    expect(typeof req.start).toBe('string');

    fireEvent.click(rows[0]);
    await waitFor(() => expect(param('q')).toBe('(level:error) "Failed to place order: could not charge the card order="'));
    expect(param('mode')).toBeNull();
    await screen.findByTestId('result-count');
  });
});

describe('Search: facet sidebar', () => {
  it('shows fields with top values and counts, says sampled, and filters in and out', async () => {
    routes();
    renderAt('/search?source=logs&range=1h', '/search', <SearchPage />);
    const values = await screen.findAllByTestId('facet-value');
    expect(values.map((v) => v.textContent)).toEqual(['frontend120−', 'payment30−', 'payment-7d9f30−']);
    expect(screen.getAllByTestId('facet-field').map((f) => f.textContent)).toEqual(['▾ ServiceName', '▾ k8s.pod.name']);
    expect(screen.getByTestId('facets-sampled')).toBeTruthy();
    fireEvent.click(screen.getByLabelText('filter in ResourceAttributes.k8s.pod.name payment-7d9f'));
    await waitFor(() => expect(param('q')).toBe('ResourceAttributes.k8s.pod.name:"payment-7d9f"'));
    fireEvent.click(screen.getByLabelText('filter out ServiceName frontend'));
    await waitFor(() => expect(param('q')).toBe('ResourceAttributes.k8s.pod.name:"payment-7d9f" -ServiceName:"frontend"'));
  });

  it('a server without the facets API leaves Search working', async () => {
    mockApi({
      'POST /api/search': () => ({ rows: [{ Timestamp: '2026-12-06T06:00:00Z', Body: 'hello' }], count: 1 }),
      'POST /api/chart': () => EMPTY_CHART,
      'GET /api/fields': () => ({ fields: [] }),
    });
    renderAt('/search?source=logs&range=1h', '/search', <SearchPage />);
    await screen.findByTestId('facets-error');
    expect((await screen.findByTestId('result-count')).textContent).toBe('1 results');
  });
});

describe('Search: empty states', () => {
  it('a fresh install (nothing in range, no query) shows the OTLP endpoints, an SDK snippet and --demo', async () => {
    mockApi({ 'POST /api/search': () => ({ rows: [], count: 0 }), 'POST /api/chart': () => EMPTY_CHART, 'GET /api/fields': () => ({ fields: [] }), 'POST /api/facets': () => ({ facets: [], rowsScanned: 0, sampled: false }) });
    renderAt('/search?source=logs&range=1h', '/search', <SearchPage />);
    const o = await screen.findByTestId('onboarding');
    expect(o.textContent).toContain(':4317');
    expect(o.textContent).toContain(':4318');
    expect(screen.getByTestId('onboarding-env').textContent).toContain('OTEL_EXPORTER_OTLP_ENDPOINT=http://');
    expect(o.textContent).toContain('overlook serve --demo');
  });
  it('a query without results says so, without the onboarding', async () => {
    mockApi({ 'POST /api/search': () => ({ rows: [], count: 0 }), 'POST /api/chart': () => EMPTY_CHART, 'GET /api/fields': () => ({ fields: [] }), 'POST /api/facets': () => ({ facets: [], rowsScanned: 0, sampled: false }) });
    renderAt('/search?source=logs&range=1h&q=nothing', '/search', <SearchPage />);
    await screen.findByText('No results in this time range.');
    expect(screen.queryByTestId('onboarding')).toBeNull();
  });
});

describe('Search: Event Deltas', () => {
  // bins from 1 ms doubling: [1,2), [2,4) … [256,512) ms; two buckets
  const HEAT = {
    series: Array.from({ length: 9 }, (_, i) => ({ name: `${i}`, select: 0, bin: [2 ** i * 1e6, 2 ** (i + 1) * 1e6], points: [[t0, 5], [t0 + 60000, 1]] })),
    meta: { source: 'traces', displayType: 'heatmap', start: t0, end: t0 + 120000, stepMillis: 60000 },
  };
  const ZERO = { series: [{ name: '0 ns', select: 0, points: [[t0, 0], [t0 + 60000, 4]] }], meta: HEAT.meta };
  const DELTAS = {
    selectionCount: 120, backgroundCount: 2880,
    attributes: [
      { field: 'SpanAttributes.app.payment.card_type', values: [{ value: 'visa', selection: 0.93, background: 0.5 }, { value: 'mastercard', selection: 0.07, background: 0.5 }], score: 0.86 },
      { field: 'ServiceName', values: [{ value: 'payment', selection: 1, background: 0.2 }], score: 0.4 },
    ],
  };

  it('drag a box on the heatmap: the selection is compared, a value click filters', async () => {
    const calls = routes({
      'POST /api/chart': (b: any) => (b.displayType === 'heatmap' ? HEAT : b.select?.[0]?.aggCondition === 'Duration:0' ? ZERO : EMPTY_CHART),
      'POST /api/deltas': () => DELTAS,
    });
    renderAt('/search?source=traces&range=1h&q=ServiceName:payment&mode=deltas', '/search', <SearchPage />);
    await screen.findByTestId('deltas-hint');
    await waitFor(() => expect(charts['deltas-heatmap']?.option?.yAxis?.data?.[0]).toBe('0 ns'));
    // y rows: 0 ns, then the 9 bins; a box over rows 8..9 ([128, 256) and [256, 512) ms) and both buckets.
    act(() => charts['deltas-heatmap'].onBrushRect({ x: [0, 1], y: [8, 9] }));
    const attrs = await screen.findAllByTestId('delta-attribute');
    expect(screen.getAllByTestId('delta-field').map((f) => f.textContent)).toEqual(['SpanAttributes.app.payment.card_type', 'ServiceName']);
    expect(attrs[0].textContent).toContain('93.0% / 50.0%');
    const req = calls.find((c) => c.path === '/api/deltas')!.body as any;
    expect(req).toMatchObject({ source: 'traces', query: 'ServiceName:payment', selection: { durationMinMs: 128, durationMaxMs: null, start: null, end: null } });
    expect(Object.keys(req).sort()).toEqual(['end', 'query', 'selection', 'source', 'start', 'whereLanguage']);
    expect(req.whereLanguage).toBe('lucene');

    fireEvent.click(screen.getByLabelText('filter SpanAttributes.app.payment.card_type visa'));
    await waitFor(() => expect(param('q')).toBe('ServiceName:payment SpanAttributes.app.payment.card_type:"visa"'));
  });

  it('typed bounds select too; Filter by selection adds the duration filter and shows the results', async () => {
    const calls = routes({ 'POST /api/chart': (b: any) => (b.displayType === 'heatmap' ? HEAT : ZERO), 'POST /api/deltas': () => DELTAS });
    renderAt('/search?source=traces&range=1h&q=ServiceName:payment&mode=deltas', '/search', <SearchPage />);
    const min = await screen.findByLabelText('selection min ms');
    fireEvent.change(min, { target: { value: '200' } });
    await screen.findAllByTestId('delta-attribute');
    expect(calls.filter((c) => c.path === '/api/deltas').pop()!.body).toMatchObject({ selection: { durationMinMs: 200, durationMaxMs: null } });
    fireEvent.click(screen.getByTestId('filter-by-selection'));
    await waitFor(() => expect(param('q')).toBe('(ServiceName:payment) Duration:>=200ms'));
    expect(param('mode')).toBeNull();
  });

  it('is offered for traces only', async () => {
    routes();
    renderAt('/search?source=logs&range=1h&mode=deltas', '/search', <SearchPage />);
    await screen.findByTestId('result-count');
    expect(screen.queryByTestId('deltas-view')).toBeNull();
    expect(screen.getByText('Event Deltas compares span durations: switch to Traces.')).toBeTruthy();
    expect(screen.getByTestId('deltas-mode').getAttribute('title')).toBe('Event Deltas compares span durations: switch to Traces.');
  });
});

describe('Search: TraceQL', () => {
  const SPANS = { rows: [{ Timestamp: '2026-12-06T06:00:00.000000001Z', TraceId: 'ab', SpanId: 'cd', ServiceName: 'payment', SpanName: 'Charge', Duration: 20e6 }], count: 1 };

  it('is a language choice for traces only; picking it keeps the query in the URL', async () => {
    routes();
    const r = renderAt('/search?source=logs&range=1h', '/search', <SearchPage />);
    await screen.findByTestId('result-count');
    expect(screen.queryByText('TraceQL')).toBeNull();
    r.unmount();
    routes();
    renderAt('/search?source=traces&range=1h', '/search', <SearchPage />);
    await screen.findByTestId('result-count');
    fireEvent.click(screen.getByText('TraceQL'));
    await waitFor(() => expect(param('lang')).toBe('traceql'));
  });

  it('sends whereLanguage traceql to /api/search only: no histogram, fields or analysis modes', async () => {
    const calls = routes({ 'POST /api/search': () => SPANS });
    renderAt('/search?source=traces&range=1h&lang=traceql&q={ status = error }', '/search', <SearchPage />);
    await waitFor(() => expect(screen.getByTestId('result-count').textContent).toBe('1 results'));
    const req = calls.find((c) => c.path === '/api/search')!.body as any;
    expect(req).toMatchObject({ source: 'traces', query: '{ status = error }', whereLanguage: 'traceql', limit: 500 });
    expect(calls.filter((c) => c.path === '/api/chart' || c.path === '/api/facets')).toEqual([]);
    expect(screen.getByTestId('traceql-note')).toBeTruthy();
    expect(screen.getByText('Event Patterns').closest('label')?.getAttribute('data-disabled')).toBe('true');
  });

  it('shows the server error with a caret at the position', async () => {
    routes({ 'POST /api/search': () => [400, { error: 'invalid TraceQL query: 1:8: expected a value', position: 7 }] });
    renderAt('/search?source=traces&range=1h&lang=traceql&q={ name = }', '/search', <SearchPage />);
    const note = await screen.findByTestId('error-note');
    expect(note.textContent).toContain('invalid TraceQL query');
    expect(screen.getByTestId('error-position').textContent).toBe('{ name = }\n       ^');
  });

  it('reads lang=traceql as Search for logs', async () => {
    const calls = routes();
    renderAt('/search?source=logs&range=1h&lang=traceql&q=level:error', '/search', <SearchPage />);
    await screen.findByTestId('result-count');
    expect((calls.find((c) => c.path === '/api/search')!.body as any).whereLanguage).toBe('lucene');
  });
});

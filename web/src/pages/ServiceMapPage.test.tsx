import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, waitFor } from '@testing-library/react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import ServiceMapPage from './ServiceMapPage';

// Charts are drawn by ECharts on a canvas jsdom does not have; the test
// checks the queries behind them instead.
vi.mock('../components/EChart', () => ({
  EChart: ({ testId }: { testId?: string }) => <div data-testid={testId} />,
}));

const vector = (rows: [Record<string, string>, number][]) => ({
  status: 'success', data: { resultType: 'vector', result: rows.map(([metric, v]) => ({ metric, value: [1767225600, String(v)] })) },
});

/** answer plays the Prometheus API for the topology frontend → checkout → payment, checkout → orders (database). */
function answer(url: string): unknown {
  const u = new URL(url, 'http://x');
  const q = u.searchParams.get('query') ?? '';
  if (u.pathname.endsWith('/query_range')) {
    return { status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values: [[1767225600, '1'], [1767225615, '2']] }] } };
  }
  if (q.includes('histogram_quantile') && q.includes('traces_spanmetrics')) {
    return vector([[{ service: 'frontend' }, 0.12], [{ service: 'checkout' }, 0.06], [{ service: 'payment' }, 0.02]]);
  }
  if (q.includes('histogram_quantile')) return vector([[{ client: 'checkout', server: 'payment', connection_type: '' }, 0.025]]);
  if (q.includes('STATUS_CODE_ERROR')) return vector([[{ service: 'payment' }, 0.8]]);
  if (q.includes('traces_spanmetrics_calls_total')) return vector([[{ service: 'frontend' }, 2], [{ service: 'checkout' }, 2], [{ service: 'payment' }, 2]]);
  if (q.includes('request_failed_total')) return vector([[{ client: 'checkout', server: 'payment', connection_type: '' }, 0.8]]);
  return vector([
    [{ client: 'user', server: 'frontend', connection_type: 'virtual_node' }, 2],
    [{ client: 'frontend', server: 'checkout', connection_type: '' }, 2],
    [{ client: 'checkout', server: 'payment', connection_type: '' }, 2],
    [{ client: 'checkout', server: 'orders', connection_type: 'database' }, 4],
  ]);
}

function SearchStub() {
  const loc = useLocation();
  return <div data-testid="search-page">{loc.search}</div>;
}

function renderPage(fetchAnswer = answer) {
  const fetchMock = vi.fn(async (url: string) =>
    new Response(JSON.stringify(fetchAnswer(url)), { status: 200, headers: { 'Content-Type': 'application/json' } }));
  vi.stubGlobal('fetch', fetchMock);
  const r = render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <MantineProvider>
        <MemoryRouter initialEntries={['/service-map?range=1h']}>
          <Routes>
            <Route path="/service-map" element={<ServiceMapPage />} />
            <Route path="/search" element={<SearchStub />} />
          </Routes>
        </MemoryRouter>
      </MantineProvider>
    </QueryClientProvider>,
  );
  return { ...r, fetchMock };
}

const urls = (m: ReturnType<typeof vi.fn>) => m.mock.calls.map((c) => new URL(String(c[0]), 'http://x'));

afterEach(() => vi.unstubAllGlobals());

describe('ServiceMapPage', () => {
  it('draws services and calls from the span metrics and the service graph', async () => {
    const r = renderPage();
    await waitFor(() => expect(r.getAllByTestId('map-node')).toHaveLength(5));
    expect(r.getByTestId('map-summary').textContent).toBe('5 services, 4 connections');
    expect(r.getAllByTestId('map-edge')).toHaveLength(4);
    const payment = r.container.querySelector('[data-testid="map-node"][data-id="payment"]')!;
    expect(payment.textContent).toContain('payment');
    expect(payment.textContent).toContain('2.0/s · 40.0% · p95 20ms');
    // Six instant queries over the hour, at its end.
    const instant = urls(r.fetchMock).filter((u) => u.pathname === '/prometheus/api/v1/query');
    expect(instant).toHaveLength(6);
    expect(instant.every((u) => u.searchParams.get('query')!.includes('[3600s]'))).toBe(true);
  });

  it('selecting a service shows its RED charts and opens Search on its traces', async () => {
    const r = renderPage();
    await waitFor(() => expect(r.getAllByTestId('map-node')).toHaveLength(5));
    fireEvent.click(r.container.querySelector('[data-testid="map-node"][data-id="payment"]')!);
    expect(r.getByTestId('map-panel-title').textContent).toBe('payment');
    expect(r.getByTestId('map-stats').textContent).toContain('40.0%');
    await waitFor(() => expect(r.getByTestId('red-rate')).toBeTruthy());
    const ranges = urls(r.fetchMock).filter((u) => u.pathname === '/prometheus/api/v1/query_range').map((u) => u.searchParams.get('query')!);
    expect(ranges).toHaveLength(4);
    expect(ranges.every((q) => q.includes('service="payment"'))).toBe(true);
    fireEvent.click(r.getByTestId('map-search-link'));
    const search = new URLSearchParams(r.getByTestId('search-page').textContent!);
    expect(Object.fromEntries(search)).toEqual({ source: 'traces', q: 'ServiceName:"payment"', range: '1h' });
  });

  it('selecting a call opens Search on the client and server spans', async () => {
    const r = renderPage();
    await waitFor(() => expect(r.getAllByTestId('map-edge')).toHaveLength(4));
    fireEvent.click(r.container.querySelector('[data-testid="map-edge"][data-client="checkout"][data-server="payment"]')!);
    expect(r.getByTestId('map-panel-title').textContent).toBe('checkout → payment');
    expect(r.getByTestId('map-stats').textContent).toContain('25ms');
    fireEvent.click(r.getByTestId('map-search-link'));
    const search = new URLSearchParams(r.getByTestId('search-page').textContent!);
    expect(search.get('q')).toBe('(ServiceName:"checkout" SpanKind:("Client" OR "Producer")) OR (ServiceName:"payment" SpanKind:("Server" OR "Consumer"))');
  });

  it('explains an empty map', async () => {
    const r = renderPage(() => vector([]));
    await waitFor(() => expect(r.getByTestId('map-empty')).toBeTruthy());
    expect(r.queryByTestId('service-map')).toBeNull();
  });
});

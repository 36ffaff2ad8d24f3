// Test harness for pages: providers, a URL probe, and fetch mocked with
// answers of exactly the API contracts' shapes.
import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';
import { vi } from 'vitest';

export interface Call {
  method: string;
  path: string;
  body: unknown;
}

/** A route answers a request (method and path prefix) with a JSON body, or a [status, body] pair. */
export type Handler = (body: any, path: string) => unknown;

/**
 * mockApi replaces fetch: each request is matched to the first key
 * "METHOD /path" whose path is a prefix of the request's; unmatched
 * requests get a 404 with an error. Returns the recorded calls.
 */
export function mockApi(routes: Record<string, Handler>): Call[] {
  const calls: Call[] = [];
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const path = String(input);
    const method = init?.method ?? 'GET';
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    calls.push({ method, path, body });
    for (const [k, h] of Object.entries(routes)) {
      const [m, p] = k.split(' ');
      if (m === method && path.startsWith(p)) {
        const out = h(body, path);
        const [status, data] = Array.isArray(out) && typeof out[0] === 'number' ? out : [200, out];
        return new Response(JSON.stringify(data), { status: status as number, headers: { 'Content-Type': 'application/json' } });
      }
    }
    return new Response(JSON.stringify({ error: `no route ${method} ${path}` }), { status: 404 });
  });
  return calls;
}

/** location holds the URL the app navigated to last. */
export const location = { pathname: '', search: '' };

function Probe() {
  const l = useLocation();
  location.pathname = l.pathname;
  location.search = l.search;
  return null;
}

/** param reads a query parameter of the current URL. */
export function param(name: string): string | null {
  return new URLSearchParams(location.search).get(name);
}

export function renderAt(url: string, path: string, element: ReactNode) {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false } } });
  return render(
    <QueryClientProvider client={qc}>
      <MantineProvider>
        <MemoryRouter initialEntries={[url]}>
          <Probe />
          <Routes><Route path={path} element={element} /></Routes>
        </MemoryRouter>
      </MantineProvider>
    </QueryClientProvider>,
  );
}

/** EChartStub stands in for the ECharts canvas (no canvas in jsdom) and keeps the props of each chart by testId. */
export const charts: Record<string, any> = {};
export function EChartStub(p: any) {
  if (p.testId) charts[p.testId] = p;
  return <div data-testid={p.testId ?? 'echart'} />;
}

import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MetricEntry } from '../api/metrics';
import { LabelList } from './LabelList';
import type { LabelFilter } from './labels';

const metric: MetricEntry = { name: 'temporal_cloud_v1_workflow_success_count', type: 'gauge' };
const range = { start: '2026-01-01T00:00:00Z', end: '2026-01-01T01:00:00Z' };

function answer(url: string): unknown {
  if (url.startsWith('/api/metrics/labels/values?')) {
    const q = new URLSearchParams(url.split('?')[1]);
    if (q.get('key') === 'broken') return { status: 400, body: { error: 'key is required with column=Attributes' } };
    return { status: 200, body: { values: [{ value: 'prod.a1b2', series: 3 }, { value: 'dev.c3d4', series: 1 }] } };
  }
  return { status: 200, body: { series: 4, labels: [
    { column: 'Attributes', key: 'temporal_namespace', series: 4, values: 2 },
    { column: 'Attributes', key: 'broken', series: 1, values: 1 },
    { column: 'ResourceAttributes', key: 'k8s.pod.name', series: 4, values: 1 },
  ] } };
}

function renderList(filters: LabelFilter[] = []) {
  const fetchMock = vi.fn(async (url: string) => {
    const a = answer(url) as { status: number; body: unknown };
    return new Response(JSON.stringify(a.body), { status: a.status, headers: { 'Content-Type': 'application/json' } });
  });
  vi.stubGlobal('fetch', fetchMock);
  const onFilter = vi.fn<(f: LabelFilter) => void>();
  const onGroupBy = vi.fn<(g: string[]) => void>();
  const r = render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <MantineProvider>
        <LabelList metric={metric} range={range} filters={filters} onFilter={onFilter} groupBy={[]} onGroupBy={onGroupBy} />
      </MantineProvider>
    </QueryClientProvider>,
  );
  return { ...r, fetchMock, onFilter, onGroupBy };
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('LabelList', () => {
  it('lists label keys and loads values only when asked', async () => {
    const r = renderList();
    const keys = await r.findAllByTestId('label-key');
    expect(keys.map((k) => k.textContent)).toEqual(['temporal_namespace', 'broken', 'resource.k8s.pod.name']);
    expect(r.fetchMock).toHaveBeenCalledTimes(1);
    fireEvent.click(r.getAllByTestId('show-values')[0]);
    const prod = await r.findByLabelText('filter prod.a1b2');
    expect(r.fetchMock.mock.calls[1][0]).toContain('column=Attributes&key=temporal_namespace');
    fireEvent.click(prod);
    expect(r.onFilter).toHaveBeenCalledWith({ column: 'Attributes', key: 'temporal_namespace', value: 'prod.a1b2' });
    fireEvent.click(r.getByLabelText('exclude dev.c3d4'));
    expect(r.onFilter).toHaveBeenLastCalledWith({ column: 'Attributes', key: 'temporal_namespace', value: 'dev.c3d4', exclude: true });
  });
  it('groups by the label expression', async () => {
    const r = renderList();
    fireEvent.click(await r.findByLabelText('group by resource.k8s.pod.name'));
    expect(r.onGroupBy).toHaveBeenCalledWith(["ResourceAttributes['k8s.pod.name']"]);
  });
  it("shows the server's message when values fail", async () => {
    const r = renderList();
    await r.findAllByTestId('label-key');
    fireEvent.click(r.getAllByTestId('show-values')[1]);
    expect((await r.findByTestId('error-note')).textContent).toContain('key is required with column=Attributes');
  });
});

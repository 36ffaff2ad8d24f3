/* eslint-disable @typescript-eslint/no-explicit-any */
import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Row } from '../api/types';
import { mockApi } from '../test/harness';
import { columnValues } from './ColumnValues';
import { fmtUnit, infraResource, panelOption } from './InfrastructureTab';
import { RowPanel } from './RowPanel';

vi.mock('./EChart', async () => ({ EChart: (await import('../test/harness')).EChartStub }));

afterEach(() => vi.restoreAllMocks());

const span: Row = {
  Timestamp: '2026-12-06T06:30:00.123456789Z', TraceId: 'ab'.repeat(16), SpanId: 'cd'.repeat(8), ServiceName: 'payment', SpanName: 'charge',
  Duration: 40_000_000, StatusCode: 'Error', StatusMessage: '',
  ResourceAttributes: { 'k8s.pod.name': 'payment-7d9f', 'k8s.node.name': 'node-1', 'service.name': 'payment' },
  SpanAttributes: { 'app.payment.card_type': 'visa' },
};

const t = Date.UTC(2026, 11, 6, 6, 30) / 1000;
const INFRA = {
  start: '2026-12-06T06:00:00Z', end: '2026-12-06T07:00:00Z',
  matches: [{ kind: 'pod', attribute: 'k8s.pod.name', value: 'payment-7d9f' }, { kind: 'node', attribute: 'k8s.node.name', value: 'node-1' }],
  panels: [
    { kind: 'pod', title: 'Pod CPU', metric: 'k8s.pod.cpu.usage', unit: '1', series: [{ name: 'payment-7d9f', points: [[t - 60, 0.2], [t, 0.9]] }] },
    { kind: 'pod', title: 'Pod memory', metric: 'k8s.pod.memory.usage', unit: 'By', series: [{ name: 'payment-7d9f', points: [[t - 60, 2 ** 20], [t, 3 * 2 ** 29]] }] },
  ],
  missing: ['host.name'],
};

function open(row: Row, tab: string) {
  const onFilter = vi.fn();
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <MantineProvider><MemoryRouter><RowPanel row={row} source="traces" onClose={() => undefined} onFilter={onFilter} /></MemoryRouter></MantineProvider>
    </QueryClientProvider>,
  );
  fireEvent.click(screen.getByRole('tab', { name: tab }));
  return onFilter;
}

describe('Infrastructure tab', () => {
  it('asks for the event\'s pod, node and host around its time, charts the panels with the event marked, and switches to 1 d', async () => {
    const calls = mockApi({ 'POST /api/infrastructure': () => INFRA });
    open(span, 'Infrastructure');
    const panels = await screen.findAllByTestId('infra-panel');
    expect(panels.map((p) => p.textContent)).toEqual(['Pod CPU k8s.pod.cpu.usage', 'Pod memory k8s.pod.memory.usage']);
    expect(screen.getAllByTestId('infra-match').map((m) => m.textContent)).toEqual(['pod: payment-7d9f', 'node: node-1']);
    expect(screen.getByTestId('infra-missing').textContent).toContain('host.name');
    expect(calls[0].body).toEqual({ resource: { 'k8s.pod.name': 'payment-7d9f', 'k8s.node.name': 'node-1' }, time: span.Timestamp, window: '1h' });
    fireEvent.click(screen.getByText('1d'));
    await waitFor(() => expect(calls.some((c) => (c.body as any)?.window === '1d')).toBe(true));
  });

  it('names the missing attributes when the event has none to match', async () => {
    mockApi({ 'POST /api/infrastructure': () => ({ start: INFRA.start, end: INFRA.end, matches: [], panels: [], missing: ['k8s.pod.name', 'k8s.node.name', 'host.name'] }) });
    open({ ...span, ResourceAttributes: { 'service.name': 'payment' } }, 'Infrastructure');
    const empty = await screen.findByTestId('infra-empty');
    expect(empty.textContent).toContain('no k8s.pod.name, k8s.node.name, host.name resource attribute');
  });

  it('marks the event time and formats values by unit', () => {
    const o = panelOption(INFRA.panels[1] as any, Date.parse(INFRA.start), Date.parse(INFRA.end), t * 1000) as any;
    expect(o.series[0].markLine.data).toEqual([{ xAxis: t * 1000 }]);
    expect(o.series[0].data[1]).toEqual([t * 1000, 3 * 2 ** 29]);
    expect(fmtUnit(3 * 2 ** 29, 'By')).toBe('1.5 GiB');
    expect(fmtUnit(0.9, '1')).toBe('90.0%');
    expect(infraResource(span)).toEqual({ 'k8s.pod.name': 'payment-7d9f', 'k8s.node.name': 'node-1' });
  });
});

describe('Column Values tab', () => {
  it('lists every column, empty ones too, then every attribute; durations read as durations and filter on the raw value', () => {
    const cv = columnValues(span);
    expect(cv.map((c) => c.field)).toEqual([
      'Timestamp', 'TraceId', 'SpanId', 'ServiceName', 'SpanName', 'Duration', 'StatusCode', 'StatusMessage',
      'ResourceAttributes.k8s.node.name', 'ResourceAttributes.k8s.pod.name', 'ResourceAttributes.service.name', 'SpanAttributes.app.payment.card_type',
    ]);
    expect(cv.find((c) => c.field === 'Duration')).toMatchObject({ value: '40000000', display: '40 ms (40000000 ns)' });
  });

  it('filters in and out from the tab', () => {
    const onFilter = open(span, 'Column Values');
    expect(screen.getAllByTestId('column-value')).toHaveLength(12);
    fireEvent.click(screen.getByLabelText('column filter in SpanAttributes.app.payment.card_type'));
    expect(onFilter).toHaveBeenCalledWith('SpanAttributes.app.payment.card_type', 'visa', true);
    fireEvent.click(screen.getByLabelText('column filter out Duration'));
    expect(onFilter).toHaveBeenCalledWith('Duration', '40000000', false);
  });
});

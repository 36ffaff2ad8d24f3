import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, render, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { charts, mockApi } from '../test/harness';
import { ChartView } from './ChartView';

vi.mock('../components/EChart', async () => ({ EChart: (await import('../test/harness')).EChartStub }));

afterEach(() => vi.restoreAllMocks());

const t0 = Date.UTC(2026, 11, 6, 6, 0);
const step = 60_000;

describe('ChartView heatmap', () => {
  it('a drag across the heatmap zooms to the buckets it covers (its x axis is bucket indexes)', async () => {
    mockApi({
      'POST /api/chart': (b: { displayType?: string }) => (b.displayType === 'heatmap'
        ? { series: [{ name: 'a', select: 0, bin: [1e6, 2e6], points: [0, 1, 2, 3].map((i) => [t0 + i * step, 1]) }], meta: { source: 'traces', displayType: 'heatmap', start: t0, end: t0 + 4 * step, stepMillis: step } }
        : { series: [], meta: { source: 'traces', displayType: 'line', start: t0, end: t0 + 4 * step, stepMillis: step } }),
    });
    const onZoom = vi.fn();
    render(
      <QueryClientProvider client={new QueryClient()}>
        <MantineProvider>
          <ChartView config={{ source: 'traces', displayType: 'heatmap', select: [{ aggFn: 'count', valueExpression: 'Duration' }] }} start="s" end="e" height={300} onZoom={onZoom} />
        </MantineProvider>
      </QueryClientProvider>,
    );
    await waitFor(() => expect(charts.chart?.option?.xAxis?.data).toHaveLength(4));
    act(() => charts.chart.onBrushX([2, 1]));
    expect(onZoom).toHaveBeenCalledWith([t0 + step, t0 + 3 * step]);
  });
});

import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api } from '../api/client';
import type { ChartConfig } from '../api/types';
import { ChartBuilder } from './ChartBuilder';
import { fmtPercent, tableHeads, valueFormatter } from './chartOptions';

const errorsAndRequests: ChartConfig = {
  source: 'traces', displayType: 'line', groupBy: ['ServiceName'],
  select: [{ aggFn: 'count', alias: 'errors', aggCondition: 'StatusCode:Error' }, { aggFn: 'count', alias: 'requests' }],
};

function renderBuilder(value: ChartConfig) {
  const onChange = vi.fn<(c: ChartConfig) => void>();
  const r = render(
    <QueryClientProvider client={new QueryClient()}>
      <MantineProvider>
        <ChartBuilder value={value} onChange={onChange} onRun={() => undefined} fields={[]} range={{ start: '2026-01-01T00:00:00Z', end: '2026-01-01T01:00:00Z' }} />
      </MantineProvider>
    </QueryClientProvider>,
  );
  return { ...r, onChange };
}

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

describe('ChartBuilder ratio toggle', () => {
  it('appears only with exactly two series', () => {
    expect(renderBuilder({ ...errorsAndRequests, select: [{ aggFn: 'count' }] }).queryByRole('switch', { name: 'ratio' })).toBeNull();
    expect(renderBuilder({ ...errorsAndRequests, displayType: 'heatmap' }).queryByRole('switch', { name: 'ratio' })).toBeNull();
  });

  it('turns the two series into a percent ratio request', async () => {
    const { getByRole, onChange } = renderBuilder(errorsAndRequests);
    fireEvent.click(getByRole('switch', { name: 'ratio' }));
    expect(onChange).toHaveBeenCalledTimes(1);
    const next = onChange.mock.calls[0][0];
    expect(next).toMatchObject({ seriesReturnType: 'ratio', numberFormat: { output: 'percent' } });
    expect(next.select).toEqual(errorsAndRequests.select);

    // The request: HyperDX vocabulary with seriesReturnType; the UI-only
    // name and numberFormat stay behind.
    const fetchMock = vi.spyOn(globalThis, 'fetch').mockResolvedValue(new Response('{"series":[],"meta":{}}', { status: 200 }));
    await api.chart({ ...next, name: 'Error rate', start: 's', end: 'e' });
    const body = JSON.parse(fetchMock.mock.calls[0][1]!.body as string);
    expect(body).toEqual({
      source: 'traces', displayType: 'line', groupBy: ['ServiceName'], select: errorsAndRequests.select,
      seriesReturnType: 'ratio', start: 's', end: 'e',
    });
  });

  it('turns off, and a third series drops the ratio', () => {
    const ratio: ChartConfig = { ...errorsAndRequests, seriesReturnType: 'ratio', numberFormat: { output: 'percent' } };
    const { getByRole, getByText, onChange } = renderBuilder(ratio);
    expect((getByRole('switch', { name: 'ratio' }) as HTMLInputElement).checked).toBe(true);
    fireEvent.click(getByRole('switch', { name: 'ratio' }));
    expect(onChange.mock.calls[0][0]).toMatchObject({ seriesReturnType: undefined, numberFormat: undefined });
    fireEvent.click(getByText('+ series'));
    expect(onChange.mock.calls[1][0]).toMatchObject({ seriesReturnType: undefined });
    expect(onChange.mock.calls[1][0].select).toHaveLength(3);
  });
});

describe('ratio formatting', () => {
  const ratio: ChartConfig = { ...errorsAndRequests, seriesReturnType: 'ratio', numberFormat: { output: 'percent' } };
  it('formats values as percentages', () => {
    expect(fmtPercent(0.0525)).toBe('5.25%');
    expect(fmtPercent(1, 1)).toBe('100.0%');
    expect(valueFormatter(ratio)(0.25)).toBe('25%');
  });
  it('never formats a ratio of durations as a duration', () => {
    const p99OverP50: ChartConfig = { source: 'traces', seriesReturnType: 'ratio',
      select: [{ aggFn: 'p99', valueExpression: 'Duration' }, { aggFn: 'p50', valueExpression: 'Duration' }] };
    expect(valueFormatter(p99OverP50)(2.5)).toBe('2.5');
  });
  it('has one table column for the ratio', () => {
    expect(tableHeads(ratio)).toEqual(['errors / requests']);
    expect(tableHeads(errorsAndRequests)).toEqual(['errors', 'requests']);
  });
});

describe('ChartBuilder heatmap', () => {
  it('does not offer group by with a heatmap, and switching to one drops it', () => {
    const heat = renderBuilder({ ...errorsAndRequests, select: [{ aggFn: 'count', valueExpression: 'Duration' }], displayType: 'heatmap', groupBy: [] });
    expect(heat.queryByLabelText('group by')).toBeNull();
    expect(heat.getByTestId('heatmap-no-group-by')).toBeTruthy();
    cleanup();
    const line = renderBuilder({ ...errorsAndRequests, select: [{ aggFn: 'count' }] });
    expect(line.getByLabelText('group by')).toBeTruthy();
    fireEvent.click(line.getByText('Heatmap'));
    expect(line.onChange.mock.calls[0][0]).toMatchObject({ displayType: 'heatmap', groupBy: [] });
  });
});

import { Center, Loader, Table, Text, Title } from '@mantine/core';
import { keepPreviousData, useQueries } from '@tanstack/react-query';
import { useMemo } from 'react';
import { api } from '../api/client';
import type { ChartConfig, Variable } from '../api/types';
import { timeSeriesOption, valueFormatter } from '../chart/chartOptions';
import { EChart } from '../components/EChart';
import { ErrorNote } from '../components/ErrorNote';
import { promStep } from '../metrics/PromQLPanel';
import { builtins, interpolate, promChartResult, promSeries, reduce, type VarValues } from './variables';

interface Props {
  config: ChartConfig;
  variables: Variable[];
  values: VarValues;
  /** range in ms */
  start: number;
  end: number;
  height: number;
}

/** PromTile draws a 'promql' tile: its queries, with the dashboard's variables substituted, as lines, bars, a number or a table. */
export function PromTile({ config, variables, values, start, end, height }: Props) {
  const step = promStep(start, end);
  const queries = config.queries ?? [];
  const exprs = useMemo(() => {
    const b = builtins(step, end - start);
    return queries.map((q) => interpolate(q.expr, variables, values, b));
  }, [queries, variables, values, step, start, end]);
  const results = useQueries({
    queries: queries.map((q, i) => ({
      queryKey: ['promtile', exprs[i], q.instant, start, end, step],
      queryFn: ({ signal }: { signal: AbortSignal }) => (q.instant
        ? api.promInstant({ query: exprs[i], time: end / 1000 }, signal)
        : api.promRange({ query: exprs[i], start: start / 1000, end: end / 1000, step }, signal)),
      placeholderData: keepPreviousData,
    })),
  });
  const dt = config.displayType ?? 'line';
  const error = results.find((r) => r.error)?.error;
  const ready = results.every((r) => r.data);
  const series = useMemo(() => (ready ? promSeries(results.map((r, i) => ({ res: r.data!, legend: queries[i].legend }))) : []),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [ready, ...results.map((r) => r.data), queries]);
  const chart = useMemo(() => promChartResult(series, start, end, dt), [series, start, end, dt]);
  const option = useMemo(() => timeSeriesOption(chart, config, dt === 'stacked_bar'), [chart, config, dt]);

  if (error) return <ErrorNote error={error} title="PromQL failed" />;
  if (!ready) return <Center h={height}><Loader size="sm" /></Center>;
  const fmt = valueFormatter(config);
  if (dt === 'number') {
    const v = series.length ? reduce(series[0].points, config.reduce) : null;
    return <Center h={height} data-testid="chart-number"><Title order={1}>{v == null ? '–' : fmt(v)}</Title></Center>;
  }
  if (dt === 'table') {
    return (
      <div style={{ maxHeight: height, overflow: 'auto' }}>
        <Table striped fz="xs" data-testid="chart-table">
          <Table.Thead><Table.Tr><Table.Th>series</Table.Th><Table.Th>{config.reduce ?? 'last'}</Table.Th></Table.Tr></Table.Thead>
          <Table.Tbody>
            {series.map((s, i) => {
              const v = reduce(s.points, config.reduce);
              return <Table.Tr key={i}><Table.Td>{s.name}</Table.Td><Table.Td>{v == null ? '–' : fmt(v)}</Table.Td></Table.Tr>;
            })}
          </Table.Tbody>
        </Table>
        {series.length === 0 && <Text size="xs" c="dimmed" p="xs" data-testid="chart-empty">No series match these queries in this time range.</Text>}
      </div>
    );
  }
  return (
    <div style={{ position: 'relative' }}>
      {series.length === 0 && (
        <Text size="xs" c="dimmed" data-testid="chart-empty" style={{ position: 'absolute', left: 80, top: 36, zIndex: 1 }}>
          No series match these queries in this time range.
        </Text>
      )}
      <EChart option={option} height={height} testId="chart" />
    </div>
  );
}

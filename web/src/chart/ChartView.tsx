import { Center, Loader, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { api } from '../api/client';
import type { ChartConfig } from '../api/types';
import { EChart } from '../components/EChart';
import { ErrorNote } from '../components/ErrorNote';
import { columnFormatter, heatmapGrid, heatmapOption, tableHeads, tableRows, timeSeriesOption, zeroDurationChart } from './chartOptions';
import { emptyHint } from './emptyHint';

interface Props {
  config: ChartConfig;
  start: string;
  end: string;
  height: number | string;
  onZoom?: (r: [number, number]) => void;
}

/** noData: a result without any non-null point. */
function noData(series: { points: [number, number | null][] }[]): boolean {
  return series.every((s) => s.points.every((p) => p[1] == null));
}

/** ChartView runs a chart config over a range and draws it by displayType. */
export function ChartView({ config, start, end, height, onZoom }: Props) {
  const dt = config.displayType ?? 'line';
  const q = useQuery({
    queryKey: ['chart', config, start, end],
    queryFn: ({ signal }) => api.chart({ ...config, start, end }, signal),
    enabled: dt !== 'markdown' && config.select.length > 0,
    placeholderData: (prev) => prev,
  });
  // A duration heatmap's log axis has no room for 0 ns spans: count them beside it.
  const zeroConfig = dt === 'heatmap' ? zeroDurationChart(config) : null;
  const zero = useQuery({
    queryKey: ['chart', zeroConfig, start, end],
    queryFn: ({ signal }) => api.chart({ ...zeroConfig!, start, end }, signal),
    enabled: zeroConfig !== null,
    placeholderData: (prev) => prev,
  });
  const option = useMemo(() => {
    if (!q.data) return null;
    if (dt === 'heatmap') return heatmapOption(q.data, config, { zero: zero.data, height: typeof height === 'number' ? height : undefined });
    return timeSeriesOption(q.data, config, dt === 'stacked_bar');
  }, [q.data, zero.data, config, dt, height]);

  if (dt === 'markdown') return <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>{config.where ?? ''}</Text>;
  if (q.error) return <ErrorNote error={q.error} title="Chart failed" />;
  if (!q.data) return <Center h={height}><Loader size="sm" /></Center>;
  if (dt === 'number') {
    const fmt = columnFormatter(config, 0);
    const v = tableRows(q.data)[0]?.values[0] ?? null;
    return <Center h={height} data-testid="chart-number"><Title order={1}>{v == null ? '–' : fmt(v)}</Title></Center>;
  }
  if (dt === 'table') {
    const rows = tableRows(q.data);
    const heads = tableHeads(config);
    const fmts = heads.map((_, i) => columnFormatter(config, i));
    return (
      <div style={{ maxHeight: height, overflow: 'auto' }}>
        <Table striped fz="xs" data-testid="chart-table">
          <Table.Thead><Table.Tr><Table.Th>{(config.groupBy ?? []).join(', ') || 'series'}</Table.Th>{heads.map((h, i) => <Table.Th key={i}>{h}</Table.Th>)}</Table.Tr></Table.Thead>
          <Table.Tbody>
            {rows.map((r) => <Table.Tr key={r.group}><Table.Td>{r.group}</Table.Td>{r.values.map((v, i) => <Table.Td key={i}>{v == null ? '–' : fmts[i](v)}</Table.Td>)}</Table.Tr>)}
          </Table.Tbody>
        </Table>
        {rows.length === 0 && <Text size="xs" c="dimmed" p="xs" data-testid="chart-empty">{emptyHint(config)}</Text>}
      </div>
    );
  }
  // On a heatmap the x axis is categories (bucket starts): a drag gives bucket indexes.
  const data = q.data;
  const heatZoom = onZoom && (([a, b]: [number, number]) => {
    const times = heatmapGrid(data, zero.data).times;
    if (!times.length) return;
    const at = (i: number) => times[Math.min(Math.max(i, 0), times.length - 1)];
    onZoom([at(Math.min(a, b)), at(Math.max(a, b)) + (data.meta.stepMillis ?? 0)]);
  });
  const empty = noData(q.data.series) && !(zero.data && !noData(zero.data.series));
  return (
    <div style={{ position: 'relative' }}>
      {q.isFetching && <Loader size="xs" style={{ position: 'absolute', right: 4, top: 4, zIndex: 1 }} />}
      {empty && (
        <Text size="xs" c="dimmed" data-testid="chart-empty"
          style={{ position: 'absolute', left: 80, right: 16, top: 36, zIndex: 1, pointerEvents: 'none' }}>{emptyHint(config)}</Text>
      )}
      <EChart option={option!} height={height} onBrushX={dt === 'heatmap' ? heatZoom : onZoom} testId="chart" />
    </div>
  );
}

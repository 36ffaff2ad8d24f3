import { Center, Loader, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { api } from '../api/client';
import type { ChartConfig } from '../api/types';
import { EChart } from '../components/EChart';
import { ErrorNote } from '../components/ErrorNote';
import { columnFormatter, heatmapOption, tableHeads, tableRows, timeSeriesOption } from './chartOptions';

interface Props {
  config: ChartConfig;
  start: string;
  end: string;
  height: number | string;
  onZoom?: (r: [number, number]) => void;
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
  const option = useMemo(() => {
    if (!q.data) return null;
    if (dt === 'heatmap') return heatmapOption(q.data, config);
    return timeSeriesOption(q.data, config, dt === 'stacked_bar');
  }, [q.data, config, dt]);

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
      </div>
    );
  }
  return (
    <div style={{ position: 'relative' }}>
      {q.isFetching && <Loader size="xs" style={{ position: 'absolute', right: 4, top: 4, zIndex: 1 }} />}
      {q.data.series.length === 0 && <Text size="xs" c="dimmed" style={{ position: 'absolute', left: 80, top: 40 }}>No data in this range</Text>}
      <EChart option={option!} height={height} onBrushX={onZoom} testId="chart" />
    </div>
  );
}

import { Alert, Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { api, ApiError } from '../api/client';
import type { ChartResult } from '../api/types';
import { timeSeriesOption } from '../chart/chartOptions';
import { EChart } from '../components/EChart';
import { ErrorNote } from '../components/ErrorNote';

/** promStep keeps a range query near 240 points, at least 15 s apart. */
export function promStep(startMs: number, endMs: number): number {
  return Math.max(15, Math.round((endMs - startMs) / 1000 / 240));
}

/** PromQLPanel runs a range query against /prometheus/api/v1/query_range and draws its series. */
export function PromQLPanel({ query, onRun, start, end }: { query: string; onRun: (q: string) => void; start: number; end: number }) {
  const [text, setText] = useState(query);
  useEffect(() => setText(query), [query]);
  const step = promStep(start, end);
  const q = useQuery({
    queryKey: ['promql', query, start, end],
    queryFn: ({ signal }) => api.promRange({ query, start: start / 1000, end: end / 1000, step }, signal),
    enabled: !!query,
    placeholderData: (prev) => prev,
  });
  const result = q.data?.data?.result ?? [];
  const option = useMemo(() => {
    const res: ChartResult = {
      meta: { source: 'metrics', displayType: 'line', start, end },
      series: result.map((r, i) => ({
        name: Object.entries(r.metric).map(([k, v]) => `${k}=${v}`).join(', ') || `series ${i + 1}`, select: 0,
        points: (r.values ?? []).map(([t, v]) => [t * 1000, Number(v)] as [number, number]),
      })),
    };
    return timeSeriesOption(res, { source: 'metrics', select: [] }, false);
  }, [result, start, end]);
  const missing = q.error instanceof ApiError && q.error.status === 404;
  return (
    <Stack gap="xs">
      <Group gap="xs">
        <TextInput style={{ flex: 1 }} ff="monospace" value={text} aria-label="promql" data-testid="promql-input"
          placeholder="PromQL, e.g. sum by (temporal_namespace) (temporal_cloud_v1_workflow_success_count)"
          onChange={(e) => setText(e.currentTarget.value)} onKeyDown={(e) => e.key === 'Enter' && onRun(text)} />
        <Button onClick={() => onRun(text)} data-testid="promql-run">Run</Button>
      </Group>
      {missing ? (
        <Alert color="yellow" title="PromQL is not available">
          This server has no Prometheus-compatible API (/prometheus/api/v1/query_range answered 404). Use the builder tab instead.
        </Alert>
      ) : <ErrorNote error={q.error} title="PromQL failed" />}
      {q.data && !q.error && (
        <>
          <Text size="xs" c="dimmed" data-testid="promql-summary">{result.length} series, step {step} s{q.isFetching ? ' · loading…' : ''}</Text>
          <EChart option={option} height={360} testId="promql-chart" />
        </>
      )}
      {!query && <Text size="sm" c="dimmed">Write a query and press Enter; metric names are the Prometheus ones (docs/metrics.md).</Text>}
    </Stack>
  );
}

import { SimpleGrid, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { api } from '../api/client';
import type { ChartResult } from '../api/types';
import { timeSeriesOption } from '../chart/chartOptions';
import { EChart } from '../components/EChart';
import { ErrorNote } from '../components/ErrorNote';
import { promStep } from '../metrics/PromQLPanel';

const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');

/** redQueries are the range queries of a service's RED charts (rate, errors, duration). */
export function redQueries(service: string, step: number) {
  const sel = `service="${esc(service)}",span_kind=~"SPAN_KIND_SERVER|SPAN_KIND_CONSUMER"`;
  const w = `[${Math.max(60, 4 * step)}s]`;
  return {
    rate: `sum(rate(traces_spanmetrics_calls_total{${sel}}${w}))`,
    errors: `sum(rate(traces_spanmetrics_calls_total{${sel},status_code="STATUS_CODE_ERROR"}${w}))`,
    p50: `histogram_quantile(0.5, sum by (le) (rate(traces_spanmetrics_latency_bucket{${sel}}${w})))`,
    p95: `histogram_quantile(0.95, sum by (le) (rate(traces_spanmetrics_latency_bucket{${sel}}${w})))`,
  };
}

type Key = keyof ReturnType<typeof redQueries>;

function Chart({ title, keys, data, start, end, unit }: {
  title: string; keys: Key[]; data: Partial<Record<Key, [number, string][]>>; start: number; end: number; unit: string;
}) {
  const option = useMemo(() => {
    const res: ChartResult = {
      meta: { source: 'metrics', displayType: 'line', start, end },
      series: keys.map((k) => ({
        name: k, select: 0,
        points: (data[k] ?? []).map(([t, v]) => [t * 1000, Number(v)] as [number, number]),
      })),
    };
    return timeSeriesOption(res, { source: 'metrics', select: [] }, false);
  }, [keys, data, start, end]);
  return (
    <Stack gap={2}>
      <Text size="xs" fw={600}>{title} <Text span size="xs" c="dimmed">({unit})</Text></Text>
      <EChart option={option} height={140} testId={`red-${title.toLowerCase()}`} />
    </Stack>
  );
}

/** REDPanel charts a service's request rate, errors and duration from the span metrics. */
export function REDPanel({ service, start, end }: { service: string; start: number; end: number }) {
  const step = promStep(start, end);
  const qs = redQueries(service, step);
  const q = useQuery({
    queryKey: ['red', service, start, end],
    queryFn: async ({ signal }) => {
      const keys = Object.keys(qs) as Key[];
      const answers = await Promise.all(keys.map((k) => api.promRange({ query: qs[k], start: start / 1000, end: end / 1000, step }, signal)));
      const out: Partial<Record<Key, [number, string][]>> = {};
      keys.forEach((k, i) => { out[k] = answers[i].data?.result?.[0]?.values ?? []; });
      return out;
    },
  });
  return (
    <Stack gap="xs" data-testid="red-panel">
      <ErrorNote error={q.error} title="RED charts failed" />
      {q.data && (
        <SimpleGrid cols={1} spacing="xs">
          <Chart title="Rate" keys={['rate']} data={q.data} start={start} end={end} unit="requests/s" />
          <Chart title="Errors" keys={['errors']} data={q.data} start={start} end={end} unit="failed requests/s" />
          <Chart title="Duration" keys={['p50', 'p95']} data={q.data} start={start} end={end} unit="seconds" />
        </SimpleGrid>
      )}
    </Stack>
  );
}

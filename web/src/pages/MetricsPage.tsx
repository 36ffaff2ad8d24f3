import { Alert, Badge, Button, Group, Paper, Select, Stack, Tabs, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { api, ApiError } from '../api/client';
import type { ChartConfig, ChartResult } from '../api/types';
import { MetricInput } from '../chart/ChartBuilder';
import { timeSeriesOption } from '../chart/chartOptions';
import { ChartView } from '../chart/ChartView';
import { EChart } from '../components/EChart';
import { ErrorNote } from '../components/ErrorNote';
import { TimePicker } from '../components/TimePicker';
import { formatRange, parseRange, resolve, toIso } from '../lib/time';

/** PromQL runs a range query against /prometheus/api/v1 when it exists. */
function PromQL({ start, end }: { start: number; end: number }) {
  const [text, setText] = useState('');
  const [query, setQuery] = useState('');
  const step = Math.max(15, Math.round((end - start) / 1000 / 120));
  const q = useQuery({
    queryKey: ['promql', query, start, end],
    queryFn: ({ signal }) => api.promRange({ query, start: start / 1000, end: end / 1000, step }, signal),
    enabled: !!query,
  });
  const option = useMemo(() => {
    const result = q.data?.data?.result ?? [];
    const res: ChartResult = {
      meta: { source: 'metrics', displayType: 'line', start, end },
      series: result.map((r, i) => ({
        name: Object.entries(r.metric).map(([k, v]) => `${k}=${v}`).join(', ') || `series ${i}`, select: 0,
        points: (r.values ?? []).map(([t, v]) => [t * 1000, Number(v)] as [number, number]),
      })),
    };
    return timeSeriesOption(res, { source: 'metrics', select: [] }, false);
  }, [q.data, start, end]);
  const missing = q.error instanceof ApiError && q.error.status === 404;
  return (
    <Stack gap="xs">
      <Group gap="xs">
        <TextInput style={{ flex: 1 }} placeholder="PromQL, e.g. sum by (temporal_namespace) (temporal_cloud_v1_workflow_success_count)" value={text}
          onChange={(e) => setText(e.currentTarget.value)} onKeyDown={(e) => e.key === 'Enter' && setQuery(text)} aria-label="promql" />
        <Button onClick={() => setQuery(text)}>Run</Button>
      </Group>
      {missing ? <Alert color="yellow" title="PromQL is not available">This server has no Prometheus-compatible API (/prometheus/api/v1/query_range answered 404). Use the builder tab instead.</Alert>
        : <ErrorNote error={q.error} title="PromQL failed" />}
      {q.data && <EChart option={option} height={360} />}
    </Stack>
  );
}

/** MetricsPage: search metric names, see their type, chart them with label filters, or write PromQL. */
export default function MetricsPage() {
  const [sp, setSp] = useSearchParams();
  const range = parseRange(sp.get('range'), '1h');
  const iso = useMemo(() => toIso(resolve(range)), [sp.get('range')]); // eslint-disable-line react-hooks/exhaustive-deps
  const [name, setName] = useState(sp.get('metric') ?? '');
  const [type, setType] = useState(sp.get('type') ?? 'gauge');
  const [agg, setAgg] = useState('max');
  const [where, setWhere] = useState('');
  const [groupBy, setGroupBy] = useState('');
  const [applied, setApplied] = useState<ChartConfig | null>(null);
  const run = () => setApplied({
    source: 'metrics', displayType: 'line', granularity: 'auto', where, whereLanguage: 'lucene', groupBy: groupBy ? [groupBy] : [],
    select: [{ aggFn: agg, valueExpression: 'Value', metricName: name, metricType: type }],
  });
  const abs = resolve(range);
  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Title order={3}>Metrics Explorer</Title>
        <TimePicker value={range} onChange={(r) => { const n = new URLSearchParams(sp); n.set('range', formatRange(r)); setSp(n); }} />
      </Group>
      <Tabs defaultValue="builder">
        <Tabs.List><Tabs.Tab value="builder">Builder</Tabs.Tab><Tabs.Tab value="promql">PromQL</Tabs.Tab></Tabs.List>
        <Tabs.Panel value="builder" pt="sm">
          <Paper withBorder p="sm">
            <Group gap="xs" align="flex-end">
              <MetricInput label="Metric" value={name} range={iso} onPick={(n, t) => { setName(n); if (t) setType(t); }} />
              <Badge variant="light" data-testid="metric-type">{type}</Badge>
              <Select label="Aggregation" w={120} value={agg} onChange={(v) => setAgg(v ?? 'max')} allowDeselect={false}
                data={type === 'sum' ? ['rate', 'increase', 'sum', 'max', 'last_value'] : type === 'histogram' ? ['p50', 'p90', 'p95', 'p99', 'avg', 'count'] : ['max', 'min', 'avg', 'sum', 'last_value']} />
              <TextInput label="Label filter" w={260} placeholder="ServiceName:payment" value={where} onChange={(e) => setWhere(e.currentTarget.value)} onKeyDown={(e) => e.key === 'Enter' && run()} />
              <TextInput label="Group by label" w={200} placeholder="Attributes['pod']" value={groupBy} onChange={(e) => setGroupBy(e.currentTarget.value)} />
              <Button onClick={run} disabled={!name}>▶ Run</Button>
            </Group>
          </Paper>
          {applied ? <Paper withBorder p="sm" mt="sm"><ChartView config={applied} start={iso.start} end={iso.end} height={360} /></Paper>
            : <Text c="dimmed" size="sm" mt="sm">Search a metric name (e.g. temporal, cache) and run.</Text>}
        </Tabs.Panel>
        <Tabs.Panel value="promql" pt="sm"><PromQL start={abs.start} end={abs.end} /></Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

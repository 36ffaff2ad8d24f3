import { Grid, Group, Paper, Stack, Tabs, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { metricsApi, type MetricEntry, type MetricType } from '../api/metrics';
import { ErrorNote } from '../components/ErrorNote';
import { TimePicker } from '../components/TimePicker';
import { formatRange, parseRange, resolve, toIso } from '../lib/time';
import { LabelList } from '../metrics/LabelList';
import { toggleFilter, promQuery, type LabelFilter } from '../metrics/labels';
import { MetricChart } from '../metrics/MetricChart';
import { MetricBadges, MetricSearch } from '../metrics/MetricSearch';
import { PromQLPanel } from '../metrics/PromQLPanel';

/** readJSON parses a URL parameter holding JSON (fallback when absent or invalid). */
function readJSON<T>(s: string | null, fallback: T): T {
  if (!s) return fallback;
  try {
    return JSON.parse(s) as T;
  } catch {
    return fallback;
  }
}

/** MetricInfo is the chosen metric's header: name, type, unit, help and Prometheus name. */
function MetricInfo({ m }: { m: MetricEntry }) {
  return (
    <Paper withBorder p="xs" data-testid="metric-info">
      <Group justify="space-between" wrap="nowrap">
        <Text fw={600} ff="monospace" data-testid="metric-name">{m.name}</Text>
        <MetricBadges m={m} />
      </Group>
      <Text size="sm" data-testid="metric-help">{m.description || <Text span c="dimmed" size="sm">no description (help) was stored</Text>}</Text>
      {m.promName && <Text size="xs" c="dimmed">PromQL: <Text span ff="monospace" size="xs">{m.promName}</Text> ({m.promType})</Text>}
    </Paper>
  );
}

/** MetricsPage: search metrics (type, unit, help), pick label filters from their label keys and values, chart them; or write PromQL. */
export default function MetricsPage() {
  const [sp, setSp] = useSearchParams();
  const range = parseRange(sp.get('range'), '1h');
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const iso = useMemo(() => toIso(resolve(range)), [sp.get('range')]);
  const abs = useMemo(() => ({ start: Date.parse(iso.start), end: Date.parse(iso.end) }), [iso]);
  const name = sp.get('metric') ?? '';
  const type = (sp.get('type') ?? 'gauge') as MetricType;
  const tab = sp.get('tab') === 'promql' ? 'promql' : 'builder';
  const filters = useMemo(() => readJSON<LabelFilter[]>(sp.get('filters'), []), [sp]);
  const groupBy = useMemo(() => readJSON<string[]>(sp.get('groupBy'), []), [sp]);
  const set = (patch: Record<string, string | null>) => {
    const n = new URLSearchParams(sp);
    for (const [k, v] of Object.entries(patch)) {
      if (v) n.set(k, v);
      else n.delete(k);
    }
    setSp(n);
  };
  const info = useQuery({
    queryKey: ['metricInfo', name, type, iso.start.slice(0, 16)],
    queryFn: ({ signal }) => metricsApi.list({ q: name, limit: 100, ...iso }, signal),
    enabled: !!name,
    staleTime: 30_000,
  });
  const metric = info.data?.metrics.find((m) => m.name === name && m.type === type);
  const setFilters = (f: LabelFilter[]) => set({ filters: f.length ? JSON.stringify(f) : null });
  const setGroupBy = (g: string[]) => set({ groupBy: g.length ? JSON.stringify(g) : null });
  const select = (m: MetricEntry) => set({ metric: m.name, type: m.type, filters: null, groupBy: null });
  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Title order={3}>Metrics Explorer</Title>
        <TimePicker value={range} onChange={(r) => set({ range: formatRange(r) })} />
      </Group>
      <Tabs value={tab} onChange={(t) => set({ tab: t === 'promql' ? 'promql' : null })}>
        <Tabs.List>
          <Tabs.Tab value="builder">Builder</Tabs.Tab>
          <Tabs.Tab value="promql">PromQL</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="builder" pt="sm">
          <Grid gap="sm">
            <Grid.Col span={{ base: 12, md: 4 }}>
              <MetricSearch range={iso} selected={metric} onSelect={select} />
            </Grid.Col>
            <Grid.Col span={{ base: 12, md: 8 }}>
              {!name && <Text c="dimmed" size="sm">Pick a metric to see its type, unit, help and labels, and to chart it.</Text>}
              <ErrorNote error={info.error} title="Loading the metric failed" />
              {name && info.data && !metric && <Text c="dimmed" size="sm">No {type} metric named {name} has points in this range.</Text>}
              {metric && (
                <Stack gap="sm">
                  <MetricInfo m={metric} />
                  <MetricChart metric={metric} filters={filters} onRemoveFilter={(f) => setFilters(filters.filter((x) => x !== f))}
                    groupBy={groupBy} range={iso} onPromQL={() => set({ tab: 'promql', promql: promQuery(metric, filters) })} />
                  <LabelList metric={metric} range={iso} filters={filters} onFilter={(f) => setFilters(toggleFilter(filters, f))}
                    groupBy={groupBy} onGroupBy={setGroupBy} />
                </Stack>
              )}
            </Grid.Col>
          </Grid>
        </Tabs.Panel>
        <Tabs.Panel value="promql" pt="sm">
          <PromQLPanel query={sp.get('promql') ?? ''} onRun={(q) => set({ promql: q })} start={abs.start} end={abs.end} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

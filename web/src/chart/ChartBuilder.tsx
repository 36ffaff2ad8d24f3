import { ActionIcon, Autocomplete, Button, Checkbox, Group, SegmentedControl, Select, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import type { ChartConfig, ChartSelect, ChartSource, DisplayType } from '../api/types';
import { isRatioChart } from './chartOptions';
import { FieldInput } from '../components/FieldInput';

export const AGG_FNS = ['count', 'count_distinct', 'sum', 'avg', 'min', 'max', 'p50', 'p90', 'p95', 'p99', 'last_value', 'rate', 'increase'];
export const GRANULARITIES = ['auto', '30 second', '1 minute', '5 minute', '15 minute', '1 hour', '1 day'];
export const DISPLAY_TYPES: { value: DisplayType; label: string }[] = [
  { value: 'line', label: 'Line' }, { value: 'stacked_bar', label: 'Stacked bar' }, { value: 'table', label: 'Table' },
  { value: 'number', label: 'Number' }, { value: 'heatmap', label: 'Heatmap' },
];

interface Props {
  value: ChartConfig;
  onChange: (c: ChartConfig) => void;
  onRun: () => void;
  fields: string[];
  range: { start: string; end: string };
}

/** MetricInput searches metric names with their type (from /api/values). */
export function MetricInput({ value, onPick, range, label }: { value: string; onPick: (name: string, type?: string) => void; range: { start: string; end: string }; label?: string }) {
  const q = useQuery({
    queryKey: ['metricNames', value, range.start.slice(0, 13)],
    queryFn: ({ signal }) => api.values({ source: 'metrics', field: 'MetricName', prefix: value, limit: 30, ...range }, signal),
    staleTime: 30_000,
  });
  const vals = q.data?.values ?? [];
  return (
    <Autocomplete
      label={label} placeholder="metric name, e.g. cache" value={value} aria-label="metric"
      data={vals.map((v) => v.value)}
      renderOption={({ option }) => <Text size="sm">{option.value} <Text span c="dimmed" size="xs">{vals.find((v) => v.value === option.value)?.type ?? ''}</Text></Text>}
      filter={({ options }) => options}
      onChange={(v) => onPick(v, vals.find((x) => x.value === v)?.type)}
      w={340}
    />
  );
}

/** ChartBuilder edits a chart config without writing SQL. */
export function ChartBuilder({ value: c, onChange, onRun, fields, range }: Props) {
  const set = (p: Partial<ChartConfig>) => onChange({ ...c, ...p });
  const setSel = (i: number, p: Partial<ChartSelect>) => set({ select: c.select.map((s, j) => (j === i ? { ...s, ...p } : s)) });
  const metrics = c.source === 'metrics';
  // A ratio needs exactly two series: changing their number drops it.
  const setSelects = (select: ChartSelect[]) => set(select.length === 2 ? { select } : { select, ...withoutRatio(c) });
  return (
    <Stack gap="xs">
      <Group gap="xs" align="flex-end">
        <Select label="Data source" w={130} value={c.source} allowDeselect={false} aria-label="data source"
          data={[{ value: 'logs', label: 'Logs' }, { value: 'traces', label: 'Traces' }, { value: 'metrics', label: 'Metrics' }]}
          onChange={(v) => set({ source: v as ChartSource, select: [{ aggFn: v === 'metrics' ? 'max' : 'count' }], groupBy: [], ...withoutRatio(c) })} />
        <SegmentedControl value={c.displayType ?? 'line'} data={DISPLAY_TYPES}
          onChange={(v) => set({ displayType: v as DisplayType, ...(v === 'heatmap' ? { ...withoutRatio(c), groupBy: [] } : {}) })} />
        <Select label="Granularity" w={130} value={c.granularity ?? 'auto'} data={GRANULARITIES} allowDeselect={false} onChange={(v) => set({ granularity: v ?? 'auto' })} />
      </Group>
      {c.select.map((s, i) => (
        <Group key={i} gap="xs" align="flex-end" data-testid="select-row">
          <Select label={i === 0 ? 'Aggregation' : undefined} w={150} value={s.aggFn ?? 'count'} data={AGG_FNS} allowDeselect={false}
            aria-label="aggregation" onChange={(v) => setSel(i, { aggFn: v ?? 'count' })} />
          {metrics ? (
            <MetricInput label={i === 0 ? 'Metric' : undefined} value={s.metricName ?? ''} range={range}
              onPick={(name, type) => setSel(i, { metricName: name, metricType: type ?? s.metricType ?? 'gauge', valueExpression: 'Value' })} />
          ) : (
            <FieldInput label={i === 0 ? 'Column / expression' : undefined} w={340} fields={fields} placeholder={s.aggFn === 'count' ? '(rows)' : 'Duration'}
              value={s.valueExpression ?? ''} onChange={(v) => setSel(i, { valueExpression: v })} aria-label="value expression" />
          )}
          <TextInput label={i === 0 ? 'Alias' : undefined} w={140} value={s.alias ?? ''} onChange={(e) => setSel(i, { alias: e.currentTarget.value })} />
          {c.select.length > 1 && <ActionIcon variant="subtle" aria-label="remove series" onClick={() => setSelects(c.select.filter((_, j) => j !== i))}>×</ActionIcon>}
        </Group>
      ))}
      <Group gap="xs">
        <Button size="compact-xs" variant="subtle" onClick={() => setSelects([...c.select, { aggFn: 'count' }])}>+ series</Button>
        {c.select.length === 2 && c.displayType !== 'heatmap' && <RatioControls value={c} onChange={set} />}
      </Group>
      <Group gap="xs" align="flex-end">
        <TextInput label="Where" style={{ flex: 1 }} placeholder={c.whereLanguage === 'sql' ? "ServiceName = 'payment'" : 'ServiceName: payment'}
          value={c.where ?? ''} onChange={(e) => set({ where: e.currentTarget.value })} aria-label="where"
          onKeyDown={(e) => e.key === 'Enter' && onRun()} />
        <SegmentedControl size="xs" value={c.whereLanguage ?? 'lucene'} data={[{ value: 'lucene', label: 'Search' }, { value: 'sql', label: 'SQL' }]}
          onChange={(v) => set({ whereLanguage: v as 'lucene' | 'sql' })} />
        {c.displayType === 'heatmap' ? (
          <Text size="xs" c="dimmed" w={340} data-testid="heatmap-no-group-by">A heatmap shows one distribution: no group by (use a line chart to compare groups).</Text>
        ) : (
          <FieldInput label="Group by" w={340} fields={fields} value={(c.groupBy ?? []).join(', ')} placeholder="e.g. type card"
            onChange={(v) => set({ groupBy: v.trim() ? [v] : [] })} aria-label="group by" />
        )}
        <Button onClick={onRun} data-testid="chart-run">▶ Run</Button>
      </Group>
      {metrics && <Text size="xs" c="dimmed">Metrics: filters and group-by resolve attribute keys (e.g. ServiceName: payment, k8s.pod.name).</Text>}
    </Stack>
  );
}

/** withoutRatio clears a ratio and the percent format that came with it. */
function withoutRatio(c: ChartConfig): Partial<ChartConfig> {
  if (c.seriesReturnType !== 'ratio') return {};
  return { seriesReturnType: undefined, numberFormat: c.numberFormat?.output === 'percent' ? undefined : c.numberFormat };
}

/**
 * RatioControls: with two series, "ratio" charts series 1 ÷ series 2 as one
 * series per group (HyperDX's seriesReturnType ratio, e.g. errors /
 * requests), shown as a percentage unless unticked.
 */
function RatioControls({ value: c, onChange }: { value: ChartConfig; onChange: (p: Partial<ChartConfig>) => void }) {
  const ratio = isRatioChart(c);
  return (
    <>
      <Switch size="xs" label="Ratio (series 1 ÷ series 2)" checked={ratio} aria-label="ratio" data-testid="ratio-toggle"
        onChange={(e) => onChange(e.currentTarget.checked
          ? { seriesReturnType: 'ratio', numberFormat: c.numberFormat ?? { output: 'percent' } }
          : withoutRatio(c))} />
      {ratio && (
        <Checkbox size="xs" label="as %" aria-label="percent" checked={c.numberFormat?.output === 'percent'}
          onChange={(e) => onChange({ numberFormat: e.currentTarget.checked ? { output: 'percent' } : undefined })} />
      )}
    </>
  );
}

import { Alert, Badge, Button, CloseButton, Group, Paper, SegmentedControl, Select, Stack, Text } from '@mantine/core';
import { useMemo, useState } from 'react';
import type { MetricEntry } from '../api/metrics';
import type { ChartConfig, DisplayType } from '../api/types';
import { ChartView } from '../chart/ChartView';
import { SaveToDashboard } from '../dashboard/SaveToDashboard';
import { aggregationsFor, filtersToSql, labelName, type LabelFilter } from './labels';

interface Props {
  metric: MetricEntry;
  filters: LabelFilter[];
  onRemoveFilter: (f: LabelFilter) => void;
  groupBy: string[];
  range: { start: string; end: string };
  onPromQL: () => void;
}

/** metricChartConfig is the /api/chart request of the explorer's selection. */
export function metricChartConfig(m: MetricEntry, aggFn: string, filters: LabelFilter[], groupBy: string[], displayType: DisplayType): ChartConfig {
  return {
    name: m.name, source: 'metrics', displayType, granularity: 'auto',
    select: [{ aggFn, valueExpression: 'Value', metricName: m.name, metricType: m.type }],
    where: filtersToSql(filters), whereLanguage: 'sql', groupBy,
  };
}

/** MetricChart charts the chosen metric with the chosen label filters and group-by, redrawing as they change. */
export function MetricChart({ metric, filters, onRemoveFilter, groupBy, range, onPromQL }: Props) {
  const aggs = aggregationsFor(metric.type);
  const [picked, setPicked] = useState<string | null>(null);
  const [display, setDisplay] = useState<DisplayType>('line');
  const [saving, setSaving] = useState(false);
  const agg = picked && aggs?.includes(picked) ? picked : aggs?.[0] ?? '';
  const config = useMemo(() => metricChartConfig(metric, agg, filters, groupBy, display), [metric, agg, filters, groupBy, display]);
  return (
    <Paper withBorder p="sm">
      <Stack gap="xs">
        <Group gap="xs" align="flex-end">
          {aggs && <Select label="Aggregation" w={130} value={agg} data={aggs} allowDeselect={false} aria-label="metric aggregation" onChange={setPicked} />}
          {aggs && <SegmentedControl size="xs" value={display} onChange={(v) => setDisplay(v as DisplayType)}
            data={[{ value: 'line', label: 'Line' }, { value: 'stacked_bar', label: 'Stacked bar' }, { value: 'table', label: 'Table' }]} />}
          <Button variant="light" size="xs" onClick={onPromQL} data-testid="open-promql">Open in PromQL</Button>
          {aggs && <Button variant="light" size="xs" onClick={() => setSaving(true)}>Save to dashboard</Button>}
        </Group>
        <Group gap={6} data-testid="chosen-filters">
          <Text size="xs" c="dimmed">Filters:</Text>
          {filters.length === 0 && <Text size="xs" c="dimmed">none — open a label's values and pick one</Text>}
          {filters.map((f) => (
            <Badge key={`${f.column}:${f.key}:${f.value}:${f.exclude}`} variant="light" color={f.exclude ? 'red' : undefined} data-testid="chosen-filter"
              rightSection={<CloseButton size="xs" aria-label="remove filter" onClick={() => onRemoveFilter(f)} />} style={{ textTransform: 'none' }}>
              {labelName(f.column, f.key)} {f.exclude ? '≠' : '='} {f.value}
            </Badge>
          ))}
          {groupBy.length > 0 && <Text size="xs" c="dimmed">grouped by {groupBy.join(', ')}</Text>}
        </Group>
        {aggs ? <ChartView config={config} start={range.start} end={range.end} height={340} />
          : <Alert color="blue" title={`${metric.type} metrics are charted with PromQL`}>The chart builder handles gauges, sums and histograms; use “Open in PromQL”.</Alert>}
      </Stack>
      {aggs && <SaveToDashboard opened={saving} onClose={() => setSaving(false)} config={config} />}
    </Paper>
  );
}

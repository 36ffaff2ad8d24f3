import { ActionIcon, Badge, Button, Checkbox, Group, Loader, Paper, Stack, Table, Text, Tooltip } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { Range } from '../api/client';
import { metricsApi, type MetricEntry, type MetricLabel } from '../api/metrics';
import { ErrorNote } from '../components/ErrorNote';
import { labelExpr, labelName, type LabelFilter } from './labels';

const COLUMN_NOTE: Record<string, string> = { Attributes: 'point', ResourceAttributes: 'resource', ServiceName: 'service' };

interface Props {
  metric: MetricEntry;
  range: Range;
  filters: LabelFilter[];
  onFilter: (f: LabelFilter) => void;
  groupBy: string[];
  onGroupBy: (g: string[]) => void;
}

/** LabelValues loads one label's values on demand; a value filters in (+) or out (−). */
function LabelValues({ metric, range, label, filters, onFilter }: { metric: MetricEntry; range: Range; label: MetricLabel } & Pick<Props, 'filters' | 'onFilter'>) {
  const q = useQuery({
    queryKey: ['metricLabelValues', metric.name, metric.type, label.column, label.key, range.start.slice(0, 16), range.end.slice(0, 16)],
    queryFn: ({ signal }) => metricsApi.values({ name: metric.name, type: metric.type, column: label.column, key: label.key, ...range }, signal),
  });
  if (q.error) return <ErrorNote error={q.error} title="Label values failed" />;
  if (!q.data) return <Loader size="xs" />;
  const chosen = (v: string) => filters.find((f) => f.column === label.column && (f.key ?? '') === (label.key ?? '') && f.value === v);
  return (
    <Group gap={6} data-testid="label-values">
      {q.data.values.map((v) => {
        const c = chosen(v.value);
        return (
          <Group key={v.value} gap={0} wrap="nowrap">
            <Button size="compact-xs" variant={c && !c.exclude ? 'filled' : 'light'} data-testid="label-value" aria-label={`filter ${v.value}`}
              onClick={() => onFilter({ column: label.column, key: label.key, value: v.value })}>
              {v.value} <Text span size="xs" c="dimmed" ml={4}>{v.series}</Text>
            </Button>
            <Tooltip label={`exclude ${v.value}`}>
              <ActionIcon size="sm" variant={c?.exclude ? 'filled' : 'subtle'} color="red" aria-label={`exclude ${v.value}`}
                onClick={() => onFilter({ column: label.column, key: label.key, value: v.value, exclude: true })}>−</ActionIcon>
            </Tooltip>
          </Group>
        );
      })}
    </Group>
  );
}

/** LabelList shows a metric's label keys (with series and value counts); values load when a key is opened. */
export function LabelList({ metric, range, filters, onFilter, groupBy, onGroupBy }: Props) {
  const q = useQuery({
    queryKey: ['metricLabels', metric.name, metric.type, range.start.slice(0, 16), range.end.slice(0, 16)],
    queryFn: ({ signal }) => metricsApi.labels({ name: metric.name, type: metric.type, ...range }, signal),
  });
  const [open, setOpen] = useState<Record<string, boolean>>({});
  if (q.error) return <ErrorNote error={q.error} title="Labels failed" />;
  if (!q.data) return <Group gap="xs"><Loader size="xs" /><Text size="sm">Loading labels…</Text></Group>;
  return (
    <Paper withBorder p="xs">
      <Text size="sm" fw={600} mb={4}>Labels <Text span size="xs" c="dimmed">({q.data.series} series in the range)</Text></Text>
      <Table fz="sm" verticalSpacing={4} data-testid="label-list">
        <Table.Thead><Table.Tr><Table.Th>label</Table.Th><Table.Th>values</Table.Th><Table.Th>group by</Table.Th></Table.Tr></Table.Thead>
        <Table.Tbody>
          {q.data.labels.map((l) => {
            const id = `${l.column}:${l.key ?? ''}`;
            const expr = labelExpr(l.column, l.key);
            return (
              <Table.Tr key={id} data-testid="label-row">
                <Table.Td style={{ verticalAlign: 'top' }}>
                  <Text size="sm" ff="monospace" data-testid="label-key">{labelName(l.column, l.key)}</Text>
                  <Badge size="xs" variant="outline" color="gray">{COLUMN_NOTE[l.column]}</Badge>
                </Table.Td>
                <Table.Td>
                  <Stack gap={4}>
                    <Button size="compact-xs" variant="subtle" w="fit-content" data-testid="show-values"
                      onClick={() => setOpen((o) => ({ ...o, [id]: !o[id] }))}>
                      {open[id] ? 'hide' : 'show'} {l.values} value{l.values === 1 ? '' : 's'}
                    </Button>
                    {open[id] && <LabelValues metric={metric} range={range} label={l} filters={filters} onFilter={onFilter} />}
                  </Stack>
                </Table.Td>
                <Table.Td style={{ verticalAlign: 'top' }}>
                  <Checkbox size="xs" aria-label={`group by ${labelName(l.column, l.key)}`} checked={groupBy.includes(expr)}
                    onChange={(e) => onGroupBy(e.currentTarget.checked ? [...groupBy, expr] : groupBy.filter((g) => g !== expr))} />
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Paper>
  );
}

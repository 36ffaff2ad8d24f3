import { Badge, Group, Paper, ScrollArea, Stack, Text, TextInput, UnstyledButton } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { Range } from '../api/client';
import { metricsApi, type MetricEntry } from '../api/metrics';
import { ErrorNote } from '../components/ErrorNote';

export const TYPE_COLOR: Record<string, string> = { gauge: 'blue', sum: 'green', histogram: 'orange', exponential_histogram: 'orange', summary: 'grape' };

/** MetricBadges shows a metric's type, unit and Prometheus name. */
export function MetricBadges({ m }: { m: MetricEntry }) {
  return (
    <Group gap={4} wrap="nowrap">
      <Badge size="xs" variant="light" color={TYPE_COLOR[m.type] ?? 'gray'} data-testid="metric-type">{m.type}</Badge>
      {m.temporality === 'delta' && <Badge size="xs" variant="outline" color="gray">delta</Badge>}
      {m.unit && <Badge size="xs" variant="outline" color="gray" data-testid="metric-unit" style={{ textTransform: 'none' }}>unit {m.unit}</Badge>}
    </Group>
  );
}

/** MetricSearch lists the stored metrics whose name (stored or Prometheus) contains the search text. */
export function MetricSearch({ range, selected, onSelect }: { range: Range; selected?: MetricEntry; onSelect: (m: MetricEntry) => void }) {
  const [text, setText] = useState('');
  const [q] = useDebouncedValue(text.trim(), 200);
  const list = useQuery({
    queryKey: ['metricList', q, range.start.slice(0, 16), range.end.slice(0, 16)],
    queryFn: ({ signal }) => metricsApi.list({ q, limit: 100, ...range }, signal),
    placeholderData: (prev) => prev,
    staleTime: 30_000,
  });
  const metrics = list.data?.metrics ?? [];
  const isSel = (m: MetricEntry) => selected?.name === m.name && selected.type === m.type;
  return (
    <Stack gap={6}>
      <TextInput placeholder="Search metrics, e.g. temporal_cloud or cache" value={text} aria-label="metric search" data-autofocus
        onChange={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => { if (e.key === 'Enter' && metrics[0]) onSelect(metrics[0]); }} />
      <ErrorNote error={list.error} title="Listing metrics failed" />
      <Text size="xs" c="dimmed">{list.data ? `${metrics.length}${metrics.length === 100 ? '+' : ''} metric${metrics.length === 1 ? '' : 's'} in the range` : 'Loading metrics…'}</Text>
      <Paper withBorder>
        <ScrollArea.Autosize mah={420}>
          {metrics.map((m) => (
            <UnstyledButton key={`${m.type}:${m.name}`} onClick={() => onSelect(m)} data-testid="metric-option" w="100%" px="xs" py={4}
              style={{ display: 'block', borderBottom: '1px solid var(--mantine-color-default-border)', background: isSel(m) ? 'var(--mantine-primary-color-light)' : undefined }}>
              <Group justify="space-between" wrap="nowrap" gap="xs">
                <Text size="sm" ff="monospace" truncate="end">{m.name}</Text>
                <MetricBadges m={m} />
              </Group>
              {m.description && <Text size="xs" c="dimmed" lineClamp={1}>{m.description}</Text>}
            </UnstyledButton>
          ))}
          {list.data && metrics.length === 0 && <Text size="sm" c="dimmed" p="xs">No metric in this range matches “{q}”.</Text>}
        </ScrollArea.Autosize>
      </Paper>
    </Stack>
  );
}

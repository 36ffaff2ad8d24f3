import { Badge, Group, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { analysisApi, type Pattern } from '../api/analysis';
import type { Source, WhereLanguage } from '../api/types';
import { ErrorNote } from '../components/ErrorNote';
import { colorsFor, fmtNumber } from '../lib/format';
import { Sparkline } from './Sparkline';

interface Props {
  source: Source;
  query: string;
  language: WhereLanguage;
  start: string;
  end: string;
  /** a pattern was clicked: show its events */
  onPick: (p: Pattern) => void;
}

/**
 * PatternsView (analysis mode "Event Patterns"): the events in range
 * clustered into patterns (POST /api/patterns), most frequent first, each
 * with its count, error count, trend and services. Clicking a row filters
 * the results to that pattern's events.
 */
export function PatternsView({ source, query, language, start, end, onPick }: Props) {
  const q = useQuery({
    queryKey: ['patterns', source, query, language, start, end],
    queryFn: ({ signal }) => analysisApi.patterns({ source, query, whereLanguage: language, start, end, limit: 50 }, signal),
    placeholderData: (p) => p,
  });
  if (q.error) return <ErrorNote error={q.error} title="Event Patterns failed" />;
  const d = q.data;
  const colors = colorsFor((d?.patterns ?? []).flatMap((p) => p.services));
  return (
    <div style={{ flex: 1, minHeight: 0, overflow: 'auto', border: '1px solid var(--mantine-color-default-border)', borderRadius: 4 }} data-testid="patterns-view">
      <Group gap="xs" p="xs">
        {d && <Text size="xs" c="dimmed" data-testid="patterns-summary">{d.patterns.length} patterns in {fmtNumber(d.rowsScanned)} {source === 'logs' ? 'logs' : 'spans'}</Text>}
        {d?.sampled && (
          <Group gap={4} data-testid="patterns-sampled">
            <Badge size="xs" variant="light" color="yellow">sampled</Badge>
            <Text size="xs" c="dimmed">patterns were found on a sample of the range; the listed patterns' counts are exact</Text>
          </Group>
        )}
        {q.isFetching && <Badge size="xs" variant="light">loading…</Badge>}
      </Group>
      <Table highlightOnHover fz="xs" stickyHeader>
        <Table.Thead>
          <Table.Tr><Table.Th w={90} ta="right">Count</Table.Th><Table.Th w={140}>Trend</Table.Th><Table.Th>Pattern</Table.Th><Table.Th w={220}>Services</Table.Th></Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {d?.patterns.map((p) => (
            <Table.Tr key={p.pattern} onClick={() => onPick(p)} style={{ cursor: 'pointer' }} data-testid="pattern-row">
              <Table.Td ta="right">
                <Text size="xs" fw={600}>{fmtNumber(p.count)}</Text>
                {p.errorCount > 0 && <Text size="10px" c="red" data-testid="pattern-errors">{fmtNumber(p.errorCount)} errors</Text>}
              </Table.Td>
              <Table.Td><Sparkline series={p.series} color={p.errorCount > 0 ? 'var(--mantine-color-red-6)' : undefined} /></Table.Td>
              <Table.Td style={{ fontFamily: 'var(--mantine-font-family-monospace)', wordBreak: 'break-word' }} data-testid="pattern-text">{p.pattern}</Table.Td>
              <Table.Td>
                <Group gap={4}>{p.services.map((s) => <Badge key={s} size="xs" variant="dot" color={colors.get(s)} tt="none">{s}</Badge>)}</Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {d && d.patterns.length === 0 && <Text size="sm" c="dimmed" p="sm">No events in this time range.</Text>}
    </div>
  );
}

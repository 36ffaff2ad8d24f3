import { Badge, Group, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client';
import type { ChartConfig, Row, Source } from '../api/types';
import { ErrorNote } from '../components/ErrorNote';
import { DEFAULT_COLUMNS, ResultsTable } from '../components/ResultsTable';
import { RowPanel } from '../components/RowPanel';

/** SAMPLE_LIMIT is how many of the newest matching rows are listed. */
export const SAMPLE_LIMIT = 50;

/**
 * SampleEvents ("Sample Matched Events" under a chart): the newest rows
 * behind the chart's where (POST /api/search), opening the row panel on a
 * click. Metrics charts have no events to list.
 */
export function SampleEvents({ config, start, end, onFilter }: {
  config: ChartConfig; start: string; end: string; onFilter: (field: string, value: string, include: boolean) => void;
}) {
  const [selected, setSelected] = useState<Row | null>(null);
  const source = config.source === 'metrics' ? null : (config.source as Source);
  const q = useQuery({
    queryKey: ['sample-events', source, config.where, config.whereLanguage, start, end],
    queryFn: ({ signal }) => api.search({ source: source!, query: config.where ?? '', whereLanguage: config.whereLanguage ?? 'lucene', start, end, limit: SAMPLE_LIMIT }, signal),
    enabled: source !== null,
    placeholderData: (p) => p,
  });
  return (
    <div data-testid="sample-events">
      <Group gap="xs" mb={4}>
        <Text size="sm" fw={600}>Sample Matched Events</Text>
        {source && q.data && <Text size="xs" c="dimmed" data-testid="sample-events-count">newest {Math.min(SAMPLE_LIMIT, q.data.rows.length)} of {q.data.count.toLocaleString()} {source === 'logs' ? 'logs' : 'spans'} matching the chart's where</Text>}
        {q.isFetching && <Badge size="xs" variant="light">loading…</Badge>}
      </Group>
      {!source && <Text size="xs" c="dimmed">A metrics chart has no events to list: chart logs or traces to see the rows behind it.</Text>}
      {source && (q.error ? <ErrorNote error={q.error} title="Sample events failed" /> : (
        <div style={{ height: 300, display: 'flex' }}>
          <ResultsTable rows={q.data?.rows ?? []} columns={DEFAULT_COLUMNS[source]} onSelect={setSelected} selected={selected} />
        </div>
      ))}
      {source && <RowPanel row={selected} source={source} onClose={() => setSelected(null)} onFilter={(f, v, inc) => { setSelected(null); onFilter(f, v, inc); }} />}
    </div>
  );
}

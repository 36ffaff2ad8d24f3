import { Badge, Group, SegmentedControl, Text } from '@mantine/core';
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
 * click. A metrics chart has no rows of its own: it lists the spans (or
 * logs) matching the same where, e.g. ServiceName: payment, to read beside
 * the metric.
 */
export function SampleEvents({ config, start, end, onFilter }: {
  config: ChartConfig; start: string; end: string; onFilter: (field: string, value: string, include: boolean) => void;
}) {
  const [selected, setSelected] = useState<Row | null>(null);
  const [beside, setBeside] = useState<Source>('traces');
  const metrics = config.source === 'metrics';
  const source: Source = metrics ? beside : (config.source as Source);
  const q = useQuery({
    queryKey: ['sample-events', source, config.where, config.whereLanguage, start, end],
    queryFn: ({ signal }) => api.search({ source, query: config.where ?? '', whereLanguage: config.whereLanguage ?? 'lucene', start, end, limit: SAMPLE_LIMIT }, signal),
    placeholderData: (p) => p,
  });
  return (
    <div data-testid="sample-events">
      <Group gap="xs" mb={4}>
        <Text size="sm" fw={600}>Sample Matched Events</Text>
        {metrics && (
          <SegmentedControl size="xs" value={beside} onChange={(v) => setBeside(v as Source)} aria-label="sample events source"
            data={[{ value: 'traces', label: 'Spans' }, { value: 'logs', label: 'Logs' }]} />
        )}
        {q.data && <Text size="xs" c="dimmed" data-testid="sample-events-count">newest {Math.min(SAMPLE_LIMIT, q.data.rows.length)} of {q.data.count.toLocaleString()} {source === 'logs' ? 'logs' : 'spans'} matching the chart's where{metrics ? ' (a metric has no events: these are beside it)' : ''}</Text>}
        {q.isFetching && <Badge size="xs" variant="light">loading…</Badge>}
      </Group>
      {q.error && metrics ? (
        <Text size="xs" c="dimmed" data-testid="sample-events-na">The chart's where does not apply to {source === 'logs' ? 'logs' : 'spans'}: {(q.error as Error).message}</Text>
      ) : q.error ? <ErrorNote error={q.error} title="Sample events failed" /> : (
        <div style={{ height: 300, display: 'flex' }}>
          <ResultsTable rows={q.data?.rows ?? []} columns={DEFAULT_COLUMNS[source]} onSelect={setSelected} selected={selected} />
        </div>
      )}
      <RowPanel row={selected} source={source} onClose={() => setSelected(null)} onFilter={(f, v, inc) => { setSelected(null); onFilter(f, v, inc); }} />
    </div>
  );
}

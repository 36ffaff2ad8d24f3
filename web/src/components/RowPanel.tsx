import { Button, Code, Drawer, Group, ScrollArea, Tabs, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../api/client';
import type { Row, Source } from '../api/types';
import { sessionLink } from '../lib/session';
import { tsMs } from '../lib/time';
import { TraceView } from '../trace/TraceView';
import { AttributeList } from './AttributeList';
import { ColumnValues } from './ColumnValues';
import { InfrastructureTab } from './InfrastructureTab';
import { ErrorNote } from './ErrorNote';
import { quoteValue } from './queryComplete';
import { ResultsTable } from './ResultsTable';

interface Props {
  row: Row | null;
  source: Source;
  onClose: () => void;
  onFilter: (field: string, value: string, include: boolean) => void;
}

/** Context: rows of the same service around the selected row's time. */
function ContextTab({ row, source }: { row: Row; source: Source }) {
  const t = tsMs(row.Timestamp);
  const q = useQuery({
    queryKey: ['context', source, row.Timestamp, row.ServiceName],
    queryFn: ({ signal }) => api.search({
      source, query: row.ServiceName ? `ServiceName:${quoteValue(String(row.ServiceName))}` : '', whereLanguage: 'lucene',
      start: new Date(t - 60_000).toISOString(), end: new Date(t + 60_000).toISOString(), limit: 200,
    }, signal),
  });
  if (q.error) return <ErrorNote error={q.error} />;
  const rows = q.data?.rows ?? [];
  const sel = rows.find((r) => r.Timestamp === row.Timestamp && r.Body === row.Body && r.SpanId === row.SpanId) ?? null;
  return (
    <div style={{ height: 500, display: 'flex' }}>
      <ResultsTable rows={rows} selected={sel} onSelect={() => undefined}
        columns={source === 'logs' ? ['Timestamp', 'SeverityText', 'Body'] : ['Timestamp', 'SpanName', 'Duration', 'StatusCode']} />
    </div>
  );
}

/** RowPanel: the side panel of a selected log or span. */
export function RowPanel({ row, source, onClose, onFilter }: Props) {
  const traceId = row?.TraceId ? String(row.TraceId) : '';
  const title = row ? String(row.Body ?? row.SpanName ?? '') : '';
  const session = row ? sessionLink(row) : '';
  return (
    <Drawer opened={!!row} onClose={onClose} position="right" size="55%" title={<Text fw={600} lineClamp={1} maw={600}>{title}</Text>} data-testid="row-panel">
      {session && (
        <Group mb="xs"><Button component={Link} to={session} size="xs" variant="light" data-testid="open-session">Open browser session</Button></Group>
      )}
      {row && (
        <Tabs defaultValue="overview" keepMounted={false}>
          <Tabs.List>
            <Tabs.Tab value="overview">Overview</Tabs.Tab>
            <Tabs.Tab value="columns">Column Values</Tabs.Tab>
            <Tabs.Tab value="infrastructure">Infrastructure</Tabs.Tab>
            <Tabs.Tab value="json">JSON</Tabs.Tab>
            <Tabs.Tab value="trace" disabled={!traceId}>Trace</Tabs.Tab>
            <Tabs.Tab value="context">Context</Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="overview" pt="sm">
            <AttributeList row={row} onFilter={onFilter} />
          </Tabs.Panel>
          <Tabs.Panel value="columns" pt="sm">
            <ColumnValues row={row} onFilter={onFilter} />
          </Tabs.Panel>
          <Tabs.Panel value="infrastructure" pt="sm">
            <InfrastructureTab row={row} />
          </Tabs.Panel>
          <Tabs.Panel value="json" pt="sm">
            <ScrollArea.Autosize mah="75vh"><Code block>{JSON.stringify(row, null, 2)}</Code></ScrollArea.Autosize>
          </Tabs.Panel>
          <Tabs.Panel value="trace" pt="sm">
            {traceId && (
              <>
                <Group mb="xs"><Button component={Link} to={`/trace/${traceId}${row.SpanId ? `?span=${row.SpanId}` : ''}`} size="xs" variant="light">Open full trace</Button></Group>
                <TraceView traceId={traceId} focusSpanId={row.SpanId ? String(row.SpanId) : undefined} onFilter={onFilter} height={360} />
              </>
            )}
          </Tabs.Panel>
          <Tabs.Panel value="context" pt="sm"><ContextTab row={row} source={source} /></Tabs.Panel>
        </Tabs>
      )}
    </Drawer>
  );
}

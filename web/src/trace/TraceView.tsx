import { Badge, Box, Button, Code, Group, Loader, ScrollArea, Stack, Tabs, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { api } from '../api/client';
import { AttributeList } from '../components/AttributeList';
import { ErrorNote } from '../components/ErrorNote';
import { ResultsTable } from '../components/ResultsTable';
import { fmtDuration } from '../lib/format';
import { sessionLink } from '../lib/session';
import { layoutTrace, type Span } from './layout';
import { Waterfall } from './Waterfall';

interface Props {
  traceId: string;
  /** span to select first (e.g. the span or log the user came from) */
  focusSpanId?: string;
  onFilter?: (field: string, value: string, include: boolean) => void;
  height?: number;
}

/** TraceView: waterfall of a whole trace, span details, correlated logs. */
export function TraceView({ traceId, focusSpanId, onFilter, height = 420 }: Props) {
  const q = useQuery({ queryKey: ['trace', traceId], queryFn: ({ signal }) => api.trace(traceId, signal) });
  const logs = useQuery({ queryKey: ['traceLogs', traceId], queryFn: ({ signal }) => api.traceLogs(traceId, signal) });
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const [selectedId, setSelectedId] = useState<string | undefined>(focusSpanId);
  const layout = useMemo(() => layoutTrace(q.data?.spans ?? [], collapsed), [q.data, collapsed]);
  const selected: Span | undefined = useMemo(() => {
    const id = selectedId ?? layout.spans.find((s) => s.error)?.id ?? layout.rows[0]?.span.id;
    return layout.spans.find((s) => s.id === id);
  }, [layout, selectedId]);

  if (q.isLoading) return <Group><Loader size="sm" /><Text size="sm">Loading trace…</Text></Group>;
  if (q.error) return <ErrorNote error={q.error} title="Trace failed" />;
  const toggle = (id: string) => setCollapsed((c) => {
    const n = new Set(c);
    if (n.has(id)) n.delete(id);
    else n.add(id);
    return n;
  });
  return (
    <Stack gap="xs" data-testid="trace-view">
      <Group gap="xs">
        <Text size="sm">Trace <Code>{traceId}</Code></Text>
        <Badge variant="light">{layout.spans.length} spans</Badge>
        <Badge variant="light">{fmtDuration(layout.duration)}</Badge>
        <Badge variant="light" color={layout.errors ? 'red' : 'gray'}>{layout.errors} errors</Badge>
        {layout.services.map((s) => <Badge key={s} variant="dot" color="gray" styles={{ root: { textTransform: 'none' } }}>{s}</Badge>)}
      </Group>
      <Waterfall rows={layout.rows} duration={layout.duration} selectedId={selected?.id} onSelect={(s) => setSelectedId(s.id)} onToggle={toggle} height={height} />
      <Tabs defaultValue="span">
        <Tabs.List>
          <Tabs.Tab value="span">Span {selected ? `· ${selected.service} ${selected.name}` : ''}</Tabs.Tab>
          <Tabs.Tab value="logs" data-testid="trace-logs-tab">Correlated logs ({logs.data?.count ?? '…'})</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="span" pt="xs">
          {selected && (
            <Box data-testid="span-detail">
              <Group gap="xs" mb="xs">
                <Text fw={600}>{selected.name}</Text>
                <Badge color={selected.error ? 'red' : 'gray'} variant="light">{String(selected.row.StatusCode ?? '')}</Badge>
                <Text size="sm">{fmtDuration(selected.duration)}</Text>
                {selected.row.StatusMessage ? <Text size="sm" c="red">{String(selected.row.StatusMessage)}</Text> : null}
                {sessionLink(selected.row) && (
                  <Button component={Link} to={sessionLink(selected.row)} size="compact-xs" variant="light" data-testid="span-open-session">Open browser session</Button>
                )}
              </Group>
              {selected.events.length > 0 && (
                <Text size="xs" mb="xs">Events: {selected.events.map((e) => `${e.name} @ ${fmtDuration(e.at - selected.start)}`).join(', ')}</Text>
              )}
              <ScrollArea.Autosize mah={320}>
                <AttributeList row={selected.row} onFilter={onFilter ?? (() => undefined)} />
              </ScrollArea.Autosize>
            </Box>
          )}
        </Tabs.Panel>
        <Tabs.Panel value="logs" pt="xs">
          {logs.error ? <ErrorNote error={logs.error} /> : (
            <div style={{ height: 260, display: 'flex' }}>
              <ResultsTable rows={logs.data?.rows ?? []} columns={['Timestamp', 'ServiceName', 'SeverityText', 'Body']} onSelect={(r) => r.SpanId && setSelectedId(String(r.SpanId))} />
            </div>
          )}
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}


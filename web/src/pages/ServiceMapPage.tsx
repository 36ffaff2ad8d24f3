import { Alert, Anchor, Badge, Button, Center, Group, Loader, Paper, ScrollArea, Stack, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { ErrorNote } from '../components/ErrorNote';
import { TimePicker } from '../components/TimePicker';
import { formatRange, parseRange, resolve, type TimeRange } from '../lib/time';
import { edgeSearch, fmtPct, fmtRate, fmtSeconds, loadMap, nodeSearch, searchUrl, type NodeStats } from '../servicemap/data';
import { REDPanel } from '../servicemap/REDPanel';
import { ServiceGraph, type Selection } from '../servicemap/ServiceGraph';

function Stats({ s }: { s: NodeStats }) {
  return (
    <Table withRowBorders={false} fz="sm" data-testid="map-stats">
      <Table.Tbody>
        <Table.Tr><Table.Td c="dimmed">Rate</Table.Td><Table.Td>{fmtRate(s.rate)}</Table.Td></Table.Tr>
        <Table.Tr><Table.Td c="dimmed">Errors</Table.Td><Table.Td>{fmtPct(s.errorRatio)}</Table.Td></Table.Tr>
        <Table.Tr><Table.Td c="dimmed">p95</Table.Td><Table.Td>{fmtSeconds(s.p95)}</Table.Td></Table.Tr>
      </Table.Tbody>
    </Table>
  );
}

/**
 * ServiceMapPage: the services and the calls between them, from the span
 * metrics and the service graph (docs/trace-metrics.md). Selecting a
 * service shows its RED charts; every selection links to Search on its traces.
 */
export default function ServiceMapPage() {
  const [sp, setSp] = useSearchParams();
  const range = parseRange(sp.get('range'), '1h');
  const rangeText = formatRange(range);
  const [nonce, setNonce] = useState(0);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const win = useMemo(() => resolve(range), [rangeText, nonce]);
  const [selected, setSelected] = useState<Selection>(null);
  const setRange = (r: TimeRange) => {
    const n = new URLSearchParams(sp);
    n.set('range', formatRange(r));
    setSp(n);
    setNonce((x) => x + 1);
  };
  const q = useQuery({
    queryKey: ['service-map', win.start, win.end],
    queryFn: ({ signal }) => loadMap(win.start, win.end, signal),
    placeholderData: (prev) => prev,
  });
  const map = q.data;
  const virtual = (id: string) => map?.nodes.find((n) => n.id === id)?.virtual ?? true;
  const node = selected?.kind === 'node' ? map?.nodes.find((n) => n.id === selected.id) : undefined;
  const edge = selected?.kind === 'edge' ? map?.edges.find((e) => e.client === selected.client && e.server === selected.server) : undefined;

  return (
    <Stack gap="xs" h="calc(100vh - 2 * var(--mantine-spacing-sm))">
      <Group justify="space-between">
        <Group gap="xs">
          <Text fw={700}>Service Map</Text>
          {map && <Text size="sm" c="dimmed" data-testid="map-summary">{map.nodes.length} services, {map.edges.length} connections</Text>}
          {q.isFetching && <Loader size="xs" />}
        </Group>
        <Group gap="xs">
          <TimePicker value={range} onChange={setRange} />
          <Button variant="default" size="sm" onClick={() => setNonce((x) => x + 1)}>Refresh</Button>
        </Group>
      </Group>
      <ErrorNote error={q.error} title="Service map failed" />
      {map && map.nodes.length === 0 && (
        <Alert color="blue" title="No service graph data in this time range" data-testid="map-empty">
          The map is drawn from the span metrics and service graph that overlook derives from incoming spans
          (traces_spanmetrics_*, traces_service_graph_*). Send traces, or pick a longer time range; the
          metrics are flushed every 15 s by default.
        </Alert>
      )}
      <Group align="stretch" gap="xs" wrap="nowrap" style={{ flex: 1, minHeight: 0 }}>
        <Paper withBorder style={{ flex: 1, minWidth: 0 }}>
          <ScrollArea h="100%">
            {!map && !q.error && <Center h={200}><Loader /></Center>}
            {map && map.nodes.length > 0 && <ServiceGraph map={map} selected={selected} onSelect={setSelected} />}
          </ScrollArea>
        </Paper>
        {(node || edge) && (
          <Paper withBorder p="sm" w={380} data-testid="map-panel">
            <ScrollArea h="100%">
              {node && (
                <Stack gap="xs">
                  <Group gap="xs">
                    <Text fw={700} data-testid="map-panel-title">{node.id}</Text>
                    {node.virtual && <Badge variant="light" color="gray">virtual</Badge>}
                  </Group>
                  <Stats s={node} />
                  <Anchor component={Link} to={searchUrl(nodeSearch(node, map!.edges), rangeText)} data-testid="map-search-link">
                    Search traces of {node.id} →
                  </Anchor>
                  {node.virtual
                    ? <Text size="sm" c="dimmed">A peer known from its callers' spans only (a database, an uninstrumented service or the callers of a root span): it has no span metrics of its own.</Text>
                    : <REDPanel service={node.id} start={win.start} end={win.end} />}
                </Stack>
              )}
              {edge && (
                <Stack gap="xs">
                  <Text fw={700} data-testid="map-panel-title">{edge.client} → {edge.server}</Text>
                  {edge.connectionType && <Badge variant="light" color="gray">{edge.connectionType}</Badge>}
                  <Stats s={edge} />
                  <Anchor component={Link} to={searchUrl(edgeSearch(edge, virtual), rangeText)} data-testid="map-search-link">
                    Search traces of these calls →
                  </Anchor>
                </Stack>
              )}
            </ScrollArea>
          </Paper>
        )}
      </Group>
    </Stack>
  );
}

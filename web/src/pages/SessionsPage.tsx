import { Badge, Button, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { sessionsApi, sessionWindow } from '../api/sessions';
import { ErrorNote } from '../components/ErrorNote';
import { TimePicker } from '../components/TimePicker';
import { formatRange, parseRange, resolve, toIso, type TimeRange } from '../lib/time';

function fmtDur(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m ${s % 60}s` : `${Math.floor(m / 60)}h ${m % 60}m`;
}

/** SessionsPage: Client Sessions — browser sessions recorded by HyperDX's browser SDK. */
export default function SessionsPage() {
  const [sp, setSp] = useSearchParams();
  const nav = useNavigate();
  const query = sp.get('q') ?? '';
  const range = parseRange(sp.get('range'), '1d');
  const [draft, setDraft] = useState(query);
  const [nonce, setNonce] = useState(0);
  useEffect(() => setDraft(query), [query]);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const iso = useMemo(() => toIso(resolve(range)), [sp.get('range'), nonce]);
  const update = (patch: Record<string, string>) => {
    const n = new URLSearchParams(sp);
    for (const [k, v] of Object.entries(patch)) {
      if (v) n.set(k, v);
      else n.delete(k);
    }
    setSp(n);
    setNonce((x) => x + 1);
  };
  const list = useQuery({
    queryKey: ['sessions', query, iso.start, iso.end],
    queryFn: ({ signal }) => sessionsApi.list({ query, start: iso.start, end: iso.end, limit: 200 }, signal),
  });
  const open = (id: string, start: string, end: string) => {
    const w = sessionWindow(start, end);
    nav(`/sessions/${encodeURIComponent(id)}?${new URLSearchParams({ start: w.start, end: w.end })}`);
  };
  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Title order={3}>Client Sessions</Title>
        <Group gap="xs">
          <Badge variant="light">Source: Sessions</Badge>
          <TimePicker value={range} onChange={(r: TimeRange) => update({ range: formatRange(r) })} />
        </Group>
      </Group>
      <form onSubmit={(e) => { e.preventDefault(); update({ q: draft }); }}>
        <Group gap="xs">
          <TextInput
            flex={1}
            placeholder="Search the sessions' spans and logs, e.g. SpanAttributes.userEmail:Braulio"
            value={draft}
            onChange={(e) => setDraft(e.currentTarget.value)}
            data-testid="sessions-query"
          />
          <Button type="submit" data-testid="sessions-search">Search</Button>
        </Group>
      </form>
      <ErrorNote error={list.error} />
      {list.data && list.data.sessions.length === 0 && (
        <Text c="dimmed" data-testid="sessions-empty">
          No sessions in this range. Sessions come from HyperDX's browser SDK pointed at this server (docs/browser-monitoring.md).
        </Text>
      )}
      {list.data && list.data.sessions.length > 0 && (
        <Table highlightOnHover striped data-testid="sessions-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>User</Table.Th><Table.Th>Started</Table.Th><Table.Th>Duration</Table.Th><Table.Th>Errors</Table.Th>
              <Table.Th>Requests</Table.Th><Table.Th>Page views</Table.Th><Table.Th>Browser</Table.Th><Table.Th>Service</Table.Th><Table.Th>Last URL</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data.sessions.map((s) => (
              <Table.Tr
                key={s.sessionId}
                style={{ cursor: 'pointer', background: s.errorCount > 0 ? 'var(--mantine-color-red-light)' : undefined }}
                onClick={() => open(s.sessionId, s.start, s.end)}
                data-testid="session-row"
                data-session-id={s.sessionId}
              >
                <Table.Td>{s.userEmail || s.userName || <Text span c="dimmed" size="sm">anonymous</Text>}</Table.Td>
                <Table.Td>{new Date(s.start).toLocaleString()}</Table.Td>
                <Table.Td>{fmtDur(s.durationMs)}</Table.Td>
                <Table.Td>{s.errorCount > 0 ? <Badge color="red">{s.errorCount}</Badge> : 0}</Table.Td>
                <Table.Td>{s.requestCount}</Table.Td>
                <Table.Td>{s.pageViews}</Table.Td>
                <Table.Td>{s.browser}</Table.Td>
                <Table.Td>{s.serviceName}</Table.Td>
                <Table.Td><Text size="sm" lineClamp={1} maw={320}>{s.lastUrl}</Text></Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

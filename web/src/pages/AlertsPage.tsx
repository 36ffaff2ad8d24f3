import { Anchor, Badge, Button, Code, Group, Menu, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { Link } from 'react-router';
import { alertsApi, conditionText, type Alert, type AlertState, type PromRule, type TestResult } from '../api/alerts';
import { ErrorNote } from '../components/ErrorNote';

const STATE_COLOR: Record<string, string> = {
  ok: 'green', alert: 'red', firing: 'red', silenced: 'gray', error: 'orange', pending: 'yellow', inactive: 'green',
};

function StateBadge({ state }: { state: string }) {
  return <Badge color={STATE_COLOR[state] ?? 'gray'} variant="light" style={{ minWidth: 'max-content' }} data-testid="alert-state">{state}</Badge>;
}

function when(iso?: string): string {
  if (!iso || iso.startsWith('0001-')) return '—';
  return new Date(iso).toLocaleString();
}

function groupText(g?: Record<string, string>): string {
  return g && Object.keys(g).length ? Object.entries(g).map(([k, v]) => `${k}=${v}`).join(' ') : '';
}

/** what describes what an alert watches, with a link to it. */
function What({ a }: { a: Alert }) {
  if (a.dashboardId) return <Anchor component={Link} to={`/dashboards/${a.dashboardId}`} size="sm">tile {a.tileId}</Anchor>;
  const q = new URLSearchParams({ source: a.source ?? 'logs', q: a.query ?? '' });
  if (a.whereLanguage === 'sql') q.set('lang', 'sql');
  return (
    <Anchor component={Link} to={`/search?${q}`} size="sm">
      {a.source}: <Code>{a.query || '*'}</Code>{a.groupBy?.length ? ` by ${a.groupBy.join(', ')}` : ''}
    </Anchor>
  );
}

/** Detail is an alert's history of firing/resolved events and its deliveries. */
function Detail({ id }: { id: string }) {
  const q = useQuery({ queryKey: ['alerts', id], queryFn: ({ signal }) => alertsApi.get(id, signal), refetchInterval: 5000 });
  const a = q.data;
  if (!a) return <ErrorNote error={q.error} />;
  return (
    <Group align="flex-start" grow data-testid="alert-detail">
      <Stack gap={2}>
        <Text size="sm" fw={600}>History</Text>
        {a.history?.length ? [...a.history].reverse().map((h, i) => (
          <Text size="xs" key={i} data-testid="alert-history">
            {when(h.at)} · <b>{h.state === 'alert' ? 'firing' : h.state === 'ok' ? 'resolved' : h.state.replace('_', ' ')}</b>
            {h.value !== undefined ? ` · value ${h.value}` : ''}{h.group ? ` · ${groupText(h.group)}` : ''}{h.error ? ` · ${h.error}` : ''}
          </Text>
        )) : <Text size="xs" c="dimmed">No events yet.</Text>}
      </Stack>
      <Stack gap={2}>
        <Text size="sm" fw={600}>Notifications ({a.channel.type})</Text>
        {a.notifications.length ? [...a.notifications].reverse().map((n, i) => (
          <Text size="xs" key={i} c={n.ok ? undefined : 'red'} data-testid="alert-notification">
            {when(n.at)} · {n.status} · {n.ok ? 'delivered' : `FAILED after ${n.attempts} attempt(s): ${n.error}`}
          </Text>
        )) : <Text size="xs" c="dimmed">None sent yet.</Text>}
      </Stack>
    </Group>
  );
}

/** AlertRow is one search/tile alert with its actions. */
function AlertRow({ a, open, onToggle, act }: { a: Alert; open: boolean; onToggle: () => void; act: (f: () => Promise<unknown>) => void }) {
  const [test, setTest] = useState<TestResult | null>(null);
  const lastFailed = a.notifications.length > 0 && !a.notifications[a.notifications.length - 1].ok;
  return (
    <Fragment>
      <Table.Tr data-testid="alert-row" data-alert-id={a.id}>
        <Table.Td><Anchor component="button" onClick={onToggle} fw={600} size="sm" data-testid="alert-name">{a.name}</Anchor></Table.Td>
        <Table.Td><Badge variant="outline" size="sm" style={{ minWidth: 'max-content' }}>{a.dashboardId ? 'chart' : 'search'}</Badge></Table.Td>
        <Table.Td><StateBadge state={a.state as AlertState} />{lastFailed && <Badge color="red" size="xs" mt={4} style={{ minWidth: 'max-content' }} data-testid="delivery-failed">delivery failed</Badge>}</Table.Td>
        <Table.Td><What a={a} /></Table.Td>
        <Table.Td><Text size="sm">{conditionText(a.thresholdType, a.threshold, a.thresholdMax)} per {a.interval}{a.lastValue !== undefined ? ` (last ${a.lastValue})` : ''}</Text></Table.Td>
        <Table.Td><Text size="sm">{when(a.lastEvaluation)}</Text></Table.Td>
        <Table.Td><Text size="xs" c="orange" data-testid="alert-last-error">{a.lastError ?? ''}</Text>
          {test && <Text size="xs" c={test.ok ? 'green' : 'red'} data-testid="alert-test-result">{test.ok ? 'test delivered' : test.error}</Text>}</Table.Td>
        <Table.Td>
          <Group gap={4} wrap="nowrap">
            {a.silenceUntil ? (
              <Button size="compact-xs" variant="default" onClick={() => act(() => alertsApi.unsilence(a.id))} data-testid="alert-unsilence">Unsilence</Button>
            ) : (
              <Menu>
                <Menu.Target><Button size="compact-xs" variant="default" data-testid="alert-silence">Silence</Button></Menu.Target>
                <Menu.Dropdown>
                  {['1h', '4h', '24h', '7d'].map((d) => (
                    <Menu.Item key={d} onClick={() => act(() => alertsApi.silence(a.id, d))} data-testid={`silence-${d}`}>for {d}</Menu.Item>
                  ))}
                </Menu.Dropdown>
              </Menu>
            )}
            <Button size="compact-xs" variant="default" onClick={() => act(async () => setTest(await alertsApi.test(a.id)))} data-testid="alert-test">Send test notification</Button>
            <Button size="compact-xs" variant="subtle" color="red" onClick={() => window.confirm(`Delete alert “${a.name}”?`) && act(() => alertsApi.remove(a.id))}>Delete</Button>
          </Group>
        </Table.Td>
      </Table.Tr>
      {open && <Table.Tr><Table.Td colSpan={8}><Detail id={a.id} /></Table.Td></Table.Tr>}
    </Fragment>
  );
}

/** PromRow is a Prometheus rule (read-only: rule files are the source). */
function PromRow({ r, group }: { r: PromRule; group: string }) {
  const firing = r.alerts?.filter((x) => x.state === 'firing').length ?? 0;
  return (
    <Table.Tr data-testid="prom-rule-row">
      <Table.Td><Text fw={600} size="sm">{r.name}</Text><Text size="xs" c="dimmed">{group}</Text></Table.Td>
      <Table.Td><Badge variant="outline" size="sm" color="grape" style={{ minWidth: 'max-content' }}>{r.type === 'recording' ? 'recording' : 'prometheus'}</Badge></Table.Td>
      <Table.Td>{r.type === 'alerting' ? <StateBadge state={r.state ?? 'inactive'} /> : <StateBadge state={r.health === 'ok' ? 'ok' : r.health ?? 'ok'} />}
        {firing > 0 && <Text size="xs">{firing} firing</Text>}</Table.Td>
      <Table.Td><Code>{r.query}</Code></Table.Td>
      <Table.Td />
      <Table.Td><Text size="sm">{when(r.lastEvaluation)}</Text></Table.Td>
      <Table.Td><Text size="xs" c="orange">{r.lastError ?? ''}</Text></Table.Td>
      <Table.Td><Text size="xs" c="dimmed">from rule files</Text></Table.Td>
    </Table.Tr>
  );
}

/** AlertsPage lists every rule: search and chart alerts, and Prometheus rules. */
export default function AlertsPage() {
  const alerts = useQuery({ queryKey: ['alerts'], queryFn: ({ signal }) => alertsApi.list(signal), refetchInterval: 5000 });
  const prom = useQuery({ queryKey: ['prom-rules'], queryFn: ({ signal }) => alertsApi.promRules(signal), refetchInterval: 15000 });
  const channels = useQuery({ queryKey: ['rule-channels'], queryFn: ({ signal }) => alertsApi.ruleChannels(signal), refetchInterval: 15000 });
  const [open, setOpen] = useState<string | null>(null);
  const [err, setErr] = useState<unknown>(null);
  const [channelTest, setChannelTest] = useState<{ name: string; text: string } | null>(null);
  const qc = useQueryClient();
  const act = async (f: () => Promise<unknown>) => {
    setErr(null);
    try {
      await f();
    } catch (e) {
      setErr(e);
    }
    await qc.invalidateQueries({ queryKey: ['alerts'] });
  };
  const list = alerts.data?.alerts ?? [];
  const rules = (prom.data ?? []).flatMap((g) => g.rules.map((r) => ({ r, group: g.name })));
  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Title order={3}>Alerts</Title>
        <Text size="sm" c="dimmed">Create alerts from a search (Search → Create alert) or from a dashboard tile (⚠).</Text>
      </Group>
      <ErrorNote error={alerts.error ?? prom.error ?? err} />
      {alerts.isSuccess && list.length === 0 && rules.length === 0 && <Text c="dimmed" data-testid="alerts-empty">No alerts yet.</Text>}
      {(list.length > 0 || rules.length > 0) && (
        <Table striped highlightOnHover data-testid="alerts-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th><Table.Th>Kind</Table.Th><Table.Th>State</Table.Th><Table.Th>Watches</Table.Th>
              <Table.Th>Threshold</Table.Th><Table.Th>Last evaluation</Table.Th><Table.Th>Last error</Table.Th><Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.map((a) => <AlertRow key={a.id} a={a} open={open === a.id} onToggle={() => setOpen(open === a.id ? null : a.id)} act={act} />)}
            {rules.map(({ r, group }) => <PromRow key={`${group}/${r.name}/${r.query}`} r={r} group={group} />)}
          </Table.Tbody>
        </Table>
      )}
      {(channels.data ?? []).length > 0 && (
        <>
          <Title order={5}>Rule notification channels</Title>
          <Table data-testid="rule-channels">
            <Table.Thead>
              <Table.Tr><Table.Th>Channel</Table.Th><Table.Th>Delivered</Table.Th><Table.Th>Failed</Table.Th><Table.Th>Last delivery</Table.Th><Table.Th>Last error</Table.Th><Table.Th /></Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(channels.data ?? []).map((c) => (
                <Table.Tr key={c.name} data-testid="rule-channel-row">
                  <Table.Td><Text fw={600} size="sm">{c.name}</Text><Text size="xs" c="dimmed">{c.type}</Text></Table.Td>
                  <Table.Td>{c.delivered}</Table.Td>
                  <Table.Td>{c.failed > 0 ? <Badge color="red" size="sm" data-testid="rule-channel-failed">{c.failed} failed</Badge> : 0}</Table.Td>
                  <Table.Td><Text size="sm">{c.last ? `${c.last.status} · ${c.last.ok ? 'delivered' : 'failed'} · ${when(c.last.at)}` : 'none yet'}</Text></Table.Td>
                  <Table.Td><Text size="xs" c="orange">{c.lastError ? `${when(c.lastError.at)}: ${c.lastError.error ?? ''}` : ''}</Text></Table.Td>
                  <Table.Td>
                    <Button size="xs" variant="default" data-testid="rule-channel-test" onClick={async () => {
                      const r = await alertsApi.testRuleChannel(c.name).catch((e) => ({ ok: false, attempts: 0, error: String(e) }));
                      setChannelTest({ name: c.name, text: r.ok ? 'Test notification delivered' : `Test notification failed: ${r.error ?? ''}` });
                      await qc.invalidateQueries({ queryKey: ['rule-channels'] });
                    }}>Send test notification</Button>
                    {channelTest?.name === c.name && <Text size="xs" data-testid="rule-channel-test-result">{channelTest.text}</Text>}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </>
      )}
    </Stack>
  );
}

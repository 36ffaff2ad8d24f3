import { Badge, Button, FileButton, Group, Modal, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, type GrafanaImport } from '../api/client';
import { ErrorNote } from '../components/ErrorNote';

/** ImportModal accepts HyperDX's dashboard export JSON, or ours. */
function ImportModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const [text, setText] = useState('');
  const [err, setErr] = useState<unknown>(null);
  const qc = useQueryClient();
  const nav = useNavigate();
  const submit = async () => {
    setErr(null);
    try {
      const d = await api.importDashboard(text);
      await qc.invalidateQueries({ queryKey: ['dashboards'] });
      onClose();
      nav(`/dashboards/${d.id}`);
    } catch (e) {
      setErr(e);
    }
  };
  return (
    <Modal opened={opened} onClose={onClose} title="Import dashboard" size="lg">
      <Stack gap="xs">
        <Text size="sm">Paste or upload a dashboard exported from HyperDX / ClickStack (sources are matched by name: Logs, Traces, Metrics) or from overlook.</Text>
        <FileButton onChange={async (f) => f && setText(await f.text())} accept="application/json">
          {(props) => <Button variant="default" size="xs" {...props}>Upload JSON file…</Button>}
        </FileButton>
        <Textarea autosize minRows={8} maxRows={20} value={text} onChange={(e) => setText(e.currentTarget.value)} data-testid="import-json" styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 12 } }} />
        <ErrorNote error={err} title="Import failed" />
        <Button onClick={submit} disabled={!text.trim()} data-testid="finish-import">Finish import</Button>
      </Stack>
    </Modal>
  );
}

/** GrafanaImportModal imports a Grafana dashboard JSON as PromQL tiles and lists what did not map. */
function GrafanaImportModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const [text, setText] = useState('');
  const [err, setErr] = useState<unknown>(null);
  const [done, setDone] = useState<GrafanaImport | null>(null);
  const qc = useQueryClient();
  const nav = useNavigate();
  const close = () => {
    setText('');
    setDone(null);
    setErr(null);
    onClose();
  };
  const submit = async () => {
    setErr(null);
    try {
      const r = await api.importGrafana(text);
      await qc.invalidateQueries({ queryKey: ['dashboards'] });
      if (r.unmapped.length === 0) {
        close();
        nav(`/dashboards/${r.dashboard.id}`);
        return;
      }
      setDone(r);
    } catch (e) {
      setErr(e);
    }
  };
  return (
    <Modal opened={opened} onClose={close} title="Import Grafana dashboard" size="xl">
      {done ? (
        <Stack gap="xs" data-testid="grafana-import-result">
          <Text size="sm">
            Created “{done.dashboard.name}” with {done.dashboard.tiles.length} tiles and {(done.dashboard.variables ?? []).length} variables.
            {' '}{done.unmapped.length} part(s) of the Grafana dashboard did not map:
          </Text>
          <Table striped fz="xs" data-testid="grafana-unmapped">
            <Table.Thead><Table.Tr><Table.Th>Panel / variable</Table.Th><Table.Th>Why</Table.Th></Table.Tr></Table.Thead>
            <Table.Tbody>
              {done.unmapped.map((u, i) => (
                <Table.Tr key={i}><Table.Td>{u.panel}{u.panelId ? ` (#${u.panelId})` : ''}</Table.Td><Table.Td>{u.reason}</Table.Td></Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Group justify="flex-end">
            <Button onClick={() => { const id = done.dashboard.id; close(); nav(`/dashboards/${id}`); }} data-testid="open-imported">Open dashboard</Button>
          </Group>
        </Stack>
      ) : (
        <Stack gap="xs">
          <Text size="sm">
            Paste or upload a Grafana dashboard JSON (Share → Export, or the JSON model). Panels with Prometheus queries become PromQL tiles;
            template variables become selects. Anything that cannot be carried over is listed after the import.
          </Text>
          <FileButton onChange={async (f) => f && setText(await f.text())} accept="application/json">
            {(props) => <Button variant="default" size="xs" {...props}>Upload JSON file…</Button>}
          </FileButton>
          <Textarea rows={12} value={text} onChange={(e) => setText(e.currentTarget.value)} data-testid="grafana-json"
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 12 } }} />
          <ErrorNote error={err} title="Import failed" />
          <Button onClick={submit} disabled={!text.trim()} data-testid="finish-grafana-import">Import</Button>
        </Stack>
      )}
    </Modal>
  );
}

/** DashboardsPage lists dashboards; create, import, duplicate, delete. */
export default function DashboardsPage() {
  const q = useQuery({ queryKey: ['dashboards'], queryFn: ({ signal }) => api.dashboards(signal) });
  const [importing, setImporting] = useState(false);
  const [grafana, setGrafana] = useState(false);
  const [err, setErr] = useState<unknown>(null);
  const qc = useQueryClient();
  const nav = useNavigate();
  const act = async (f: () => Promise<unknown>) => {
    setErr(null);
    try {
      await f();
      await qc.invalidateQueries({ queryKey: ['dashboards'] });
    } catch (e) {
      setErr(e);
    }
  };
  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Title order={3}>Dashboards</Title>
        <Group gap="xs">
          <Button variant="default" onClick={() => setImporting(true)} data-testid="import-dashboard">Import dashboard</Button>
          <Button variant="default" onClick={() => setGrafana(true)} data-testid="import-grafana">Import Grafana dashboard</Button>
          <Button onClick={() => act(async () => { const d = await api.createDashboard({ name: 'New dashboard', tags: [], tiles: [] }); nav(`/dashboards/${d.id}`); })}>New dashboard</Button>
        </Group>
      </Group>
      <ErrorNote error={q.error ?? err} />
      <Table highlightOnHover>
        <Table.Thead><Table.Tr><Table.Th>Name</Table.Th><Table.Th>Tiles</Table.Th><Table.Th>Tags</Table.Th><Table.Th /></Table.Tr></Table.Thead>
        <Table.Tbody>
          {(q.data?.dashboards ?? []).map((d) => (
            <Table.Tr key={d.id}>
              <Table.Td><Link to={`/dashboards/${d.id}`} style={{ color: 'var(--mantine-color-anchor)' }}>{d.name}</Link></Table.Td>
              <Table.Td>{d.tiles.length}</Table.Td>
              <Table.Td>{d.tags.map((t) => <Badge key={t} variant="light" mr={4}>{t}</Badge>)}</Table.Td>
              <Table.Td>
                <Group gap={4} justify="flex-end">
                  <Button size="compact-xs" variant="subtle" onClick={() => act(() => api.duplicateDashboard(d.id))}>Duplicate</Button>
                  <Button size="compact-xs" variant="subtle" color="red" onClick={() => window.confirm(`Delete “${d.name}”?`) && act(() => api.deleteDashboard(d.id))}>Delete</Button>
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <ImportModal opened={importing} onClose={() => setImporting(false)} />
      <GrafanaImportModal opened={grafana} onClose={() => setGrafana(false)} />
    </Stack>
  );
}

import { ActionIcon, Button, Checkbox, Group, Menu, Modal, SegmentedControl, Select, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useElementSize } from '@mantine/hooks';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { api } from '../api/client';
import type { ChartConfig, Dashboard, DisplayType, PromQuery, Source, Tile, Variable, WhereLanguage } from '../api/types';
import { ChartBuilder } from '../chart/ChartBuilder';
import { ChartView } from '../chart/ChartView';
import { CreateAlertModal } from '../alerts/CreateAlertModal';
import { ErrorNote } from '../components/ErrorNote';
import { TimePicker } from '../components/TimePicker';
import { applyDashboardFilter, type DashboardFilter } from '../dashboard/filter';
import { appendTile } from '../dashboard/tiles';
import { TileGrid } from '../dashboard/TileGrid';
import { PromTile } from '../dashboard/PromTile';
import { VariableBar } from '../dashboard/VariableBar';
import { interpolate, type VarValues } from '../dashboard/variables';
import { useFields } from '../lib/useFields';
import { formatRange, parseRange, resolve, toIso } from '../lib/time';

/**
 * FilteredTile draws a tile with the dashboard filter joined in (or why it
 * cannot be), at the pixel height the tile's body has (it follows resizing).
 */
function FilteredTile({ config, filter, start, end, variables, values }: {
  config: ChartConfig; filter: DashboardFilter; start: string; end: string; variables: Variable[]; values: VarValues;
}) {
  const promql = config.source === 'promql';
  // The dashboard's search/SQL filter does not apply to PromQL tiles: their variables do.
  const r = useMemo(() => (promql ? { config } : applyDashboardFilter(config, filter)), [config, filter, promql]);
  const { ref, height } = useElementSize();
  const h = Math.max(40, Math.floor(height) - 8);
  return (
    <div ref={ref} style={{ flex: 1, minHeight: 0, padding: 4 }}>
      {r.error !== undefined ? <ErrorNote error={r.error} title="Dashboard filter not applied" />
        : height > 0 && (promql
          ? <PromTile config={r.config} variables={variables} values={values} start={Date.parse(start)} end={Date.parse(end)} height={h} />
          : <ChartView config={r.config} start={start} end={end} height={h} />)}
    </div>
  );
}

const PROM_DISPLAY: { value: DisplayType; label: string }[] = [
  { value: 'line', label: 'Line' }, { value: 'stacked_bar', label: 'Stacked bars' }, { value: 'number', label: 'Number' }, { value: 'table', label: 'Table' },
];

/** PromTileFields edits a PromQL tile: display, reduce, and each query's expression, legend and instant flag. */
function PromTileFields({ c, setC }: { c: ChartConfig; setC: (c: ChartConfig) => void }) {
  const qs = c.queries ?? [];
  const setQ = (i: number, q: PromQuery) => setC({ ...c, queries: qs.map((x, j) => (j === i ? q : x)) });
  return (
    <Stack gap="xs">
      <Group gap="xs">
        <Select label="Display" data={PROM_DISPLAY} value={c.displayType ?? 'line'} onChange={(v) => v && setC({ ...c, displayType: v as DisplayType })} />
        {(c.displayType === 'number' || c.displayType === 'table') && (
          <Select label="Reduce" data={['last', 'mean', 'max', 'min', 'sum']} value={c.reduce ?? 'last'}
            onChange={(v) => v && setC({ ...c, reduce: v as ChartConfig['reduce'] })} />
        )}
      </Group>
      {qs.map((q, i) => (
        <Group key={i} gap="xs" align="flex-end">
          <Textarea style={{ flex: 1 }} rows={2} ff="monospace" label={`PromQL ${i + 1}`} value={q.expr} data-testid="promql-expr"
            onChange={(e) => setQ(i, { ...q, expr: e.currentTarget.value })} />
          <TextInput label="Legend" w={180} value={q.legend ?? ''} placeholder="{{job}}" onChange={(e) => setQ(i, { ...q, legend: e.currentTarget.value })} />
          <Checkbox label="Instant" checked={!!q.instant} onChange={(e) => setQ(i, { ...q, instant: e.currentTarget.checked })} mb={8} />
          <ActionIcon variant="subtle" color="red" aria-label="remove query" mb={6} onClick={() => setC({ ...c, queries: qs.filter((_, j) => j !== i) })}>×</ActionIcon>
        </Group>
      ))}
      <Group><Button size="xs" variant="default" onClick={() => setC({ ...c, queries: [...qs, { expr: '' }] })}>Add query</Button></Group>
    </Stack>
  );
}

function TileEditor({ tile, onSave, onClose, range, variables, values }: {
  tile: Tile | null; onSave: (c: ChartConfig) => void; onClose: () => void; range: { start: string; end: string }; variables: Variable[]; values: VarValues;
}) {
  const [c, setC] = useState<ChartConfig | null>(tile?.config ?? null);
  const [ran, setRan] = useState<ChartConfig | null>(tile?.config ?? null);
  useEffect(() => { setC(tile?.config ?? null); setRan(tile?.config ?? null); }, [tile]);
  const fields = useFields(c?.source === 'metrics' || c?.source === 'promql' || !c ? 'traces' : (c.source as Source), range.start, range.end);
  return (
    <Modal opened={!!tile} onClose={onClose} size="90%" title="Edit tile">
      {c && (
        <Stack gap="xs">
          <TextInput label="Name" value={c.name ?? ''} onChange={(e) => setC({ ...c, name: e.currentTarget.value })} />
          {c.source === 'promql' ? (
            <>
              <PromTileFields c={c} setC={setC} />
              <Group><Button size="xs" onClick={() => setRan(c)} data-testid="promql-preview">Run</Button></Group>
              {ran && <PromTile config={ran} variables={variables} values={values} start={Date.parse(range.start)} end={Date.parse(range.end)} height={260} />}
            </>
          ) : (
            <>
              <ChartBuilder value={c} onChange={setC} onRun={() => setRan(c)} fields={fields.names} range={range} />
              {ran && <ChartView config={ran} start={range.start} end={range.end} height={260} />}
            </>
          )}
          <Group justify="flex-end"><Button onClick={() => onSave(c)}>Save tile</Button></Group>
        </Stack>
      )}
    </Modal>
  );
}

/** DashboardPage: the tile grid with a dashboard-level time range and filter. */
export default function DashboardPage() {
  const { id = '' } = useParams();
  const [sp, setSp] = useSearchParams();
  const q = useQuery({ queryKey: ['dashboard', id], queryFn: ({ signal }) => api.dashboard(id, signal) });
  const [d, setD] = useState<Dashboard | null>(null);
  const [editing, setEditing] = useState<Tile | null>(null);
  const [alertTile, setAlertTile] = useState<Tile | null>(null);
  const [err, setErr] = useState<unknown>(null);
  const [filter, setFilter] = useState(sp.get('where') ?? '');
  const filterLang: WhereLanguage = sp.get('lang') === 'sql' ? 'sql' : 'lucene';
  const qc = useQueryClient();
  const nav = useNavigate();
  useEffect(() => { if (q.data) setD(q.data); }, [q.data]);
  const range = parseRange(sp.get('range'), d?.timeRange || '1h');
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const iso = useMemo(() => toIso(resolve(range)), [sp.get('range'), d?.timeRange]);
  const applied: DashboardFilter = useMemo(() => ({ where: sp.get('where') ?? '', language: filterLang }), [sp, filterLang]);
  const variables = useMemo(() => d?.variables ?? [], [d?.variables]);
  // Variable selections live in the URL as var-<name> (Grafana's links keep working).
  const values: VarValues = useMemo(() => {
    const out: VarValues = {};
    for (const v of variables) {
      const x = sp.getAll(`var-${v.name}`);
      if (x.length) out[v.name] = x;
    }
    return out;
  }, [sp, variables]);
  const setVar = (name: string, xs: string[]) => {
    setSp((prev) => {
      const n = new URLSearchParams(prev);
      n.delete(`var-${name}`);
      for (const x of xs) n.append(`var-${name}`, x);
      return n;
    }, { replace: true });
  };

  const save = async (next: Dashboard) => {
    setD(next);
    setErr(null);
    try {
      const saved = await api.updateDashboard(next);
      qc.setQueryData(['dashboard', id], saved);
      await qc.invalidateQueries({ queryKey: ['dashboards'] });
    } catch (e) {
      setErr(e);
    }
  };
  /** act runs a menu action, showing its failure inline. */
  const act = async (f: () => Promise<void>) => {
    setErr(null);
    try {
      await f();
    } catch (e) {
      setErr(e);
    }
  };
  /** addTile saves a new tile below the others, scrolls to it and opens its editor. */
  const addTile = (config: ChartConfig = { name: 'New tile', source: 'traces', displayType: 'line', select: [{ aggFn: 'count' }], granularity: 'auto' }) => {
    if (!d) return;
    const tiles = appendTile(d.tiles, config);
    const added = tiles[tiles.length - 1];
    void save({ ...d, tiles });
    setEditing(added);
    requestAnimationFrame(() => document.querySelector(`[data-tile-id="${added.id}"]`)?.scrollIntoView?.({ behavior: 'smooth', block: 'center' }));
  };
  const setParam = (k: string, v: string) => {
    const n = new URLSearchParams(sp);
    if (v) n.set(k, v);
    else n.delete(k);
    setSp(n);
  };

  if (q.error) return <ErrorNote error={q.error} title="Dashboard failed" />;
  if (!d) return <Text>Loading…</Text>;
  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Title order={3} data-testid="dashboard-title">{d.name}</Title>
        <Group gap="xs">
          <SegmentedControl size="xs" value={filterLang} aria-label="dashboard filter language" onChange={(v) => setParam('lang', v === 'sql' ? 'sql' : '')}
            data={[{ value: 'lucene', label: 'Search' }, { value: 'sql', label: 'SQL' }]} />
          <TextInput placeholder={filterLang === 'sql' ? "Filter all tiles, e.g. ServiceName = 'payment'" : 'Filter all tiles, e.g. ServiceName:payment'} w={320}
            value={filter} onChange={(e) => setFilter(e.currentTarget.value)}
            onKeyDown={(e) => e.key === 'Enter' && setParam('where', filter)} aria-label="dashboard filter" />
          <TimePicker value={range} onChange={(r) => setParam('range', formatRange(r))} />
          <Button data-testid="add-tile" onClick={() => addTile()}>Add tile</Button>
          <Button variant="default" data-testid="add-promql-tile"
            onClick={() => addTile({ name: 'New PromQL tile', source: 'promql', displayType: 'line', select: [], queries: [{ expr: 'up' }] })}>Add PromQL tile</Button>
          <Menu>
            <Menu.Target><ActionIcon variant="default" size="lg" aria-label="dashboard menu">⋯</ActionIcon></Menu.Target>
            <Menu.Dropdown>
              <Menu.Item onClick={() => { const n = window.prompt('Rename dashboard', d.name); if (n) save({ ...d, name: n }); }}>Rename</Menu.Item>
              <Menu.Item onClick={() => act(() => api.exportDashboard(d.id, 'hyperdx'))}>Export (HyperDX JSON)</Menu.Item>
              <Menu.Item onClick={() => act(() => api.exportDashboard(d.id, 'overlook'))}>Export (overlook JSON)</Menu.Item>
              <Menu.Item onClick={() => act(async () => { const c = await api.duplicateDashboard(d.id); nav(`/dashboards/${c.id}`); })}>Duplicate</Menu.Item>
              <Menu.Item color="red" onClick={() => window.confirm(`Delete “${d.name}”?`) && act(async () => { await api.deleteDashboard(d.id); await qc.invalidateQueries({ queryKey: ['dashboards'] }); nav('/dashboards'); })}>Delete</Menu.Item>
            </Menu.Dropdown>
          </Menu>
        </Group>
      </Group>
      <VariableBar variables={variables} values={values} onChange={setVar} start={Date.parse(iso.start)} end={Date.parse(iso.end)} />
      <ErrorNote error={err} title="Dashboard change failed" />
      {d.tiles.length === 0 && <Text c="dimmed">No tiles yet: add one, or save a chart from the Chart Explorer.</Text>}
      <TileGrid
        tiles={d.tiles}
        onChange={(tiles) => save({ ...d, tiles })}
        renderTile={(t) => (
          <>
            <Group className="tile-drag" justify="space-between" px="xs" py={2} style={{ cursor: 'move', borderBottom: '1px solid var(--mantine-color-default-border)' }}>
              <Text size="sm" fw={600} lineClamp={1} data-testid="tile-title">{(variables.length ? interpolate(t.config.name ?? '', variables, values, {}) : t.config.name) || 'Untitled'}</Text>
              <Group gap={2}>
                {t.config.displayType !== 'markdown' && (
                  <ActionIcon size="xs" variant="subtle" aria-label="create alert" title="Create alert on this tile" onMouseDown={(e) => e.stopPropagation()} onClick={() => setAlertTile(t)}>⚠</ActionIcon>
                )}
                <ActionIcon size="xs" variant="subtle" aria-label="edit tile" onMouseDown={(e) => e.stopPropagation()} onClick={() => setEditing(t)}>✎</ActionIcon>
                <ActionIcon size="xs" variant="subtle" color="red" aria-label="delete tile" onMouseDown={(e) => e.stopPropagation()} onClick={() => save({ ...d, tiles: d.tiles.filter((x) => x.id !== t.id) })}>×</ActionIcon>
              </Group>
            </Group>
            <FilteredTile config={t.config} filter={applied} start={iso.start} end={iso.end} variables={variables} values={values} />
          </>
        )}
      />
      {alertTile && (
        <CreateAlertModal opened onClose={() => setAlertTile(null)}
          target={{ kind: 'tile', dashboardId: d.id, tileId: alertTile.id, tileName: alertTile.config.name || 'Untitled tile' }} />
      )}
      <TileEditor tile={editing} range={iso} variables={variables} values={values} onClose={() => setEditing(null)}
        onSave={(c) => { save({ ...d, tiles: d.tiles.map((x) => (x.id === editing!.id ? { ...x, config: c } : x)) }); setEditing(null); }} />
    </Stack>
  );
}

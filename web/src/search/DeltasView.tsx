import { Badge, Button, Group, NumberInput, Paper, SimpleGrid, Stack, Text, Tooltip, UnstyledButton } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { analysisApi, type DeltaAttribute, type DeltaSelection } from '../api/analysis';
import { api } from '../api/client';
import type { ChartConfig, WhereLanguage } from '../api/types';
import { heatmapGrid, heatmapOption, zeroDurationChart } from '../chart/chartOptions';
import { EChart } from '../components/EChart';
import { ErrorNote } from '../components/ErrorNote';
import { fmtNumber } from '../lib/format';
import { boxToSelection, durationQuery, isEmptySelection, selectionArea } from './deltaSelection';

export const NO_SELECTION: DeltaSelection = { durationMinMs: null, durationMaxMs: null, start: null, end: null };

interface Props {
  query: string;
  language: WhereLanguage;
  start: string;
  end: string;
  selection: DeltaSelection;
  onSelect: (s: DeltaSelection) => void;
  /** "Filter by selection": the duration filter to add and the selection's time range. */
  onApply: (durationFilter: string, range: { start: string | null; end: string | null }) => void;
  onFilter: (field: string, value: string, include: boolean) => void;
}

const pct = (v: number) => `${(v * 100).toFixed(v > 0 && v < 0.01 ? 2 : 1)}%`;

/** AttributeDelta: one field's values as bar pairs, selection against background; a click filters. */
function AttributeDelta({ a, onFilter }: { a: DeltaAttribute; onFilter: Props['onFilter'] }) {
  return (
    <Paper withBorder p="xs" data-testid="delta-attribute">
      <Group justify="space-between" gap={4} wrap="nowrap">
        <Text size="xs" fw={600} title={a.field} style={{ wordBreak: 'break-all' }} data-testid="delta-field">{a.field}</Text>
        <Text size="xs" c="dimmed">score {a.score.toFixed(2)}</Text>
      </Group>
      <Stack gap={4} mt={4}>
        {a.values.map((v) => (
          <Tooltip key={v.value} label={`${v.value}: ${pct(v.selection)} of the selection, ${pct(v.background)} of the rest — click to filter`} openDelay={300}>
            <UnstyledButton onClick={() => onFilter(a.field, v.value, true)} data-testid="delta-value" aria-label={`filter ${a.field} ${v.value}`}>
              <Text size="xs" lineClamp={1} style={{ fontFamily: 'var(--mantine-font-family-monospace)' }}>{v.value || '(empty)'}</Text>
              <div style={{ display: 'flex', alignItems: 'center', gap: 4 }}>
                <div style={{ flex: 1 }}>
                  <div style={{ height: 6, width: `${Math.max(0.5, v.selection * 100)}%`, background: 'var(--mantine-color-red-6)', borderRadius: 2 }} />
                  <div style={{ height: 6, marginTop: 1, width: `${Math.max(0.5, v.background * 100)}%`, background: 'var(--mantine-color-gray-5)', borderRadius: 2 }} />
                </div>
                <Text size="10px" w={74} ta="right" c="dimmed">{pct(v.selection)} / {pct(v.background)}</Text>
              </div>
            </UnstyledButton>
          </Tooltip>
        ))}
      </Stack>
    </Paper>
  );
}

/**
 * DeltasView (analysis mode "Event Deltas", traces): the duration × time
 * heatmap; drag a box on it (or type bounds) to select, then compare every
 * attribute's values in the selection with the rest (POST /api/deltas),
 * most different first. Clicking a value adds field:"value" to the query.
 */
export function DeltasView({ query, language, start, end, selection, onSelect, onApply, onFilter }: Props) {
  const config: ChartConfig = useMemo(() => ({
    source: 'traces', displayType: 'heatmap', select: [{ aggFn: 'count', valueExpression: 'Duration' }],
    where: query, whereLanguage: language, granularity: 'auto',
  }), [query, language]);
  const zeroConfig = zeroDurationChart(config)!;
  const heat = useQuery({ queryKey: ['chart', config, start, end], queryFn: ({ signal }) => api.chart({ ...config, start, end }, signal), placeholderData: (p) => p });
  const zero = useQuery({ queryKey: ['chart', zeroConfig, start, end], queryFn: ({ signal }) => api.chart({ ...zeroConfig, start, end }, signal), placeholderData: (p) => p });
  const selected = !isEmptySelection(selection);
  const deltas = useQuery({
    queryKey: ['deltas', query, language, start, end, selection],
    queryFn: ({ signal }) => analysisApi.deltas({
      source: 'traces', query, whereLanguage: language, start, end, selection,
    }, signal),
    enabled: selected,
    placeholderData: (p) => p,
  });

  const step = heat.data?.meta.stepMillis ?? 60_000;
  const grid = useMemo(() => (heat.data ? heatmapGrid(heat.data, zero.data) : null), [heat.data, zero.data]);
  const option = useMemo(() => {
    if (!heat.data || !grid) return null;
    const o = heatmapOption(heat.data, config, { zero: zero.data, height: 260 }) as Record<string, unknown>;
    const area = selectionArea(grid, selection, step);
    const series = (o.series as Record<string, unknown>[]).map((s) => (area ? {
      ...s,
      markArea: {
        silent: true, itemStyle: { color: 'rgba(250, 82, 82, 0.12)', borderColor: '#fa5252', borderWidth: 1 },
        data: [[{ xAxis: area.x[0], yAxis: area.y[1] }, { xAxis: area.x[1], yAxis: area.y[0] }]],
      },
    } : s));
    return { ...o, series, brush: { xAxisIndex: 0, yAxisIndex: 0, brushType: 'rect', brushMode: 'single', transformable: false } };
  }, [heat.data, zero.data, grid, config, selection, step]);

  const setBound = (k: 'durationMinMs' | 'durationMaxMs', v: string | number) =>
    onSelect({ ...selection, [k]: v === '' || v === null ? null : Number(v) });

  return (
    <Stack gap="xs" style={{ flex: 1, minHeight: 0, overflow: 'auto' }} data-testid="deltas-view">
      <Paper withBorder p="xs">
        <Group justify="space-between" mb={4}>
          <Text size="sm" fw={600}>Duration × time <Text span size="xs" c="dimmed">(colour: number of spans; drag a box to select)</Text></Text>
          <Group gap="xs">
            <NumberInput size="xs" w={120} placeholder="min ms" aria-label="selection min ms" min={0} value={selection.durationMinMs ?? ''}
              onChange={(v) => setBound('durationMinMs', v)} suffix=" ms" />
            <NumberInput size="xs" w={120} placeholder="max ms" aria-label="selection max ms" min={0} value={selection.durationMaxMs ?? ''}
              onChange={(v) => setBound('durationMaxMs', v)} suffix=" ms" />
            <Button size="xs" disabled={!selected} data-testid="filter-by-selection"
              onClick={() => onApply(durationQuery(selection, language), { start: selection.start, end: selection.end })}>Filter by selection</Button>
            <Button size="xs" variant="subtle" disabled={!selected} onClick={() => onSelect(NO_SELECTION)}>Clear</Button>
          </Group>
        </Group>
        {heat.error ? <ErrorNote error={heat.error} title="Heatmap failed" /> : option && (
          <EChart option={option} height={260} testId="deltas-heatmap"
            onBrushRect={(box) => grid && grid.times.length > 0 && onSelect(boxToSelection(grid, box, step))} />
        )}
        {heat.data && heat.data.series.length === 0 && !(zero.data?.series.length) && <Text size="xs" c="dimmed">No spans in this range.</Text>}
      </Paper>
      {!selected && <Text size="sm" c="dimmed" data-testid="deltas-hint">Select the slow (or odd) spans: drag a box on the heatmap, or type a duration range such as min 200 ms. Every attribute is then compared between the selection and the rest.</Text>}
      {selected && deltas.error && <ErrorNote error={deltas.error} title="Event Deltas failed" />}
      {selected && deltas.data && (
        <>
          <Group gap="xs">
            <Badge color="red" variant="light">selection: {fmtNumber(deltas.data.selectionCount)} spans</Badge>
            <Badge color="gray" variant="light">background: {fmtNumber(deltas.data.backgroundCount)} spans</Badge>
            {deltas.data.sampled && <Badge color="yellow" variant="light" title="The value shares were computed on a sample; the counts are exact" data-testid="deltas-sampled">sampled</Badge>}
            {deltas.isFetching && <Badge variant="light">loading…</Badge>}
            <Text size="xs" c="dimmed">Attributes ranked by how differently their values are spread in the selection (red) and the rest (grey); click a value to filter on it.</Text>
          </Group>
          {deltas.data.attributes.length === 0 && <Text size="sm" c="dimmed">No attribute differs between the selection and the rest.</Text>}
          <SimpleGrid cols={{ base: 2, lg: 4 }} spacing="xs" data-testid="deltas-attributes">
            {deltas.data.attributes.map((a) => <AttributeDelta key={a.field} a={a} onFilter={onFilter} />)}
          </SimpleGrid>
        </>
      )}
    </Stack>
  );
}

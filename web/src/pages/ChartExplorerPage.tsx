import { Button, Group, Paper, Stack, Title } from '@mantine/core';
import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import type { ChartConfig, Source } from '../api/types';
import { ChartBuilder } from '../chart/ChartBuilder';
import { SampleEvents } from '../chart/SampleEvents';
import { filterTerm } from '../components/queryComplete';
import { andQuery } from '../search/patternQuery';
import { ChartView } from '../chart/ChartView';
import { SaveToDashboard } from '../dashboard/SaveToDashboard';
import { TimePicker } from '../components/TimePicker';
import { useFields } from '../lib/useFields';
import { formatRange, parseRange, resolve, toIso, type TimeRange } from '../lib/time';

const DEFAULT: ChartConfig = { source: 'traces', displayType: 'line', select: [{ aggFn: 'count' }], where: '', whereLanguage: 'lucene', groupBy: [], granularity: 'auto' };

function readConfig(s: string | null): ChartConfig {
  if (!s) return DEFAULT;
  try {
    return { ...DEFAULT, ...(JSON.parse(s) as ChartConfig) };
  } catch {
    return DEFAULT;
  }
}

/** ChartExplorerPage: build a chart from source, aggregations, where, group by; save to a dashboard. */
export default function ChartExplorerPage() {
  const [sp, setSp] = useSearchParams();
  const range = parseRange(sp.get('range'), '1h');
  const applied = useMemo(() => readConfig(sp.get('chart')), [sp]);
  const [draft, setDraft] = useState<ChartConfig>(applied);
  const [nonce, setNonce] = useState(0);
  const [saving, setSaving] = useState(false);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const iso = useMemo(() => toIso(resolve(range)), [sp.get('range'), nonce]);
  const fields = useFields(draft.source === 'metrics' ? 'traces' : (draft.source as Source), iso.start, iso.end);
  const run = (c = draft) => {
    const n = new URLSearchParams(sp);
    n.set('chart', JSON.stringify(c));
    setSp(n);
    setNonce((x) => x + 1);
  };
  const setRange = (r: TimeRange) => {
    const n = new URLSearchParams(sp);
    n.set('range', formatRange(r));
    setSp(n);
  };
  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Title order={3}>Chart Explorer</Title>
        <Group gap="xs">
          <TimePicker value={range} onChange={setRange} />
          <Button variant="light" onClick={() => setSaving(true)} data-testid="save-to-dashboard">Save to dashboard</Button>
        </Group>
      </Group>
      <Paper withBorder p="sm">
        <ChartBuilder value={draft} onChange={setDraft} onRun={() => run()} fields={fields.names} range={iso} />
      </Paper>
      <Paper withBorder p="sm">
        <ChartView config={applied} start={iso.start} end={iso.end} height={380} onZoom={([s, e]) => setRange({ kind: 'absolute', start: s, end: e })} />
      </Paper>
      <Paper withBorder p="sm">
        <SampleEvents config={applied} start={iso.start} end={iso.end} onFilter={(field, value, include) => {
          const lang = applied.whereLanguage ?? 'lucene';
          const next = { ...applied, where: andQuery(applied.where ?? '', filterTerm(field, value, include, lang), lang) };
          setDraft(next);
          run(next);
        }} />
      </Paper>
      <SaveToDashboard opened={saving} onClose={() => setSaving(false)} config={draft} />
    </Stack>
  );
}

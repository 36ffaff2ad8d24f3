import { ActionIcon, Badge, Button, Group, MultiSelect, SegmentedControl, Stack, Switch, Text, Tooltip } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { api } from '../api/client';
import type { Row, SearchLanguage, Source, WhereLanguage } from '../api/types';
import { ErrorNote } from '../components/ErrorNote';
import { Histogram } from '../components/Histogram';
import { QueryBar } from '../components/QueryBar';
import { filterTerm } from '../components/queryComplete';
import { DEFAULT_COLUMNS, ResultsTable } from '../components/ResultsTable';
import { RowPanel } from '../components/RowPanel';
import { TimePicker } from '../components/TimePicker';
import { CreateAlertModal } from '../alerts/CreateAlertModal';
import { useFields } from '../lib/useFields';
import { formatRange, parseRange, resolve, toIso, type TimeRange } from '../lib/time';
import type { DeltaSelection } from '../api/analysis';
import { DeltasView, NO_SELECTION } from '../search/DeltasView';
import { FacetSidebar } from '../search/FacetSidebar';
import { Onboarding } from '../search/Onboarding';
import { andQuery, patternQuery } from '../search/patternQuery';
import { PatternsView } from '../search/PatternsView';
import { andTraceQL, traceqlTerm } from '../search/traceqlQuery';

const DELTAS_TRACES_ONLY = 'Event Deltas compares span durations: switch to Traces.';

/** The analysis modes of Search (URL `mode`). */
export type AnalysisMode = 'results' | 'patterns' | 'deltas';

function readMode(v: string | null, source: Source, lang: SearchLanguage): AnalysisMode {
  if (lang === 'traceql') return 'results';
  if (v === 'patterns') return 'patterns';
  if (v === 'deltas' && source === 'traces') return 'deltas';
  return 'results';
}

/** SearchPage: logs and spans with the query bar, histogram, table and side panel. */
export default function SearchPage() {
  const [sp, setSp] = useSearchParams();
  const source = (sp.get('source') === 'traces' ? 'traces' : 'logs') as Source;
  const langParam = sp.get('lang');
  // TraceQL queries spans: offered (and read from the URL) for traces only.
  const lang: SearchLanguage = langParam === 'sql' ? 'sql' : langParam === 'traceql' && source === 'traces' ? 'traceql' : 'lucene';
  const traceql = lang === 'traceql';
  const whereLang: WhereLanguage = lang === 'traceql' ? 'lucene' : lang; // the panels TraceQL hides
  const query = sp.get('q') ?? '';
  const range = parseRange(sp.get('range'));
  const columns = sp.get('cols')?.split(',').filter(Boolean) ?? DEFAULT_COLUMNS[source];
  const mode = readMode(sp.get('mode'), source, lang);
  const [selection, setSelection] = useState<DeltaSelection>(NO_SELECTION);
  const [facetsOpen, setFacetsOpen] = useState(true);
  const [draft, setDraft] = useState(query);
  const [nonce, setNonce] = useState(0);
  const [live, setLive] = useState(false);
  const [selected, setSelected] = useState<Row | null>(null);
  const [alerting, setAlerting] = useState(false);
  useEffect(() => setDraft(query), [query]);

  // eslint-disable-next-line react-hooks/exhaustive-deps
  const iso = useMemo(() => toIso(resolve(range)), [sp.get('range'), nonce]);
  const fields = useFields(source, iso.start, iso.end);

  const update = (patch: Record<string, string | null>) => {
    const n = new URLSearchParams(sp);
    for (const [k, v] of Object.entries(patch)) {
      if (v === null || v === '') n.delete(k);
      else n.set(k, v);
    }
    setSp(n);
    setNonce((x) => x + 1);
  };
  const setRange = (r: TimeRange) => update({ range: formatRange(r) });

  useEffect(() => {
    if (!live) return;
    const t = setInterval(() => setNonce((x) => x + 1), 2000);
    return () => clearInterval(t);
  }, [live]);

  const results = useQuery({
    enabled: mode === 'results',
    queryKey: ['search', source, query, lang, iso.start, iso.end],
    queryFn: ({ signal }) => api.search({ source, query, whereLanguage: lang, start: iso.start, end: iso.end, limit: 500 }, signal),
    placeholderData: (prev) => prev,
  });

  const addFilter = (field: string, value: string, include: boolean) => {
    if (lang === 'traceql') {
      const t = traceqlTerm(field, value, include);
      if (t === null) return;
      setSelected(null);
      update({ q: andTraceQL(draft, t) });
      return;
    }
    const term = filterTerm(field, value, include, lang);
    const q = draft.trim() ? `${draft.trim()} ${lang === 'sql' ? 'AND ' : ''}${term}` : term;
    setSelected(null);
    update({ q });
  };

  return (
    <Stack gap="xs" h="calc(100vh - 2 * var(--mantine-spacing-sm))">
      {alerting && !traceql && (
        <CreateAlertModal opened onClose={() => setAlerting(false)}
          target={{ kind: 'search', source, query: draft.trim(), whereLanguage: lang as WhereLanguage }} />
      )}
      <Group gap="xs" wrap="nowrap">
        <SegmentedControl value={source} onChange={(v) => { setSelected(null); update({ source: v, cols: null, ...(v !== 'traces' && traceql ? { lang: null } : {}) }); }}
          data={[{ value: 'logs', label: 'Logs' }, { value: 'traces', label: 'Traces' }]} aria-label="source" />
        <QueryBar
          value={draft}
          language={lang}
          languages={source === 'traces' ? ['lucene', 'sql', 'traceql'] : ['lucene', 'sql']}
          onChange={setDraft}
          onLanguageChange={(l) => update({ lang: l === 'lucene' ? null : l })}
          onSubmit={(v) => update({ q: v })}
          fields={fields.get}
          values={fields.values}
          slashFocus
          placeholder={traceql ? 'TraceQL, e.g. { resource.service.name = "payment" && status = error && duration > 100ms }'
            : lang === 'sql' ? "SQL WHERE, e.g. ServiceName = 'payment' AND Duration > 1e9" : 'Search, e.g. service:payment level:error "cache full"   (press / to focus)'}
        />
        <TimePicker value={range} onChange={setRange} />
        <Button onClick={() => update({ q: draft })} data-testid="run">Run</Button>
        <Tooltip label={traceql ? 'Alerts take Search or SQL queries, not TraceQL' : 'Alert when the count of matching events crosses a threshold'}>
          <Button variant="default" onClick={() => setAlerting(true)} disabled={traceql} data-testid="create-alert">Create alert</Button>
        </Tooltip>
        <Switch label="Live" checked={live} onChange={(e) => { setLive(e.currentTarget.checked); if (e.currentTarget.checked) setRange({ kind: 'relative', last: range.kind === 'relative' ? range.last : '15m' }); }} data-testid="live" />
      </Group>
      <Group gap="xs" align="stretch" wrap="nowrap" style={{ flex: 1, minHeight: 0 }}>
        {facetsOpen && !traceql && (
          <FacetSidebar source={source} query={query} language={whereLang} start={iso.start} end={iso.end} onFilter={addFilter} />
        )}
        <Stack gap="xs" style={{ flex: 1, minWidth: 0, minHeight: 0 }}>
          {traceql
            ? <Text size="xs" c="dimmed" data-testid="traceql-note">TraceQL finds spans (newest trace first, at most 500). The histogram, fields, Event Patterns and Event Deltas use Search or SQL.</Text>
            : <Histogram source={source} query={query} language={whereLang} start={iso.start} end={iso.end}
              onZoom={([s, e]) => s < e && setRange({ kind: 'absolute', start: s, end: e })} />}
          <Group gap="xs" justify="space-between">
            <Group gap="xs">
              <Tooltip label={facetsOpen ? 'Hide fields' : 'Show fields'}>
                <ActionIcon variant="subtle" size="sm" aria-label="toggle fields" onClick={() => setFacetsOpen(!facetsOpen)}>{facetsOpen ? '⇤' : '⇥'}</ActionIcon>
              </Tooltip>
              <SegmentedControl size="xs" value={mode} aria-label="analysis mode" data-testid="analysis-mode"
                onChange={(v) => update({ mode: v === 'results' ? null : v })}
                data={[
                  { value: 'results', label: 'Results' },
                  { value: 'patterns', label: 'Event Patterns', disabled: traceql },
                  { value: 'deltas', label: <span title={source === 'traces' ? undefined : DELTAS_TRACES_ONLY} data-testid="deltas-mode">Event Deltas</span>, disabled: source !== 'traces' || traceql },
                ]} />
              {source !== 'traces' && sp.get('mode') === 'deltas' && <Text size="xs" c="dimmed">{DELTAS_TRACES_ONLY}</Text>}
              {mode === 'results' && <Text size="sm" data-testid="result-count">{results.data ? `${results.data.count.toLocaleString()} results` : ''}</Text>}
              {mode === 'results' && results.isFetching && <Badge variant="light">loading…</Badge>}
              {mode === 'results' && results.isFetching && <Button size="compact-xs" variant="subtle" onClick={() => results.refetch({ cancelRefetch: true })}>retry</Button>}
            </Group>
            {mode === 'results' && (
              <MultiSelect size="xs" w={380} placeholder="Columns" searchable value={columns} aria-label="columns"
                data={Array.from(new Set([...columns, ...DEFAULT_COLUMNS[source], ...fields.names]))}
                onChange={(c) => update({ cols: c.join(',') })} />
            )}
          </Group>
          {mode === 'patterns' && (
            <PatternsView source={source} query={query} language={whereLang} start={iso.start} end={iso.end}
              onPick={(p) => update({ q: andQuery(query, patternQuery(p, source, whereLang), whereLang), mode: null })} />
          )}
          {mode === 'deltas' && (
            <DeltasView query={query} language={whereLang} start={iso.start} end={iso.end} selection={selection} onSelect={setSelection}
              onFilter={addFilter}
              onApply={(term, r) => {
                setSelection(NO_SELECTION);
                update({
                  q: andQuery(query, term, whereLang), mode: null,
                  ...(r.start && r.end ? { range: formatRange({ kind: 'absolute', start: Date.parse(r.start), end: Date.parse(r.end) }) } : {}),
                });
              }} />
          )}
          {mode === 'results' && (results.error ? <ErrorNote error={results.error} title="Search failed" query={query} />
            : results.data && results.data.count === 0 && !query.trim() ? <Onboarding source={source} />
              : <ResultsTable rows={results.data?.rows ?? []} columns={columns} onSelect={setSelected} selected={selected} />)}
        </Stack>
      </Group>
      <RowPanel row={selected} source={source} onClose={() => setSelected(null)} onFilter={addFilter} />
    </Stack>
  );
}

import { Group, MultiSelect, Select, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { api } from '../api/client';
import type { Variable } from '../api/types';
import { ALL, applyRegex, builtins, interpolate, queryResultLines, type VarValues } from './variables';

/** fetchOptions loads a variable's values from the Prometheus API (chained variables see the others' values). */
async function fetchOptions(v: Variable, vars: Variable[], values: VarValues, start: number, end: number, signal: AbortSignal): Promise<string[]> {
  const b = builtins(Math.max(15, Math.round((end - start) / 240000)), end - start);
  const sub = (s?: string) => (s ? interpolate(s, vars, values, b) : undefined);
  const range = { start: start / 1000, end: end / 1000 };
  let raw: string[];
  switch (v.type) {
    case 'label_values':
      raw = (await api.promLabelValues({ label: v.labelName ?? '', match: sub(v.match), ...range }, signal)).data;
      break;
    case 'label_names':
      raw = (await api.promLabels({ match: sub(v.match), ...range }, signal)).data;
      break;
    case 'query_result':
      raw = queryResultLines(await api.promInstant({ query: sub(v.query) ?? '', time: end / 1000 }, signal));
      break;
    default:
      raw = (v.options ?? []).map((o) => o.value);
  }
  return applyRegex(raw, v.regex);
}

interface Props {
  variables: Variable[];
  values: VarValues;
  onChange: (name: string, values: string[]) => void;
  start: number;
  end: number;
}

function VariableSelect({ v, variables, values, onChange, start, end }: Props & { v: Variable }) {
  const fixed = v.type === 'custom' || v.type === 'interval';
  // Refetch when another variable this one references changes.
  const deps = variables.filter((o) => o.name !== v.name).map((o) => values[o.name]);
  const q = useQuery({
    queryKey: ['variable', v, deps, fixed ? 0 : Math.floor(start / 60000), fixed ? 0 : Math.floor(end / 60000)],
    queryFn: ({ signal }) => fetchOptions(v, variables, values, start, end, signal),
  });
  const opts = fixed
    ? (v.options ?? []).filter((o) => (q.data ?? []).includes(o.value)).map((o) => ({ value: o.value, label: o.text }))
    : (q.data ?? []).map((x) => ({ value: x, label: x }));
  const data = [...(v.includeAll ? [{ value: ALL, label: 'All' }] : []), ...opts];
  const selected = values[v.name] ?? v.current ?? [];
  // Nothing selected yet: take the first choice, as Grafana does.
  useEffect(() => {
    if (selected.length === 0 && data.length > 0) onChange(v.name, [data[0].value]);
  }, [selected.length, data.length]); // eslint-disable-line react-hooks/exhaustive-deps
  const label = v.label || v.name;
  // Keep a selected value that the list no longer offers visible.
  const all = [...data, ...selected.filter((s) => !data.some((d) => d.value === s)).map((s) => ({ value: s, label: s === ALL ? 'All' : s }))];
  return (
    <Group gap={4} data-testid={`variable-${v.name}`}>
      <Text size="sm" fw={500}>{label}</Text>
      {v.multi
        ? <MultiSelect size="xs" data={all} value={selected} aria-label={`variable ${v.name}`} searchable miw={160}
            onChange={(x) => onChange(v.name, x)} error={q.error ? (q.error as Error).message : undefined} />
        : <Select size="xs" data={all} value={selected[0] ?? null} aria-label={`variable ${v.name}`} searchable miw={160}
            onChange={(x) => x !== null && onChange(v.name, [x])} error={q.error ? (q.error as Error).message : undefined} />}
    </Group>
  );
}

/** VariableBar shows a dashboard's template variables as selects. */
export function VariableBar(p: Props) {
  if (p.variables.length === 0) return null;
  return (
    <Group gap="md" data-testid="variable-bar">
      {p.variables.map((v) => <VariableSelect key={v.name} v={v} {...p} />)}
    </Group>
  );
}

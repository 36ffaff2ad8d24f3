import { ActionIcon, Badge, Group, ScrollArea, Stack, Text, Tooltip, UnstyledButton } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { analysisApi, type Facet } from '../api/analysis';
import type { Source, WhereLanguage } from '../api/types';
import { fmtNumber } from '../lib/format';

interface Props {
  source: Source;
  query: string;
  language: WhereLanguage;
  start: string;
  end: string;
  onFilter: (field: string, value: string, include: boolean) => void;
}

/** shortName drops the map prefix for display: ResourceAttributes.k8s.pod.name → k8s.pod.name. */
export function shortName(field: string): string {
  return field.replace(/^(Resource|Span|Log|Scope)Attributes\./, '');
}

/** OPEN_FACETS is how many fields start unfolded. */
const OPEN_FACETS = 8;

/** FacetBlock: one field and its values; the first fields start open, the rest folded. */
function FacetBlock({ f, onFilter, initiallyOpen }: { f: Facet; onFilter: Props['onFilter']; initiallyOpen: boolean }) {
  const [open, setOpen] = useState(initiallyOpen);
  const total = f.values.reduce((a, v) => a + v.count, 0);
  return (
    <div data-testid="facet">
      <UnstyledButton onClick={() => setOpen(!open)} w="100%">
        <Group justify="space-between" gap={4} wrap="nowrap">
          <Tooltip label={f.field} openDelay={400}><Text size="xs" fw={600} lineClamp={1} data-testid="facet-field">{open ? '▾' : '▸'} {shortName(f.field)}</Text></Tooltip>
          <Text size="10px" c="dimmed">{f.distinct}{f.more ? '+' : ''}</Text>
        </Group>
      </UnstyledButton>
      {open && f.values.map((v) => (
        <Group key={v.value} gap={2} wrap="nowrap" pl={10} data-testid="facet-value" className="facet-value">
          <UnstyledButton style={{ flex: 1, minWidth: 0 }} onClick={() => onFilter(f.field, v.value, true)} aria-label={`filter in ${f.field} ${v.value}`}>
            <Group gap={4} wrap="nowrap" justify="space-between">
              <Text size="xs" lineClamp={1} title={v.value}>{v.value || '(empty)'}</Text>
              <Text size="10px" c="dimmed">{fmtNumber(v.count)}</Text>
            </Group>
            <div style={{ height: 2, width: `${total ? (v.count / total) * 100 : 0}%`, background: 'var(--mantine-color-violet-4)' }} />
          </UnstyledButton>
          <ActionIcon size="xs" variant="subtle" aria-label={`filter out ${f.field} ${v.value}`} onClick={() => onFilter(f.field, v.value, false)}>−</ActionIcon>
        </Group>
      ))}
    </div>
  );
}

/**
 * FacetSidebar lists the fields of the matching rows with their top values
 * and counts (POST /api/facets): a click filters in, − filters out. Over a
 * big range the server counts a sample and says so ("sampled").
 */
export function FacetSidebar({ source, query, language, start, end, onFilter }: Props) {
  const q = useQuery({
    queryKey: ['facets', source, query, language, start, end],
    queryFn: ({ signal }) => analysisApi.facets({ source, query, whereLanguage: language, start, end, limit: 10 }, signal),
    placeholderData: (p) => p,
  });
  return (
    <Stack gap={4} w={240} miw={240} style={{ borderRight: '1px solid var(--mantine-color-default-border)', minHeight: 0 }} data-testid="facets">
      <Group gap={4} justify="space-between" pr="xs">
        <Text size="sm" fw={600}>Fields</Text>
        {q.data?.sampled && (
          <Tooltip label={`Counted over a sample of ${fmtNumber(q.data.rowsScanned)} rows: shares are right, counts are estimates`}>
            <Badge size="xs" variant="light" color="yellow" data-testid="facets-sampled">sampled</Badge>
          </Tooltip>
        )}
      </Group>
      {q.error && <Text size="xs" c="dimmed" data-testid="facets-error">Fields unavailable: {(q.error as Error).message}</Text>}
      <ScrollArea style={{ flex: 1 }} pr="xs">
        <Stack gap={6}>
          {q.data?.facets.map((f, i) => <FacetBlock key={f.field} f={f} onFilter={onFilter} initiallyOpen={i < OPEN_FACETS} />)}
          {q.data && q.data.facets.length === 0 && <Text size="xs" c="dimmed">No fields: no rows match.</Text>}
        </Stack>
      </ScrollArea>
    </Stack>
  );
}

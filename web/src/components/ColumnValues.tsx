import { ActionIcon, Group, Table, Text, TextInput, Tooltip } from '@mantine/core';
import { useMemo, useState } from 'react';
import type { Row } from '../api/types';
import { cellText, fmtDurationRaw } from '../lib/format';

export interface ColumnValue {
  /** the field as the query language names it: Duration, ResourceAttributes.k8s.pod.name */
  field: string;
  /** the value as the filter takes it (raw) */
  value: string;
  /** the value for people (durations with a unit) */
  display: string;
  group: 'column' | 'attribute';
}

/**
 * columnValues lists every column of a row (empty ones too) and every key of
 * its attribute maps, columns first in the row's order, then attributes by
 * name. A Duration shows with its unit (40 ms) and filters on the raw value.
 */
export function columnValues(row: Row): ColumnValue[] {
  const cols: ColumnValue[] = [];
  const attrs: ColumnValue[] = [];
  for (const [k, v] of Object.entries(row)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      for (const [mk, mv] of Object.entries(v as Record<string, unknown>)) {
        attrs.push({ field: `${k}.${mk}`, value: cellText(mv), display: cellText(mv), group: 'attribute' });
      }
      continue;
    }
    const raw = cellText(v);
    const display = k === 'Duration' && typeof v === 'number' ? fmtDurationRaw(v) : raw;
    cols.push({ field: k, value: raw, display, group: 'column' });
  }
  attrs.sort((a, b) => a.field.localeCompare(b.field));
  return [...cols, ...attrs];
}

/** ColumnValues: the Column Values tab, every column and attribute with filter in / out. */
export function ColumnValues({ row, onFilter }: { row: Row; onFilter: (field: string, value: string, include: boolean) => void }) {
  const [q, setQ] = useState('');
  const all = useMemo(() => columnValues(row), [row]);
  const shown = all.filter((c) => !q || c.field.toLowerCase().includes(q.toLowerCase()) || c.display.toLowerCase().includes(q.toLowerCase()));
  return (
    <>
      <TextInput size="xs" placeholder={`Filter ${all.length} columns and attributes`} value={q} onChange={(e) => setQ(e.currentTarget.value)} mb="xs" />
      <Table striped fz="xs" layout="fixed" data-testid="column-values">
        <Table.Thead><Table.Tr><Table.Th w="38%">Column</Table.Th><Table.Th>Value</Table.Th><Table.Th w={56} /></Table.Tr></Table.Thead>
        <Table.Tbody>
          {shown.map((c) => (
            <Table.Tr key={c.field} data-testid="column-value">
              <Table.Td style={{ wordBreak: 'break-all', verticalAlign: 'top' }}>
                <Text size="xs" fw={c.group === 'column' ? 700 : 500}>{c.field}</Text>
              </Table.Td>
              <Table.Td style={{ wordBreak: 'break-word', fontFamily: 'var(--mantine-font-family-monospace)' }}>
                {c.display === '' ? <Text span size="xs" c="dimmed">(empty)</Text> : c.display}
              </Table.Td>
              <Table.Td>
                <Group gap={2} wrap="nowrap">
                  <Tooltip label="Filter for this value"><ActionIcon size="xs" variant="subtle" aria-label={`column filter in ${c.field}`} onClick={() => onFilter(c.field, c.value, true)}>+</ActionIcon></Tooltip>
                  <Tooltip label="Exclude this value"><ActionIcon size="xs" variant="subtle" aria-label={`column filter out ${c.field}`} onClick={() => onFilter(c.field, c.value, false)}>−</ActionIcon></Tooltip>
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </>
  );
}

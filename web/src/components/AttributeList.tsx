import { ActionIcon, Group, Table, Text, TextInput, Tooltip } from '@mantine/core';
import { useMemo, useState } from 'react';
import type { Row } from '../api/types';
import { cellText, fmtDurationRaw } from '../lib/format';

/** flatten turns a row into [field, value] pairs, maps as Map.key. */
export function flatten(row: Row): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(row)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      for (const [mk, mv] of Object.entries(v as Record<string, unknown>)) out.push([`${k}.${mk}`, cellText(mv)]);
    } else if (Array.isArray(v)) {
      if (v.length) out.push([k, cellText(v)]);
    } else if (v !== '' && v !== null && v !== undefined) {
      out.push([k, cellText(v)]);
    }
  }
  return out;
}

/** AttributeList shows every field with one-click filter in / out. */
export function AttributeList({ row, onFilter }: { row: Row; onFilter: (field: string, value: string, include: boolean) => void }) {
  const [q, setQ] = useState('');
  const pairs = useMemo(() => flatten(row).filter(([k, v]) => !q || k.toLowerCase().includes(q.toLowerCase()) || v.toLowerCase().includes(q.toLowerCase())), [row, q]);
  return (
    <>
      <TextInput size="xs" placeholder="Filter attributes" value={q} onChange={(e) => setQ(e.currentTarget.value)} mb="xs" />
      <Table striped withRowBorders={false} fz="xs" layout="fixed">
        <Table.Tbody>
          {pairs.map(([k, v]) => (
            <Table.Tr key={k} data-testid="attr-row">
              <Table.Td w="38%" style={{ wordBreak: 'break-all', verticalAlign: 'top' }}><Text size="xs" fw={600}>{k}</Text></Table.Td>
              <Table.Td style={{ wordBreak: 'break-word', fontFamily: 'var(--mantine-font-family-monospace)' }}>{k === 'Duration' && v !== '' && Number.isFinite(Number(v)) ? fmtDurationRaw(Number(v)) : v}</Table.Td>
              <Table.Td w={56}>
                <Group gap={2} wrap="nowrap">
                  <Tooltip label="Filter for this value"><ActionIcon size="xs" variant="subtle" aria-label={`filter in ${k}`} onClick={() => onFilter(k, v, true)}>+</ActionIcon></Tooltip>
                  <Tooltip label="Exclude this value"><ActionIcon size="xs" variant="subtle" aria-label={`filter out ${k}`} onClick={() => onFilter(k, v, false)}>−</ActionIcon></Tooltip>
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </>
  );
}

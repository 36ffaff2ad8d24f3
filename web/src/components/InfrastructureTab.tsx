import { Badge, Group, Paper, SegmentedControl, SimpleGrid, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { analysisApi, INFRA_KEYS, type InfraPanel, type InfraRequest } from '../api/analysis';
import type { Row } from '../api/types';
import { colorsFor, fmtNumber } from '../lib/format';
import { timeAxis, tsMs } from '../lib/time';
import { EChart } from './EChart';
import { ErrorNote } from './ErrorNote';

/** infraResource picks the resource attributes the server matches metrics on (k8s.pod.name, k8s.pod.uid, k8s.node.name, host.name). */
export function infraResource(row: Row): InfraRequest['resource'] {
  const ra = (row.ResourceAttributes ?? {}) as Record<string, unknown>;
  const out: InfraRequest['resource'] = {};
  for (const k of INFRA_KEYS) {
    const v = ra[k];
    if (typeof v === 'string' && v !== '') out[k] = v;
  }
  return out;
}

/** fmtUnit formats a value by its OTel unit: By → KiB/MiB/GiB, 1 → percent, s → seconds; else a number with the unit. */
export function fmtUnit(v: number, unit: string): string {
  if (!Number.isFinite(v)) return '–';
  if (unit === 'By') {
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    let x = Math.abs(v);
    while (x >= 1024 && i < units.length - 1) {
      x /= 1024;
      i++;
    }
    return `${(Math.sign(v) * x).toFixed(x >= 100 || i === 0 ? 0 : 1)} ${units[i]}`;
  }
  if (unit === '1') return `${(v * 100).toFixed(1)}%`;
  if (unit === 's') return `${v.toPrecision(3)} s`;
  const n = fmtNumber(v);
  return unit && !unit.startsWith('{') ? `${n} ${unit}` : n;
}

/** panelOption: one panel's series over the window, the event's time marked by a red line. */
export function panelOption(p: InfraPanel, start: number, end: number, eventMs: number) {
  const colors = colorsFor(p.series.map((s) => s.name));
  return {
    animation: false,
    grid: { left: 64, right: 12, top: 24, bottom: 22 },
    tooltip: { trigger: 'axis', valueFormatter: (v: number) => (v == null ? '–' : fmtUnit(v, p.unit)) },
    legend: { type: 'scroll', top: 0, textStyle: { fontSize: 10 } },
    xAxis: timeAxis(start, end),
    yAxis: { type: 'value', axisLabel: { formatter: (v: number) => fmtUnit(v, p.unit) } },
    series: p.series.map((s, i) => ({
      name: s.name, type: 'line', showSymbol: false, color: colors.get(s.name), data: s.points.map(([t, v]) => [t * 1000, v]),
      ...(i === 0 ? {
        markLine: { silent: true, symbol: 'none', lineStyle: { color: '#fa5252', type: 'dashed' }, label: { formatter: 'event', position: 'insideStartTop' }, data: [{ xAxis: eventMs }] },
      } : {}),
    })),
  };
}

/**
 * InfrastructureTab: CPU and memory of the event's pod, node and host
 * (POST /api/infrastructure, matched on the event's resource attributes)
 * over 1 h or 1 d centred on the event, its time marked.
 */
export function InfrastructureTab({ row }: { row: Row }) {
  const [win, setWin] = useState<'1h' | '1d'>('1h');
  const resource = infraResource(row);
  const time = String(row.Timestamp ?? '');
  const eventMs = tsMs(row.Timestamp);
  const q = useQuery({
    queryKey: ['infrastructure', resource, time, win],
    queryFn: ({ signal }) => analysisApi.infrastructure({ resource, time, window: win }, signal),
    placeholderData: (p) => p,
  });
  const d = q.data;
  const start = d ? Date.parse(d.start) : eventMs - 1800e3;
  const end = d ? Date.parse(d.end) : eventMs + 1800e3;
  return (
    <Stack gap="xs" data-testid="infrastructure">
      <Group justify="space-between">
        <Group gap={4}>
          {d?.matches.map((m) => <Badge key={m.attribute} variant="light" tt="none" data-testid="infra-match">{m.kind}: {m.value}</Badge>)}
        </Group>
        <SegmentedControl size="xs" value={win} onChange={(v) => setWin(v as '1h' | '1d')} aria-label="infrastructure window"
          data={[{ value: '1h', label: '1h' }, { value: '1d', label: '1d' }]} />
      </Group>
      {q.error && <ErrorNote error={q.error} title="Infrastructure metrics failed" />}
      {d && d.panels.length === 0 && (
        <Text size="sm" c="dimmed" data-testid="infra-empty">
          {d.matches.length === 0
            ? `No infrastructure to show: this event has no ${(d.missing.length ? d.missing : [...INFRA_KEYS]).join(', ')} resource attribute to match metrics on. Set them with the collector's k8sattributes or resourcedetection processor.`
            : `No CPU or memory metrics of ${d.matches.map((m) => `${m.attribute}=${m.value}`).join(', ')} between ${new Date(start).toLocaleString('en-GB', { hour12: false })} and ${new Date(end).toLocaleString('en-GB', { hour12: false })}: send k8s.pod.*, k8s.node.* or system.* metrics (kubeletstats, hostmetrics receivers).`}
        </Text>
      )}
      {d && d.panels.length > 0 && d.missing.length > 0 && (
        <Text size="xs" c="dimmed" data-testid="infra-missing">Not shown: the event has no {d.missing.join(', ')}.</Text>
      )}
      <SimpleGrid cols={2} spacing="xs">
        {d?.panels.map((p) => (
          <Paper key={`${p.kind}-${p.metric}`} withBorder p={4} data-testid="infra-panel">
            <Text size="xs" fw={600}>{p.title} <Text span size="xs" c="dimmed">{p.metric}</Text></Text>
            <EChart option={panelOption(p, start, end, eventMs)} height={170} />
          </Paper>
        ))}
      </SimpleGrid>
    </Stack>
  );
}

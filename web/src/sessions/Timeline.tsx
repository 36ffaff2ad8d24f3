import { ActionIcon, Badge, Box, Group, ScrollArea, SegmentedControl, Stack, Text, Tooltip } from '@mantine/core';
import { useState } from 'react';
import type { TimelineEntry } from '../api/sessions';

const KIND_COLOR: Record<TimelineEntry['kind'], string> = {
  navigation: 'blue', click: 'grape', request: 'teal', console: 'gray', exception: 'red', resource: 'gray', span: 'gray', log: 'yellow',
};

function label(e: TimelineEntry): string {
  switch (e.kind) {
    case 'request':
      return `${e.method ?? ''} ${e.url ?? e.name}`.trim();
    case 'navigation':
      return e.url || e.name;
    case 'console':
    case 'exception':
    case 'log':
      return e.message || e.name;
    case 'click':
      return `${e.name}${e.message ? ` ${e.message}` : ''}`;
    default:
      return e.url || e.name;
  }
}

function fmtOffset(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * Timeline lists a session's spans and logs: Highlighted (navigations,
 * errors, failed requests) or All Events. ▶ seeks the replay to an entry;
 * clicking an entry with a trace opens it.
 */
export function Timeline({ entries, startMs, onSeek, onOpen }: {
  entries: TimelineEntry[];
  startMs: number;
  onSeek: (ms: number) => void;
  onOpen: (e: TimelineEntry) => void;
}) {
  const [view, setView] = useState<'highlighted' | 'all'>('highlighted');
  const shown = view === 'all' ? entries : entries.filter((e) => e.highlighted);
  return (
    <Stack gap="xs" h="100%">
      <SegmentedControl
        size="xs"
        value={view}
        onChange={(v) => setView(v as 'highlighted' | 'all')}
        data={[{ value: 'highlighted', label: 'Highlighted' }, { value: 'all', label: 'All Events' }]}
        data-testid="timeline-view"
      />
      <ScrollArea h="calc(100vh - 200px)" data-testid="session-timeline">
        {shown.length === 0 && <Text size="sm" c="dimmed">No {view === 'all' ? '' : 'highlighted '}events.</Text>}
        {shown.map((e, i) => {
          const ms = Date.parse(e.timestamp);
          return (
            <Group
              key={`${e.spanId ?? ''}-${i}`}
              gap={6}
              wrap="nowrap"
              py={3}
              px={4}
              style={{ borderBottom: '1px solid var(--mantine-color-gray-2)', cursor: e.traceId ? 'pointer' : undefined, background: e.error ? 'var(--mantine-color-red-light)' : undefined }}
              onClick={() => e.traceId && onOpen(e)}
              data-testid="timeline-entry"
              data-kind={e.kind}
              data-status={e.status ?? ''}
              data-ts={ms}
            >
              <Tooltip label="Play from here">
                <ActionIcon
                  size="sm" variant="subtle" aria-label="play from here" data-testid="timeline-play"
                  onClick={(ev) => { ev.stopPropagation(); onSeek(ms); }}
                >▶</ActionIcon>
              </Tooltip>
              <Text size="xs" ff="monospace" w={40}>{fmtOffset(ms - startMs)}</Text>
              <Badge size="xs" variant="light" color={e.error ? 'red' : KIND_COLOR[e.kind]} w={78}>{e.kind}</Badge>
              <Box style={{ flex: 1, minWidth: 0 }}>
                <Text size="xs" lineClamp={1} title={label(e)}>{label(e)}</Text>
              </Box>
              {e.status ? <Badge size="xs" color={e.status >= 400 ? 'red' : 'green'} variant="outline">{e.status}</Badge> : null}
            </Group>
          );
        })}
      </ScrollArea>
    </Stack>
  );
}

import { Button, Grid, Group, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { sessionsApi, type TimelineEntry } from '../api/sessions';
import { ErrorNote } from '../components/ErrorNote';
import { Player, type PlayerHandle } from '../sessions/Player';
import { Timeline } from '../sessions/Timeline';

/** SessionPage: /sessions/<id>?start=&end=[&ts=] — timeline left, replay right. */
export default function SessionPage() {
  const { id = '' } = useParams();
  const [sp] = useSearchParams();
  const nav = useNavigate();
  const player = useRef<PlayerHandle>(null);
  const [replayStart, setReplayStart] = useState(0);
  const range = useMemo(() => {
    const end = sp.get('end') ?? new Date().toISOString();
    const start = sp.get('start') ?? new Date(Date.parse(end) - 30 * 24 * 3600e3).toISOString();
    return { start, end };
  }, [sp]);
  const ts = Number(sp.get('ts') ?? '');
  const tl = useQuery({
    queryKey: ['session-timeline', id, range.start, range.end],
    queryFn: ({ signal }) => sessionsApi.timeline(id, range, signal),
  });
  const entries = tl.data?.entries ?? [];
  const firstMs = entries.length ? Date.parse(entries[0].timestamp) : 0;
  const startMs = replayStart || firstMs;
  const errorMarks = entries.filter((e) => e.error).map((e) => Date.parse(e.timestamp));
  const open = (e: TimelineEntry) => nav(`/trace/${e.traceId}${e.spanId ? `?span=${e.spanId}` : ''}`);
  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Title order={3}>Session <Text span ff="monospace" size="md">{id}</Text></Title>
        <Button component={Link} to="/sessions" variant="default" size="xs">All sessions</Button>
      </Group>
      <ErrorNote error={tl.error} />
      <Grid>
        <Grid.Col span={4}>
          <Timeline entries={entries} startMs={startMs} onSeek={(ms) => player.current?.seek(ms)} onOpen={open} />
        </Grid.Col>
        <Grid.Col span={8}>
          <Player
            ref={player}
            sessionId={id}
            range={range}
            errorMarks={errorMarks}
            onStart={(ms) => {
              setReplayStart(ms);
              if (ts > 0) setTimeout(() => player.current?.seek(ts), 0);
            }}
          />
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

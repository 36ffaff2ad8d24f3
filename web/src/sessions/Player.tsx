import { ActionIcon, Alert, Box, Group, Select, Switch, Text, Tooltip } from '@mantine/core';
import { Replayer } from '@rrweb/replay';
import '@rrweb/replay/dist/style.css';
import { forwardRef, useEffect, useImperativeHandle, useRef, useState } from 'react';
import { sessionsApi, type ReplayWarning, type SessionRange } from '../api/sessions';
import { ErrorNote } from '../components/ErrorNote';

/** PlayerHandle lets the timeline seek the replay. */
export interface PlayerHandle {
  /** seek jumps the replay to the wall-clock time ms and plays from there. */
  seek: (ms: number) => void;
}

interface Props {
  sessionId: string;
  range: SessionRange;
  /** Wall-clock times (ms) of errors, drawn on the progress bar. */
  errorMarks: number[];
  /** Called with the wall-clock time the replay starts at, once known. */
  onStart?: (ms: number) => void;
}

function fmtClock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

type RREvent = ConstructorParameters<typeof Replayer>[0][number];

/**
 * Player replays a session's rrweb recording with rrweb's Replayer. The
 * recording is read page by page: the first page starts the replay (first
 * frame), the rest are added as they arrive, so a long session is never
 * fetched in one answer.
 */
export const Player = forwardRef<PlayerHandle, Props>(function Player({ sessionId, range, errorMarks, onStart }, ref) {
  const stage = useRef<HTMLDivElement>(null);
  const frame = useRef<HTMLDivElement>(null);
  const rep = useRef<Replayer | null>(null);
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState('1');
  const [skip, setSkip] = useState(true);
  const [cur, setCur] = useState(0);
  const [meta, setMeta] = useState({ startTime: 0, totalTime: 0 });
  const [warnings, setWarnings] = useState<ReplayWarning[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [firstFrameMs, setFirstFrameMs] = useState<number | null>(null);
  const [scale, setScale] = useState(1);

  useImperativeHandle(ref, () => ({
    seek: (ms: number) => {
      const r = rep.current;
      if (!r) return;
      const off = Math.max(0, ms - r.getMetaData().startTime);
      r.play(off);
      setPlaying(true);
      setCur(off);
    },
  }));

  useEffect(() => {
    const ctrl = new AbortController();
    const t0 = performance.now();
    let replayer: Replayer | null = null;
    const fit = (w: number) => {
      const box = stage.current?.clientWidth ?? w;
      setScale(w > 0 ? Math.min(1, box / w) : 1);
    };
    (async () => {
      let cursor: string | null = null;
      let pending: RREvent[] = [];
      const all: ReplayWarning[] = [];
      do {
        const page = await sessionsApi.events(sessionId, range, cursor, ctrl.signal);
        all.push(...page.warnings);
        setWarnings([...all]);
        const evs = page.events as unknown as RREvent[];
        if (!replayer) {
          pending = pending.concat(evs);
          if (pending.length >= 2 && frame.current) {
            replayer = new Replayer(pending, { root: frame.current, skipInactive: skip, speed: Number(speed), mouseTail: false, showWarning: false });
            replayer.on('resize', (d) => fit((d as { width: number }).width));
            replayer.on('finish', () => setPlaying(false));
            rep.current = replayer;
            replayer.pause(0);
            const m = replayer.getMetaData();
            setMeta({ startTime: m.startTime, totalTime: m.totalTime });
            onStart?.(m.startTime);
            setFirstFrameMs(Math.round(performance.now() - t0));
            setLoading(false);
          }
        } else {
          for (const e of evs) replayer.addEvent(e);
          const m = replayer.getMetaData();
          setMeta({ startTime: m.startTime, totalTime: m.totalTime });
        }
        cursor = page.next;
      } while (cursor && !ctrl.signal.aborted);
      if (!replayer) {
        setLoading(false);
        if (pending.length < 2) all.push({ at: '', event: 0, message: 'The recording has fewer than two events: nothing to replay.' });
        setWarnings([...all]);
      }
    })().catch((e) => {
      if (!ctrl.signal.aborted) {
        setError(e);
        setLoading(false);
      }
    });
    return () => {
      ctrl.abort();
      rep.current = null;
      replayer?.destroy();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [sessionId, range.start, range.end]);

  useEffect(() => {
    const t = setInterval(() => {
      const r = rep.current;
      if (r) setCur(r.getCurrentTime());
    }, 200);
    return () => clearInterval(t);
  }, []);

  const toggle = () => {
    const r = rep.current;
    if (!r) return;
    if (playing) {
      r.pause();
      setPlaying(false);
    } else {
      r.play(cur >= meta.totalTime ? 0 : cur);
      setPlaying(true);
    }
  };
  const seekTo = (frac: number) => {
    const r = rep.current;
    if (!r) return;
    const off = Math.round(frac * meta.totalTime);
    if (playing) r.play(off);
    else r.pause(off);
    setCur(off);
  };
  const pct = meta.totalTime > 0 ? Math.min(100, (cur / meta.totalTime) * 100) : 0;

  return (
    <Box data-testid="session-player" data-first-frame-ms={firstFrameMs ?? undefined}>
      <ErrorNote error={error} title="The recording could not be read" />
      {warnings.length > 0 && (
        <Alert color="yellow" variant="light" title="Parts of this recording cannot be replayed" mb="xs" data-testid="replay-warnings">
          {warnings.slice(0, 5).map((w, i) => <Text key={i} size="xs">{w.message}</Text>)}
          {warnings.length > 5 && <Text size="xs">… and {warnings.length - 5} more</Text>}
        </Alert>
      )}
      <Box ref={stage} style={{ position: 'relative', overflow: 'hidden', background: 'var(--mantine-color-gray-1)', minHeight: 200 }}>
        {loading && <Text p="sm" c="dimmed">Loading the recording…</Text>}
        <div ref={frame} data-testid="player-frame" style={{ transform: `scale(${scale})`, transformOrigin: 'top left' }} />
      </Box>
      <Group gap="xs" mt="xs" wrap="nowrap">
        <Tooltip label={playing ? 'Pause' : 'Play'}>
          <ActionIcon variant="filled" onClick={toggle} aria-label={playing ? 'pause' : 'play'} data-testid="player-toggle">
            {playing ? '❚❚' : '▶'}
          </ActionIcon>
        </Tooltip>
        <Text size="xs" ff="monospace" w={90}>{fmtClock(cur)} / {fmtClock(meta.totalTime)}</Text>
        <Box
          style={{ position: 'relative', flex: 1, height: 10, background: 'var(--mantine-color-gray-3)', borderRadius: 4, cursor: 'pointer' }}
          onClick={(e) => {
            const b = e.currentTarget.getBoundingClientRect();
            seekTo((e.clientX - b.left) / b.width);
          }}
          data-testid="player-progress"
          data-current-ms={Math.round(cur)}
          data-start-ms={meta.startTime}
        >
          <Box style={{ position: 'absolute', left: 0, top: 0, bottom: 0, width: `${pct}%`, background: 'var(--mantine-color-blue-6)', borderRadius: 4 }} />
          {meta.totalTime > 0 && errorMarks.map((ms, i) => {
            const f = (ms - meta.startTime) / meta.totalTime;
            if (f < 0 || f > 1) return null;
            return <Box key={i} data-testid="error-marker" style={{ position: 'absolute', left: `${f * 100}%`, top: -3, width: 3, height: 16, background: 'var(--mantine-color-red-6)' }} />;
          })}
        </Box>
        <Select
          size="xs" w={80} data={['1', '2', '4', '8']} value={speed} allowDeselect={false} aria-label="speed"
          onChange={(v) => { const s = v ?? '1'; setSpeed(s); rep.current?.setConfig({ speed: Number(s) }); }}
          renderOption={({ option }) => `${option.value}×`}
        />
        <Switch size="xs" label="Skip inactivity" checked={skip} onChange={(e) => { const v = e.currentTarget.checked; setSkip(v); rep.current?.setConfig({ skipInactive: v }); }} />
      </Group>
    </Box>
  );
});

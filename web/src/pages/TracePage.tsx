import { Stack, Title } from '@mantine/core';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { TraceView } from '../trace/TraceView';
import { quoteValue } from '../components/queryComplete';

/** TracePage: /trace/<id>[?span=<spanId>] */
export default function TracePage() {
  const { id = '' } = useParams();
  const [sp] = useSearchParams();
  const nav = useNavigate();
  return (
    <Stack gap="sm">
      <Title order={3}>Trace</Title>
      <TraceView
        traceId={id}
        focusSpanId={sp.get('span') ?? undefined}
        height={Math.max(300, window.innerHeight - 420)}
        onFilter={(f, v, inc) => nav(`/search?source=traces&q=${encodeURIComponent(`${inc ? '' : '-'}${f}:${quoteValue(v)}`)}`)}
      />
    </Stack>
  );
}

import { useQuery } from '@tanstack/react-query';
import { useCallback, useRef } from 'react';
import { api } from '../api/client';
import type { Source } from '../api/types';

/** useFields loads field names of a source for the last day (autocomplete). */
export function useFields(source: Source | 'metrics', start: string, end: string) {
  const q = useQuery({
    queryKey: ['fields', source, start.slice(0, 13), end.slice(0, 13)],
    queryFn: ({ signal }) => (source === 'metrics' ? Promise.resolve({ fields: [] }) : api.fields(source, { start, end }, signal)),
    staleTime: 60_000,
  });
  const names = (q.data?.fields ?? []).map((f) => f.name);
  const ref = useRef(names);
  ref.current = names;
  const get = useCallback(() => ref.current, []);
  const values = useCallback(async (field: string, prefix: string, signal: AbortSignal) => {
    const r = await api.values({ source, field, prefix, start, end, limit: 20 }, signal);
    return r.values.map((v) => v.value);
  }, [source, start, end]);
  return { names, get, values };
}

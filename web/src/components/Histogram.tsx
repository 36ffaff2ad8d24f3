import { Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { api } from '../api/client';
import type { Source, WhereLanguage } from '../api/types';
import { EChart } from './EChart';
import { ErrorNote } from './ErrorNote';
import { timeAxis } from '../lib/time';

/** errorCondition marks errors in each source (search language). */
export const ERROR_CONDITION: Record<Source, string> = { logs: 'status:error', traces: 'StatusCode:"Error"' };

interface Props {
  source: Source;
  query: string;
  language: WhereLanguage;
  start: string;
  end: string;
  onZoom: (r: [number, number]) => void;
}

/** Histogram of matching rows over time; the error share is red. Drag to zoom. */
export function Histogram({ source, query, language, start, end, onZoom }: Props) {
  const q = useQuery({
    queryKey: ['histogram', source, query, language, start, end],
    queryFn: ({ signal }) => api.chart({
      source, where: query, whereLanguage: language, start, end, granularity: 'auto', displayType: 'stacked_bar',
      select: [
        { aggFn: 'count', alias: 'all' },
        { aggFn: 'count', alias: 'errors', aggCondition: ERROR_CONDITION[source], aggConditionLanguage: 'lucene' },
      ],
    }, signal),
    placeholderData: (prev) => prev,
  });
  const option = useMemo(() => {
    const all = q.data?.series.find((s) => s.select === 0)?.points ?? [];
    const errs = new Map((q.data?.series.find((s) => s.select === 1)?.points ?? []).map(([t, v]) => [t, v ?? 0]));
    return {
      animation: false,
      grid: { left: 40, right: 10, top: 10, bottom: 20 },
      tooltip: { trigger: 'axis' },
      xAxis: timeAxis(Date.parse(start), Date.parse(end)),
      yAxis: { type: 'value', minInterval: 1, splitLine: { show: false } },
      brush: { xAxisIndex: 0, brushType: 'lineX', brushMode: 'single', transformable: false },
      series: [
        { name: 'ok', type: 'bar', stack: 'n', color: '#7950f2', barCategoryGap: '10%', data: all.map(([t, v]) => [t, (v ?? 0) - (errs.get(t) ?? 0)]) },
        { name: 'errors', type: 'bar', stack: 'n', color: '#fa5252', data: all.map(([t]) => [t, errs.get(t) ?? 0]) },
      ],
    };
  }, [q.data, start, end]);
  if (q.error) return <ErrorNote error={q.error} title="Histogram failed" />;
  return (
    <div style={{ position: 'relative' }}>
      {q.isFetching && <Text size="xs" c="dimmed" style={{ position: 'absolute', right: 8, top: 0, zIndex: 1 }}>loading…</Text>}
      <EChart option={option} height={110} onBrushX={onZoom} testId="histogram" />
    </div>
  );
}

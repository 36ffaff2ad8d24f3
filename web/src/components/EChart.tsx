import { lazy, Suspense } from 'react';

/** An ECharts option object (typed loosely so that echarts stays out of the main bundle). */
export type EChartsOption = Record<string, unknown>;

export interface EChartProps {
  option: EChartsOption;
  height: number | string;
  /** Called with [startMs, endMs] when the user drags across the x axis. */
  onBrushX?: (range: [number, number]) => void;
  /**
   * Called with the box's axis ranges when the user drags a box (brushType
   * rect); on category axes the ranges are category indexes.
   */
  onBrushRect?: (box: { x: [number, number]; y: [number, number] }) => void;
  testId?: string;
}

const Canvas = lazy(() => import('./EChartCanvas'));

/**
 * EChart renders an ECharts option. ECharts (≈ 600 kB) is its own chunk,
 * loaded on the first chart, so pages paint without waiting for it.
 */
export function EChart(p: EChartProps) {
  return (
    <Suspense fallback={<div style={{ width: '100%', height: p.height }} data-testid={p.testId ? `${p.testId}-loading` : undefined} />}>
      <Canvas {...p} />
    </Suspense>
  );
}

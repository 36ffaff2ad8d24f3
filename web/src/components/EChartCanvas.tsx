import { useComputedColorScheme } from '@mantine/core';
import { BarChart, HeatmapChart, LineChart } from 'echarts/charts';
import { BrushComponent, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';
import type { EChartProps } from './EChart';

echarts.use([LineChart, BarChart, HeatmapChart, GridComponent, TooltipComponent, LegendComponent, BrushComponent,
  VisualMapComponent, CanvasRenderer]);

/** EChartCanvas renders an ECharts option, following the theme and size (loaded lazily by EChart). */
export default function EChartCanvas({ option, height, onBrushX, testId }: EChartProps) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const scheme = useComputedColorScheme('light');
  const brush = useRef(onBrushX);
  brush.current = onBrushX;

  useEffect(() => {
    const c = echarts.init(el.current!, scheme === 'dark' ? 'dark' : undefined, { renderer: 'canvas' });
    chart.current = c;
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el.current!);
    c.on('brushEnd', (e: unknown) => {
      const areas = (e as { areas?: { coordRange?: [number, number] }[] }).areas ?? [];
      const r = areas[0]?.coordRange;
      if (r && brush.current) brush.current([Math.round(r[0]), Math.round(r[1])]);
      c.dispatchAction({ type: 'brush', areas: [] });
    });
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, [scheme]);

  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    c.setOption({ backgroundColor: 'transparent', ...option }, { notMerge: true });
    if (onBrushX) {
      c.dispatchAction({ type: 'takeGlobalCursor', key: 'brush', brushOption: { brushType: 'lineX', brushMode: 'single' } });
    }
  }, [option, scheme, onBrushX]);

  return <div ref={el} style={{ width: '100%', height }} data-testid={testId} />;
}

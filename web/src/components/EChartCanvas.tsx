import { useComputedColorScheme } from '@mantine/core';
import { BarChart, HeatmapChart, LineChart } from 'echarts/charts';
import { BrushComponent, GridComponent, LegendComponent, MarkAreaComponent, MarkLineComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';
import type { EChartProps } from './EChart';

echarts.use([LineChart, BarChart, HeatmapChart, GridComponent, TooltipComponent, LegendComponent, BrushComponent,
  VisualMapComponent, MarkAreaComponent, MarkLineComponent, CanvasRenderer]);

/**
 * EChartCanvas renders an ECharts option, following the theme and size
 * (loaded lazily by EChart). Its element says when it is ready for the
 * mouse, for browser tests: data-option counts the options set,
 * data-rendered is the count ECharts finished drawing, and data-brush the
 * brush the cursor draws (rect or lineX) once it is taken.
 */
export default function EChartCanvas({ option, height, onBrushX, onBrushRect, testId }: EChartProps) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const scheme = useComputedColorScheme('light');
  const brush = useRef(onBrushX);
  brush.current = onBrushX;
  const rect = useRef(onBrushRect);
  rect.current = onBrushRect;
  const optionSeq = useRef(0);

  useEffect(() => {
    const c = echarts.init(el.current!, scheme === 'dark' ? 'dark' : undefined, { renderer: 'canvas' });
    chart.current = c;
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el.current!);
    c.on('finished', () => {
      if (el.current) el.current.dataset.rendered = String(optionSeq.current);
    });
    c.on('brushEnd', (e: unknown) => {
      const areas = (e as { areas?: { coordRange?: unknown }[] }).areas ?? [];
      const r = areas[0]?.coordRange;
      if (Array.isArray(r) && Array.isArray(r[0]) && rect.current) {
        const [x, y] = r as [[number, number], [number, number]];
        rect.current({ x: [Math.round(x[0]), Math.round(x[1])], y: [Math.round(y[0]), Math.round(y[1])] });
      } else if (Array.isArray(r) && typeof r[0] === 'number' && brush.current) {
        brush.current([Math.round(r[0] as number), Math.round(r[1] as number)]);
      }
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
    const d = el.current!.dataset;
    d.option = String(++optionSeq.current);
    delete d.brush;
    c.setOption({ backgroundColor: 'transparent', ...option }, { notMerge: true });
    const brushType = onBrushRect ? 'rect' : onBrushX ? 'lineX' : '';
    if (brushType) {
      c.dispatchAction({ type: 'takeGlobalCursor', key: 'brush', brushOption: { brushType, brushMode: 'single' } });
      d.brush = brushType;
    }
  }, [option, scheme, onBrushX, onBrushRect]);

  return <div ref={el} style={{ width: '100%', height }} data-testid={testId} />;
}

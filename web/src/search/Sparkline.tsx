/** sparkPath is the SVG polyline points of a [t, v] series scaled into w × h. */
export function sparkPath(series: [number, number][], w: number, h: number): string {
  if (series.length === 0) return '';
  const ts = series.map((p) => p[0]);
  const t0 = Math.min(...ts);
  const t1 = Math.max(...ts);
  const max = Math.max(1, ...series.map((p) => p[1]));
  return [...series].sort((a, b) => a[0] - b[0])
    .map(([t, v]) => `${(t1 === t0 ? w / 2 : ((t - t0) / (t1 - t0)) * w).toFixed(1)},${(h - 1 - (v / max) * (h - 2)).toFixed(1)}`)
    .join(' ');
}

/** Sparkline: a small trend line (SVG, no chart library: a table has one per row). */
export function Sparkline({ series, width = 120, height = 24, color = 'var(--mantine-color-violet-6)' }: {
  series: [number, number][]; width?: number; height?: number; color?: string;
}) {
  return (
    <svg width={width} height={height} role="img" aria-label="trend" data-testid="sparkline">
      <polyline points={sparkPath(series, width, height)} fill="none" stroke={color} strokeWidth={1.5} />
    </svg>
  );
}

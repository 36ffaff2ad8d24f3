import { Navigate, useSearchParams } from 'react-router';

/**
 * graphTarget maps Prometheus's /graph URL (the generatorURL of rule
 * alerts: /graph?g0.expr=…&g0.tab=1) to the Metrics Explorer's PromQL tab.
 */
export function graphTarget(sp: URLSearchParams): string {
  const q = new URLSearchParams({ tab: 'promql', range: sp.get('g0.range_input') ?? '1h' });
  const expr = sp.get('g0.expr');
  if (expr) q.set('promql', expr);
  return `/explore/metrics?${q.toString()}`;
}

/** GraphRedirect serves /graph so that alert links from rule files open. */
export default function GraphRedirect() {
  const [sp] = useSearchParams();
  return <Navigate to={graphTarget(sp)} replace />;
}

// Dashboard template variables (imported from Grafana) and the PromQL
// substitution of PromQL tiles (docs/grafana-import.md, "Variables").
import type { PromResponse } from '../api/client';
import type { ChartResult, ChartSeries, Variable } from '../api/types';

/** ALL is the value of a variable's "All" choice. */
export const ALL = '$__all';

/** The scrape interval $__rate_interval assumes (Grafana's default). */
export const SCRAPE_SECONDS = 15;

/** Selected values per variable name. */
export type VarValues = Record<string, string[]>;

const REF = /\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)(?::\w+)?\]\]|\$(\w+)/g;

/** escapeRegex escapes a value for a PromQL regex matcher in a double-quoted string (as Grafana does). */
export function escapeRegex(v: string): string {
  return v.replace(/\\/g, '\\\\\\\\').replace(/[$^*{}[\]'+?.()|]/g, '\\\\$&');
}

/** varText is what a variable's selection substitutes: one value raw, several as (a|b), All as allValue or .* */
export function varText(v: Variable, selected: string[]): string {
  if (selected.includes(ALL)) return v.allValue || '.*';
  if (selected.length === 1) return selected[0];
  if (selected.length === 0) return '';
  return `(${selected.map(escapeRegex).join('|')})`;
}

/** builtins are Grafana's global variables for a query of `stepSeconds` over `rangeMs`. */
export function builtins(stepSeconds: number, rangeMs: number): Record<string, string> {
  const range = Math.max(1, Math.round(rangeMs / 1000));
  return {
    __interval: `${stepSeconds}s`,
    __interval_ms: String(stepSeconds * 1000),
    __rate_interval: `${Math.max(4 * SCRAPE_SECONDS, stepSeconds + SCRAPE_SECONDS)}s`,
    __range: `${range}s`,
    __range_s: String(range),
    __range_ms: String(range * 1000),
  };
}

/**
 * interpolate substitutes $name, ${name} and [[name]] of the dashboard's
 * variables, then the built-ins (an interval variable's "auto" value is
 * $__interval); unknown references stay as written.
 */
export function interpolate(expr: string, vars: Variable[], values: VarValues, builtin: Record<string, string>): string {
  const byName = new Map(vars.map((v) => [v.name, v]));
  const pass = (s: string, lookup: (name: string) => string | undefined) =>
    s.replace(REF, (m, a?: string, b?: string, c?: string) => lookup((a ?? b ?? c)!) ?? m);
  const withVars = pass(expr, (n) => {
    const v = byName.get(n);
    return v ? varText(v, values[n] ?? v.current ?? []) : builtin[n];
  });
  return pass(withVars, (n) => builtin[n]);
}

/** applyRegex filters values by a variable's regex; with a capture group, the group is the value. */
export function applyRegex(values: string[], regex?: string): string[] {
  if (!regex) return values;
  const re = new RegExp(regex);
  const out: string[] = [];
  for (const v of values) {
    const m = re.exec(v);
    if (!m) continue;
    const x = m[1] ?? m[0];
    if (!out.includes(x)) out.push(x);
  }
  return out;
}

/** queryResultLines writes an instant query's series as Grafana's query_result does: `name{k="v", …} value timestamp`. */
export function queryResultLines(res: PromResponse): string[] {
  return (res.data?.result ?? []).map((r) => {
    const { __name__: name = '', ...labels } = r.metric;
    const ls = Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(', ');
    const [t, v] = r.value ?? [0, ''];
    return `${name}{${ls}} ${v} ${Math.round(t * 1000)}`;
  });
}

/** legendName names a series by a Grafana legend format ({{label}}), else by its label set. */
export function legendName(format: string | undefined, metric: Record<string, string>, fallback: string): string {
  if (format) return format.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_, l: string) => metric[l] ?? '');
  const { __name__: name = '', ...labels } = metric;
  const ls = Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(', ');
  return ls ? `${name}{${ls}}` : name || fallback;
}

/** promSeries turns Prometheus results (range or instant) into chart series, select i per query. */
export function promSeries(results: { res: PromResponse; legend?: string }[]): ChartSeries[] {
  const out: ChartSeries[] = [];
  results.forEach(({ res, legend }, i) => {
    for (const r of res.data?.result ?? []) {
      const points: [number, number | null][] = r.values
        ? r.values.map(([t, v]) => [t * 1000, num(v)])
        : r.value ? [[r.value[0] * 1000, num(r.value[1])]] : [];
      out.push({ name: legendName(legend, r.metric, `series ${out.length + 1}`), select: i, points });
    }
  });
  return out;
}

function num(v: string): number | null {
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/** reduce turns a series into one value: last (non-null), mean, max, min or sum. */
export function reduce(points: [number, number | null][], how: string = 'last'): number | null {
  const vs = points.map((p) => p[1]).filter((v): v is number => v != null);
  if (vs.length === 0) return null;
  switch (how) {
    case 'mean': return vs.reduce((a, b) => a + b, 0) / vs.length;
    case 'max': return Math.max(...vs);
    case 'min': return Math.min(...vs);
    case 'sum': return vs.reduce((a, b) => a + b, 0);
    default: return vs[vs.length - 1];
  }
}

/** promChartResult wraps series as a ChartResult for the chart helpers. */
export function promChartResult(series: ChartSeries[], start: number, end: number, displayType: string): ChartResult {
  return { series, meta: { source: 'promql', displayType, start, end } };
}

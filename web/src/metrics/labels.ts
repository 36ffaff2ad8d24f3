// Pure helpers of the Metrics Explorer: label filters as a SQL WHERE for
// /api/chart, label expressions for group by, and the same selection as a
// PromQL selector (docs/metrics.md, "Names and labels").
import type { LabelColumn, MetricEntry, MetricType } from '../api/metrics';

/** A label filter chosen from the label list: equal to (or, with exclude, not equal to) value. */
export interface LabelFilter {
  column: LabelColumn;
  key?: string;
  value: string;
  exclude?: boolean;
}

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** labelExpr is the SQL-mode expression of a label: ServiceName or Attributes['k']. */
export function labelExpr(column: LabelColumn, key?: string): string {
  return column === 'ServiceName' ? 'ServiceName' : `${column}[${sqlString(key ?? '')}]`;
}

/** labelName is how the label is shown: its key (ServiceName for the column). */
export function labelName(column: LabelColumn, key?: string): string {
  return column === 'ServiceName' ? 'ServiceName' : column === 'ResourceAttributes' ? `resource.${key}` : key ?? '';
}

/**
 * filtersToSql ANDs the filters into a SQL WHERE; filters on the same label
 * with equality are ORed (a label has one value, so `a OR b` is the only
 * useful reading of two chosen values).
 */
export function filtersToSql(filters: LabelFilter[]): string {
  const groups = new Map<string, { include: string[]; exclude: string[] }>();
  for (const f of filters) {
    const e = labelExpr(f.column, f.key);
    const g = groups.get(e) ?? { include: [], exclude: [] };
    (f.exclude ? g.exclude : g.include).push(f.value);
    groups.set(e, g);
  }
  const parts: string[] = [];
  for (const [e, g] of groups) {
    if (g.include.length === 1) parts.push(`${e} = ${sqlString(g.include[0])}`);
    else if (g.include.length > 1) parts.push(`${e} IN (${g.include.map(sqlString).join(', ')})`);
    for (const v of g.exclude) parts.push(`${e} != ${sqlString(v)}`);
  }
  return parts.join(' AND ');
}

/** toggleFilter adds the filter, or removes it when the same one is already chosen. */
export function toggleFilter(filters: LabelFilter[], f: LabelFilter): LabelFilter[] {
  const same = (a: LabelFilter) => a.column === f.column && (a.key ?? '') === (f.key ?? '') && a.value === f.value;
  const existing = filters.find(same);
  if (existing && !!existing.exclude === !!f.exclude) return filters.filter((a) => !same(a));
  return [...filters.filter((a) => !same(a)), f];
}

/** Aggregations /api/chart supports per metric type (null: chart it with PromQL). */
export function aggregationsFor(type: MetricType): string[] | null {
  switch (type) {
    case 'gauge': return ['avg', 'max', 'min', 'sum', 'last_value'];
    case 'sum': return ['rate', 'increase', 'sum', 'max', 'last_value'];
    case 'histogram': return ['p50', 'p90', 'p95', 'p99', 'avg', 'count'];
    default: return null;
  }
}

/** promLabel escapes an attribute key as Prometheus's translation does (http.method → http_method). */
export function promLabel(key: string): string {
  let s = key.replace(/[^a-zA-Z0-9_]/g, '_');
  if (/^[0-9]/.test(s)) s = `key_${s}`;
  return s;
}

const promString = (s: string) => JSON.stringify(s);

/**
 * promSelector writes the metric and filters as a PromQL selector: point
 * attributes become labels, ServiceName the job label (when the service has
 * no namespace); resource attributes are not Prometheus labels and are left
 * out. Histograms select their _bucket series.
 */
export function promSelector(m: MetricEntry, filters: LabelFilter[]): string {
  const name = (m.promName || m.name) + (m.type === 'histogram' ? '_bucket' : '');
  const matchers: string[] = [];
  const byLabel = new Map<string, { include: string[]; exclude: string[] }>();
  for (const f of filters) {
    if (f.column === 'ResourceAttributes') continue;
    const l = f.column === 'ServiceName' ? 'job' : promLabel(f.key ?? '');
    const g = byLabel.get(l) ?? { include: [], exclude: [] };
    (f.exclude ? g.exclude : g.include).push(f.value);
    byLabel.set(l, g);
  }
  const reQuote = (v: string) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  for (const [l, g] of byLabel) {
    if (g.include.length === 1) matchers.push(`${l}=${promString(g.include[0])}`);
    else if (g.include.length > 1) matchers.push(`${l}=~${promString(g.include.map(reQuote).join('|'))}`);
    for (const v of g.exclude) matchers.push(`${l}!=${promString(v)}`);
  }
  return matchers.length ? `${name}{${matchers.join(', ')}}` : name;
}

/** promQuery suggests a query for the metric: rate for counters, a quantile for histograms. */
export function promQuery(m: MetricEntry, filters: LabelFilter[]): string {
  const sel = promSelector(m, filters);
  if (m.promType === 'counter') return `rate(${sel}[5m])`;
  if (m.type === 'histogram' && m.promType === 'histogram') return `histogram_quantile(0.95, sum by (le) (rate(${sel}[5m])))`;
  return sel;
}

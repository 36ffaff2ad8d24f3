// Shapes of overlook's JSON API (README "API", docs/query-language.md "Charts").

export type Source = 'logs' | 'traces';
export type ChartSource = Source | 'metrics' | 'promql';
export type WhereLanguage = 'lucene' | 'sql';
/** Search's query languages: TraceQL too, for the traces source (POST /api/search only). */
export type SearchLanguage = WhereLanguage | 'traceql';

/** One stored row, keyed by the schema's column names. */
export type Row = Record<string, unknown>;

export interface SearchResponse {
  rows: Row[];
  count: number;
}

export interface Field {
  name: string;
  type: string;
}

export interface Value {
  value: string;
  count: number;
  type?: string;
}

export interface ChartSelect {
  aggFn?: string;
  valueExpression?: string;
  level?: number;
  alias?: string;
  aggCondition?: string;
  aggConditionLanguage?: WhereLanguage;
  metricName?: string;
  metricType?: string;
}

export type DisplayType = 'line' | 'stacked_bar' | 'table' | 'number' | 'heatmap' | 'markdown' | 'search';

/** HyperDX's seriesReturnType: a series per select, or select[0] / select[1]. */
export type SeriesReturnType = 'column' | 'ratio';

/** HyperDX's tile number format (UI only: not sent to /api/chart). */
export interface NumberFormat {
  output: 'number' | 'percent' | 'byte' | 'time' | 'currency';
  mantissa?: number;
  thousandSeparated?: boolean;
  average?: boolean;
  decimalBytes?: boolean;
  factor?: number;
  currencySymbol?: string;
  unit?: string;
}

/** A chart in HyperDX tile vocabulary (without the time range). */
export interface ChartConfig {
  name?: string;
  source: ChartSource;
  displayType?: DisplayType;
  select: ChartSelect[];
  where?: string;
  whereLanguage?: WhereLanguage;
  groupBy?: string[];
  granularity?: string;
  limit?: number;
  /** 'ratio' (exactly two selects): one series per group, select[0] / select[1]. */
  seriesReturnType?: SeriesReturnType;
  numberFormat?: NumberFormat;
  /** The PromQL queries of a 'promql' tile (select is then empty). */
  queries?: PromQuery[];
  /** How a promql number/table tile reduces a series: last (default), mean, max, min, sum. */
  reduce?: 'last' | 'mean' | 'max' | 'min' | 'sum';
}

/** One PromQL query of a tile; expr may reference $variables. */
export interface PromQuery {
  expr: string;
  /** Grafana's legendFormat: {{label}} is replaced by the series' label. */
  legend?: string;
  /** One point at the end of the range instead of a range query. */
  instant?: boolean;
}

export interface VariableOption {
  text: string;
  value: string;
}

/** A dashboard template variable (docs/grafana-import.md). */
export interface Variable {
  name: string;
  label?: string;
  type: 'label_values' | 'label_names' | 'query_result' | 'custom' | 'interval';
  labelName?: string;
  match?: string;
  query?: string;
  regex?: string;
  options?: VariableOption[];
  current?: string[];
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string;
}

export interface ChartSeries {
  name: string;
  select: number;
  group?: Record<string, string>;
  bin?: [number, number];
  points: [number, number | null][];
}

export interface ChartResult {
  series: ChartSeries[];
  meta: {
    source: string;
    displayType: string;
    granularity?: string;
    stepMillis?: number;
    start: number;
    end: number;
    groupBy?: string[];
    seriesReturnType?: SeriesReturnType;
  };
}

export interface Tile {
  id: string;
  x: number;
  y: number;
  w: number;
  h: number;
  config: ChartConfig;
}

export interface Dashboard {
  id: string;
  name: string;
  tags: string[];
  tiles: Tile[];
  timeRange?: string;
  where?: string;
  whereLanguage?: WhereLanguage;
  variables?: Variable[];
  createdAt?: string;
  updatedAt?: string;
}

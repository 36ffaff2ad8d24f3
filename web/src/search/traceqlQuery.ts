// TraceQL in the Search page (docs/traceql.md): field names, completion
// context and "filter by value" terms. Pure helpers, tested in
// traceqlQuery.test.ts.

/** The span intrinsics TraceQL knows (docs/traceql.md). */
export const TRACEQL_INTRINSICS = [
  'name', 'status', 'statusMessage', 'kind', 'duration', 'rootName', 'rootServiceName', 'traceDuration',
  'trace:id', 'span:id', 'event:name', 'link:traceID',
];

/** Keyword values of the enum intrinsics. */
export const TRACEQL_ENUMS: Record<string, string[]> = {
  status: ['error', 'ok', 'unset'],
  kind: ['server', 'client', 'producer', 'consumer', 'internal', 'unspecified'],
};

/**
 * toTraceQLField names a stored column the TraceQL way:
 * SpanAttributes.x → span.x, ResourceAttributes.x → resource.x, and the
 * span columns → their intrinsic (ServiceName is resource.service.name).
 * Other columns have no TraceQL name (null).
 */
export function toTraceQLField(column: string): string | null {
  const m = /^(Span|Resource)Attributes\.(.+)$/.exec(column);
  if (m) return `${m[1] === 'Span' ? 'span' : 'resource'}.${m[2]}`;
  switch (column) {
    case 'ServiceName': return 'resource.service.name';
    case 'SpanName': return 'name';
    case 'StatusCode': return 'status';
    case 'StatusMessage': return 'statusMessage';
    case 'SpanKind': return 'kind';
    case 'TraceId': return 'trace:id';
    case 'SpanId': return 'span:id';
  }
  return null;
}

/** fromTraceQLField is toTraceQLField backwards, for value completion (null: no column). */
export function fromTraceQLField(field: string): string | null {
  const m = /^(span|resource)\.(.+)$/.exec(field);
  if (m) return m[1] === 'resource' && m[2] === 'service.name' ? 'ServiceName' : `${m[1] === 'span' ? 'Span' : 'Resource'}Attributes.${m[2]}`;
  switch (field) {
    case 'name': return 'SpanName';
    case 'statusMessage': return 'StatusMessage';
  }
  return null;
}

/** traceqlFields lists the completion names: intrinsics, then the attributes of the columns given. */
export function traceqlFields(columns: string[]): string[] {
  const out = [...TRACEQL_INTRINSICS];
  for (const c of columns) {
    const f = /^(Span|Resource)Attributes\./.test(c) || c === 'ServiceName' ? toTraceQLField(c) : null;
    if (f && !out.includes(f)) out.push(f);
  }
  return out;
}

export type TraceQLContext =
  | { kind: 'field'; from: number; prefix: string }
  | { kind: 'value'; from: number; field: string; prefix: string };

const IDENT = /[A-Za-z0-9_.:\-]/;

/**
 * traceqlContextAt finds what is typed at pos: inside a spanset `{ … }` a
 * field name (after `{`, `&&`, `||`, `(` or `!`), or a value after
 * `field op ` (op one of = != =~ !~ > >= < <=; a value may be in quotes).
 * Outside braces, and inside complete strings, null.
 */
export function traceqlContextAt(text: string, pos: number): TraceQLContext | null {
  // Inside a spanset? Count braces outside strings up to pos.
  let depth = 0;
  let inStr = false;
  for (let i = 0; i < pos; i++) {
    const ch = text[i];
    if (inStr) {
      if (ch === '\\') i++;
      else if (ch === '"') inStr = false;
    } else if (ch === '"') inStr = true;
    else if (ch === '{') depth++;
    else if (ch === '}') depth = Math.max(0, depth - 1);
  }
  if (depth === 0) return null;
  let start = pos;
  while (start > 0 && IDENT.test(text[start - 1])) start--;
  let word = text.slice(start, pos);
  let from = start;
  if (inStr) {
    // An open string: the value begins after its quote.
    const q = text.lastIndexOf('"', pos - 1);
    word = text.slice(q + 1, pos);
    from = q;
    start = q;
  }
  let j = start;
  while (j > 0 && text[j - 1] === ' ') j--;
  const op = /(!=|=~|!~|>=|<=|=|>|<)$/.exec(text.slice(0, j));
  if (op) {
    let k = j - op[0].length;
    while (k > 0 && text[k - 1] === ' ') k--;
    let fs = k;
    while (fs > 0 && IDENT.test(text[fs - 1])) fs--;
    const field = text.slice(fs, k);
    if (field) return { kind: 'value', from, field, prefix: word };
    return null;
  }
  if (inStr) return null;
  const before = text.slice(0, j);
  if (j === start || /(\{|&&|\|\||\(|!)$/.test(before)) return { kind: 'field', from: start, prefix: word };
  return null;
}

/** traceqlValue writes a value: numbers and enum keywords bare, the rest quoted. */
export function traceqlValue(field: string, v: string): string {
  if (TRACEQL_ENUMS[field]?.includes(v)) return v;
  if (/^-?\d+(\.\d+)?$/.test(v) && !/^(span|resource)\./.test(field) && field !== 'name') return v;
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * traceqlTerm is the condition "column is (not) value"; null when the
 * column has no TraceQL name. StatusCode values (Error, Ok, Unset) and
 * SpanKind values (Server, …) become the keywords.
 */
export function traceqlTerm(column: string, value: string, include: boolean): string | null {
  const f = toTraceQLField(column);
  if (!f) return null;
  let v = value;
  if (f === 'status' || f === 'kind') v = value.toLowerCase().replace(/^(status_code_|span_kind_)/, '');
  return `${f} ${include ? '=' : '!='} ${traceqlValue(f, v)}`;
}

/**
 * andTraceQL adds a condition to a query: inside its spanset when the
 * query is one spanset (`{ a }` → `{ a && term }`), else as a second
 * spanset the same trace must have (`(q) && { term }`). A pipeline
 * (`| count() > 2`) stays last.
 */
export function andTraceQL(query: string, term: string): string {
  const q = query.trim();
  const cut = pipelineStart(q);
  const head = q.slice(0, cut).trim();
  const tail = cut < q.length ? ' ' + q.slice(cut).trim() : '';
  if (head === '' || /^\{\s*\}$/.test(head)) return `{ ${term} }${tail}`;
  if (head.startsWith('{') && head.endsWith('}') && head.indexOf('}') === head.length - 1) {
    return `${head.slice(0, -1).trimEnd()} && ${term} }${tail}`;
  }
  return `(${head}) && { ${term} }${tail}`;
}

/** pipelineStart is the index of the first `|` outside strings and braces that is not `||` (the length if none). */
function pipelineStart(q: string): number {
  let depth = 0;
  for (let i = 0; i < q.length; i++) {
    const ch = q[i];
    if (ch === '"') {
      for (i++; i < q.length && q[i] !== '"'; i++) if (q[i] === '\\') i++;
    } else if (ch === '{' || ch === '(') depth++;
    else if (ch === '}' || ch === ')') depth--;
    else if (ch === '|' && depth === 0) {
      if (q[i + 1] === '|') i++;
      else return i;
    }
  }
  return q.length;
}

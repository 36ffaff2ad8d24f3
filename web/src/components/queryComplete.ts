// Pure helpers for query-bar autocomplete: where the cursor is (typing a
// field name or a value of `field:`) and which fields match.

export type CompletionContext =
  | { kind: 'field'; from: number; prefix: string }
  | { kind: 'value'; from: number; field: string; prefix: string };

const WORD = /[A-Za-z0-9_.@\-\\[\]'*]/;

/**
 * contextAt finds what is being typed at pos in a Lucene-style query:
 * after `Field:` (optionally `Field: "par`) a value, otherwise a field name.
 * Keywords (AND/OR/NOT) and the inside of complete quotes give null.
 */
export function contextAt(text: string, pos: number, lang: 'lucene' | 'sql' = 'lucene'): CompletionContext | null {
  let start = pos;
  while (start > 0 && WORD.test(text[start - 1])) start--;
  const word = text.slice(start, pos);
  if (lang === 'sql') {
    return /^[A-Za-z_]/.test(word) || word === '' ? { kind: 'field', from: start, prefix: word } : null;
  }
  // A value: `field:pre`, `field: pre`, `field:"pre`.
  let i = start;
  let quoted = false;
  if (i > 0 && text[i - 1] === '"') {
    quoted = true;
    i--;
  }
  let j = i;
  while (j > 0 && text[j - 1] === ' ') j--;
  if (j > 0 && text[j - 1] === ':') {
    let fEnd = j - 1;
    let fStart = fEnd;
    while (fStart > 0 && WORD.test(text[fStart - 1])) fStart--;
    const field = text.slice(fStart, fEnd).replace(/^-/, '');
    if (field) return { kind: 'value', from: quoted ? i : start, field, prefix: word };
  }
  if (/^(AND|OR|NOT|TO)$/.test(word)) return null;
  const negated = word.startsWith('-');
  return { kind: 'field', from: negated ? start + 1 : start, prefix: negated ? word.slice(1) : word };
}

/**
 * matchFields ranks fields for a prefix: names starting with it first,
 * then names with a dotted segment starting with it (typing `card` finds
 * SpanAttributes.app.payment.card_type), then substring matches.
 */
export function matchFields(fields: string[], prefix: string, limit = 50): string[] {
  const p = prefix.toLowerCase();
  if (!p) return fields.slice(0, limit);
  const tiers: string[][] = [[], [], []];
  for (const f of fields) {
    const l = f.toLowerCase();
    if (l.startsWith(p)) tiers[0].push(f);
    else if (l.split(/[._\-[\]']/).some((seg) => seg.startsWith(p))) tiers[1].push(f);
    else if (l.includes(p)) tiers[2].push(f);
  }
  return tiers.flat().slice(0, limit);
}

/** quoteValue writes a value for `field:` — exact match, quoted. */
export function quoteValue(v: string): string {
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** toSqlField turns `SpanAttributes.a.b` into `SpanAttributes['a.b']` for SQL mode. */
export function toSqlField(name: string): string {
  const m = /^(\w*Attributes)\.(.+)$/.exec(name);
  return m ? `${m[1]}['${m[2]}']` : name;
}

/** filterTerm is `field:"value"` (or `-field:"value"`), or in SQL `field = 'value'` (`!=`). */
export function filterTerm(field: string, value: string, include: boolean, lang: 'lucene' | 'sql'): string {
  return lang === 'sql'
    ? `${toSqlField(field)} ${include ? '=' : '!='} '${value.replace(/'/g, "''")}'`
    : `${include ? '' : '-'}${field}:${quoteValue(value)}`;
}

// What clicking an Event Pattern adds to the query (docs/ui.md "Event Patterns").
import type { Pattern } from '../api/analysis';
import type { Source, WhereLanguage } from '../api/types';
import { quoteValue } from '../components/queryComplete';

/** PLACEHOLDER matches the masked tokens of a pattern: <*>, <num>, <ip>, … and an elision. */
const PLACEHOLDER = /<[^<>\s]*>|…/g;

/**
 * literalSegments are the pattern's text between its masked tokens, trimmed,
 * keeping those with at least 3 non-space characters (a lone "=" or ": "
 * narrows nothing).
 */
export function literalSegments(pattern: string): string[] {
  return pattern.split(PLACEHOLDER).map((s) => s.trim()).filter((s) => s.replace(/\s/g, '').length >= 3);
}

function sqlString(v: string): string {
  return `'${v.replace(/'/g, "''")}'`;
}

function sqlLike(v: string): string {
  return sqlString(`%${v.replace(/[\\%_]/g, (c) => `\\${c}`)}%`) + " ESCAPE '\\'";
}

/**
 * patternQuery is the filter for a pattern's events, in the query's language.
 * Logs: each literal segment of the pattern as a phrase term (a
 * case-insensitive substring of Body), e.g. `"Failed to place order:"
 * "order="`. Spans: the text is SpanName plus StatusMessage, but phrase
 * terms search SpanName only, so the span name of the pattern's samples is
 * matched exactly, and StatusMessage must be set (`StatusMessage:*`) when
 * the pattern carries more than the name, or be empty when it does not.
 * SQL mode writes the same with ILIKE and =. Returns '' when the pattern has
 * nothing literal to match.
 */
export function patternQuery(p: Pattern, source: Source, lang: WhereLanguage): string {
  const name = source === 'traces' ? p.samples.find((s) => typeof s.SpanName === 'string')?.SpanName as string | undefined : undefined;
  if (name !== undefined) {
    const hasStatus = p.pattern.trim().length > name.trim().length;
    if (lang === 'sql') return `SpanName = ${sqlString(name)} AND StatusMessage ${hasStatus ? "!= ''" : "= ''"}`;
    return `SpanName:${quoteValue(name)} ${hasStatus ? 'StatusMessage:*' : '-StatusMessage:*'}`;
  }
  const segs = literalSegments(p.pattern);
  if (lang === 'sql') {
    const col = source === 'traces' ? 'SpanName' : 'Body';
    return segs.map((s) => `${col} ILIKE ${sqlLike(s)}`).join(' AND ');
  }
  return segs.map((s) => quoteValue(s)).join(' ');
}

/** andQuery joins a filter onto the user's query in its language. */
export function andQuery(query: string, term: string, lang: WhereLanguage): string {
  const q = query.trim();
  if (!q) return term;
  if (!term) return q;
  return lang === 'sql' ? `(${q}) AND ${term}` : `(${q}) ${term}`;
}

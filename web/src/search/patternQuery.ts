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

const hasPlaceholder = (s: string) => s.split(PLACEHOLDER).length > 1;

/** statusWords: up to three of the longest words (letters and digits, 4+ long) of a status message's literal text. */
function statusWords(status: string): string[] {
  const words = Array.from(new Set(literalSegments(status).flatMap((seg) => seg.match(/[A-Za-z0-9]{4,}/g) ?? [])));
  return words.sort((a, b) => b.length - a.length || a.localeCompare(b)).slice(0, 3);
}

/**
 * patternQuery is the filter for a pattern's events, in the query's language.
 *
 * Logs: each literal segment of the pattern (the text between masked
 * tokens) as a phrase term, a case-insensitive substring of Body:
 * `"Failed to place order:" "order="`.
 *
 * Spans: the text is SpanName, a space and StatusMessage when set. The
 * pattern's first words (as many as its samples' SpanName has) are the
 * name: matched exactly (`SpanName:"charge"`) when it has no masked token,
 * else by its literal segments as phrase terms (which search SpanName).
 * The rest is the status message: its three longest words, each a
 * case-insensitive contains (`StatusMessage:cannot StatusMessage:cache`),
 * or `StatusMessage:*` (set) when it has no word; `-StatusMessage:*` when
 * the pattern has no status message. SQL mode writes the same with =,
 * ILIKE and != ''. Returns '' when the pattern has nothing literal.
 */
export function patternQuery(p: Pattern, source: Source, lang: WhereLanguage): string {
  const name = source === 'traces' ? p.samples.find((s) => typeof s.SpanName === 'string')?.SpanName as string | undefined : undefined;
  if (name !== undefined && name.trim() !== '') {
    const tokens = p.pattern.trim().split(/\s+/);
    const n = name.trim().split(/\s+/).length;
    const namePart = tokens.slice(0, n).join(' ');
    const status = tokens.slice(n).join(' ');
    const terms: string[] = [];
    if (lang === 'sql') {
      if (hasPlaceholder(namePart)) terms.push(...literalSegments(namePart).map((seg) => `SpanName ILIKE ${sqlLike(seg)}`));
      else terms.push(`SpanName = ${sqlString(namePart)}`);
      if (status) terms.push(`StatusMessage != ''`, ...literalSegments(status).map((seg) => `StatusMessage ILIKE ${sqlLike(seg)}`));
      else terms.push(`StatusMessage = ''`);
      return terms.join(' AND ');
    }
    if (hasPlaceholder(namePart)) terms.push(...literalSegments(namePart).map((seg) => quoteValue(seg)));
    else terms.push(`SpanName:${quoteValue(namePart)}`);
    const words = statusWords(status);
    if (status) terms.push(...(words.length ? words.map((w) => `StatusMessage:${w}`) : ['StatusMessage:*']));
    else terms.push('-StatusMessage:*');
    return terms.join(' ');
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

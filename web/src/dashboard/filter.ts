// The dashboard filter and how it joins each tile's own filters
// (docs/ui.md, "Dashboard filter").
import type { ChartConfig, ChartSelect, WhereLanguage } from '../api/types';

export interface DashboardFilter {
  where: string;
  language: WhereLanguage;
}

export type FilterResult = { config: ChartConfig; error?: undefined } | { config?: undefined; error: string };

/** and joins the non-empty conditions with AND, parenthesised when there are several. */
export function and(...parts: string[]): string {
  const p = parts.map((x) => x.trim()).filter(Boolean);
  return p.length === 1 ? p[0] : p.map((x) => `(${x})`).join(' AND ');
}

/** selectCondition is a select's own condition (HyperDX aggCondition) and its language. */
function selectCondition(s: ChartSelect, tileLang: WhereLanguage): { text: string; lang: WhereLanguage } {
  return { text: s.aggCondition ?? '', lang: s.aggConditionLanguage ?? tileLang };
}

/** withCondition sets a select's condition. */
function withCondition(s: ChartSelect, text: string, lang: WhereLanguage): ChartSelect {
  const { aggCondition: _c, aggConditionLanguage: _l, ...rest } = s;
  return text.trim() ? { ...rest, aggCondition: text, aggConditionLanguage: lang } : rest;
}

/**
 * applyDashboardFilter ANDs the dashboard filter into a tile, for every
 * source (logs, traces and metrics, whose filters resolve against the
 * metric's attributes and ServiceName) and both languages:
 *
 *  - same language as the tile's where: `(tile where) AND (filter)`;
 *  - otherwise the tile's where stays and the filter becomes (or is ANDed
 *    into) each select's own condition, which the chart API ANDs with the
 *    where — so a search-language filter applies to a SQL tile unchanged;
 *  - a select whose condition is in the tile's language: the filter takes
 *    the chart-level where and the tile's where moves into each select.
 *
 * Markdown tiles are returned as they are. When a tile mixes conditions of
 * both languages the filter cannot be placed and an error says so.
 */
export function applyDashboardFilter(c: ChartConfig, f: DashboardFilter): FilterResult {
  const filter = f.where.trim();
  if (!filter || c.displayType === 'markdown') return { config: c };
  const tileLang = c.whereLanguage ?? 'lucene';
  if (tileLang === f.language) return { config: { ...c, where: and(c.where ?? '', filter) } };
  const conds = c.select.map((s) => selectCondition(s, tileLang));
  const blocking = conds.some((x) => x.text.trim() && x.lang === tileLang);
  if (!blocking) {
    // The filter goes into every select; the tile's where is untouched.
    return { config: { ...c, select: c.select.map((s, i) => withCondition(s, and(conds[i].text, filter), f.language)) } };
  }
  if (conds.some((x) => x.text.trim() && x.lang === f.language) && (c.where ?? '').trim()) {
    return { error: `the dashboard filter (${langName(f.language)}) cannot be combined with this tile: its where and its series conditions mix search and SQL; write the filter in ${langName(tileLang)}` };
  }
  // The filter becomes the chart's where; the tile's where joins each select.
  return {
    config: {
      ...c, where: filter, whereLanguage: f.language,
      select: c.select.map((s, i) => {
        const own = conds[i];
        if (own.text.trim() && own.lang === f.language) return withCondition(s, own.text, own.lang);
        return withCondition(s, and(c.where ?? '', own.text), tileLang);
      }),
    },
  };
}

function langName(l: WhereLanguage): string {
  return l === 'sql' ? 'SQL' : 'the search language';
}

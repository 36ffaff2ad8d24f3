import { autocompletion, type CompletionContext as CMContext, type CompletionResult, completionKeymap, startCompletion } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { EditorState, Prec } from '@codemirror/state';
import { EditorView, keymap, placeholder as cmPlaceholder } from '@codemirror/view';
import { SegmentedControl, Group } from '@mantine/core';
import { useEffect, useRef } from 'react';
import type { SearchLanguage } from '../api/types';
import { fromTraceQLField, TRACEQL_ENUMS, traceqlContextAt, traceqlFields, traceqlValue } from '../search/traceqlQuery';
import { contextAt, matchFields, quoteValue, toSqlField } from './queryComplete';

export interface QueryBarProps {
  value: string;
  language: SearchLanguage;
  /** The language choices shown (default Search and SQL; TraceQL for traces in Search). */
  languages?: SearchLanguage[];
  onChange: (v: string) => void;
  onLanguageChange: (l: SearchLanguage) => void;
  /** Called on Enter with the current text. */
  onSubmit: (v: string) => void;
  /** Field names for completion. */
  fields: () => string[];
  /** Values of a field for completion (may be slow; aborted when stale). */
  values?: (field: string, prefix: string, signal: AbortSignal) => Promise<string[]>;
  placeholder?: string;
  /** Focus the bar when `/` is pressed anywhere outside an input. */
  slashFocus?: boolean;
}

const LANGUAGE_LABELS: Record<SearchLanguage, string> = { lucene: 'Search', sql: 'SQL', traceql: 'TraceQL' };

/**
 * QueryBar is a one-line CodeMirror editor for the search language, SQL
 * WHERE mode or TraceQL, completing field names and values.
 */
export function QueryBar(p: QueryBarProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const props = useRef(p);
  props.current = p;

  useEffect(() => {
    const source = async (ctx: CMContext): Promise<CompletionResult | null> => {
      const text = ctx.state.doc.toString();
      const lang = props.current.language;
      if (lang === 'traceql') return traceqlSource(ctx, text);
      const c = contextAt(text, ctx.pos, lang);
      if (!c) return null;
      if (c.kind === 'field') {
        if (!ctx.explicit && c.prefix === '') return null;
        const names = matchFields(props.current.fields(), c.prefix);
        return {
          from: c.from,
          filter: false,
          options: names.map((n) => ({ label: lang === 'sql' ? toSqlField(n) : n, type: 'property', apply: lang === 'sql' ? toSqlField(n) : n + ':' })),
        };
      }
      const values = props.current.values;
      if (!values) return null;
      const ac = new AbortController();
      ctx.addEventListener('abort', () => ac.abort());
      let vals: string[] = [];
      try {
        vals = await values(c.field, c.prefix.replace(/^"/, ''), ac.signal);
      } catch {
        return null;
      }
      return { from: c.from, filter: false, options: vals.map((v) => ({ label: v, type: 'text', apply: quoteValue(v) + ' ' })) };
    };
    // TraceQL: intrinsics and span./resource. attributes inside `{ }`;
    // after `field op`, the enum keywords or the column's values.
    const traceqlSource = async (ctx: CMContext, text: string): Promise<CompletionResult | null> => {
      const c = traceqlContextAt(text, ctx.pos);
      if (!c) return null;
      if (c.kind === 'field') {
        if (!ctx.explicit && c.prefix === '') return null;
        return { from: c.from, filter: false, options: matchFields(traceqlFields(props.current.fields()), c.prefix).map((n) => ({ label: n, type: 'property', apply: n + ' ' })) };
      }
      const apply = (v: string) => ({ label: v, type: 'text', apply: traceqlValue(c.field, v) + ' ' });
      const enums = TRACEQL_ENUMS[c.field];
      if (enums) return { from: c.from, filter: false, options: enums.filter((v) => v.startsWith(c.prefix)).map(apply) };
      const column = fromTraceQLField(c.field);
      const values = props.current.values;
      if (!column || !values) return null;
      const ac = new AbortController();
      ctx.addEventListener('abort', () => ac.abort());
      try {
        return { from: c.from, filter: false, options: (await values(column, c.prefix, ac.signal)).map(apply) };
      } catch {
        return null;
      }
    };
    const submit = (v: EditorView) => {
      props.current.onSubmit(v.state.doc.toString());
      return true;
    };
    const state = EditorState.create({
      doc: p.value,
      extensions: [
        history(),
        // One line: Enter runs the query (unless a completion is open,
        // whose keymap has a higher precedence).
        EditorState.transactionFilter.of((tr) => (tr.newDoc.lines > 1 ? [] : tr)),
        autocompletion({ override: [source], activateOnTyping: true, icons: false }),
        Prec.highest(keymap.of(completionKeymap)),
        Prec.high(keymap.of([{ key: 'Enter', run: submit }, { key: 'Ctrl-Space', run: startCompletion }])),
        keymap.of([...defaultKeymap, ...historyKeymap]),
        cmPlaceholder(p.placeholder ?? ''),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) props.current.onChange(u.state.doc.toString());
        }),
        EditorView.contentAttributes.of({ 'aria-label': 'query', 'data-testid': 'query-input' }),
        EditorView.theme({
          '&': { fontSize: '14px', border: '1px solid var(--mantine-color-default-border)', borderRadius: '4px', background: 'var(--mantine-color-body)', flex: 1, minWidth: 0 },
          '&.cm-focused': { outline: '2px solid var(--mantine-primary-color-filled)' },
          '.cm-content': { fontFamily: 'var(--mantine-font-family-monospace)', padding: '7px 4px', caretColor: 'var(--mantine-color-text)' },
          '.cm-line': { color: 'var(--mantine-color-text)' },
          '.cm-scroller': { overflow: 'hidden' },
        }),
      ],
    });
    const v = new EditorView({ state, parent: host.current! });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
    // The editor is created once; props are read through the ref.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // Follow external value changes (URL navigation, "filter by value").
  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== p.value) {
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: p.value }, selection: { anchor: p.value.length } });
    }
  }, [p.value]);

  useEffect(() => {
    if (!p.slashFocus) return;
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      const typing = t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable);
      if (e.key === '/' && !typing) {
        e.preventDefault();
        view.current?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [p.slashFocus]);

  return (
    <Group gap="xs" wrap="nowrap" style={{ flex: 1, minWidth: 0 }}>
      <SegmentedControl
        size="xs"
        value={p.language}
        onChange={(v) => p.onLanguageChange(v as SearchLanguage)}
        data={(p.languages ?? ['lucene', 'sql']).map((l) => ({ value: l, label: LANGUAGE_LABELS[l] }))}
        aria-label="query language"
      />
      <div ref={host} style={{ flex: 1, minWidth: 0, display: 'flex' }} data-testid="query-bar" />
    </Group>
  );
}

import { describe, expect, it } from 'vitest';
import type { Pattern } from '../api/analysis';
import { andQuery, literalSegments, patternQuery } from './patternQuery';

const logPattern: Pattern = {
  pattern: 'Failed to place order: could not charge the card: Visa cache full order=<*> user=<*>',
  count: 30, errorCount: 30, services: ['frontend'], samples: [{ Body: 'Failed to place order: … order=17 user=3' }], series: [],
};

describe('literalSegments', () => {
  it('splits at masked tokens and drops short glue', () => {
    expect(literalSegments('charge <num> ms took <*> = <ip>')).toEqual(['charge', 'ms took']);
    expect(literalSegments('Failed to place order: … order=<*>')).toEqual(['Failed to place order:', 'order=']);
  });
});

describe('patternQuery', () => {
  it('logs, search language: phrase terms of the literal text', () => {
    expect(patternQuery(logPattern, 'logs', 'lucene')).toBe('"Failed to place order: could not charge the card: Visa cache full order=" "user="');
  });
  it('logs, SQL: ILIKE with LIKE characters escaped', () => {
    const p = { ...logPattern, pattern: "it's 100% <*> done_ok" };
    expect(patternQuery(p, 'logs', 'sql')).toBe("Body ILIKE '%it''s 100\\%%' ESCAPE '\\' AND Body ILIKE '%done\\_ok%' ESCAPE '\\'");
  });
  it('quotes inside a phrase are escaped', () => {
    expect(patternQuery({ ...logPattern, pattern: 'say "hi" <*>' }, 'logs', 'lucene')).toBe('"say \\"hi\\""');
  });
  it('spans: the exact span name, and whether a status message is part of the pattern', () => {
    const span: Pattern = { ...logPattern, pattern: 'charge Visa cache full: cannot add new item.', samples: [{ SpanName: 'charge', StatusMessage: 'Visa cache full: cannot add new item.' }] };
    expect(patternQuery(span, 'traces', 'lucene')).toBe('SpanName:"charge" StatusMessage:cannot StatusMessage:cache StatusMessage:full');
    expect(patternQuery({ ...span, pattern: 'charge <*>' }, 'traces', 'lucene')).toBe('SpanName:"charge" StatusMessage:*');
    expect(patternQuery({ ...span, pattern: 'charge' }, 'traces', 'lucene')).toBe('SpanName:"charge" -StatusMessage:*');
    expect(patternQuery(span, 'traces', 'sql')).toBe("SpanName = 'charge' AND StatusMessage != '' AND StatusMessage ILIKE '%Visa cache full: cannot add new item.%' ESCAPE '\\'");
  });
  it('spans: a span name with a masked id matches by its literal text, not the sample\'s id', () => {
    const span: Pattern = { ...logPattern, pattern: 'GET /api/products/<*>', samples: [{ SpanName: 'GET /api/products/OLJCESPC7Z' }] };
    expect(patternQuery(span, 'traces', 'lucene')).toBe('"GET /api/products/" -StatusMessage:*');
    expect(patternQuery(span, 'traces', 'sql')).toBe("SpanName ILIKE '%GET /api/products/%' ESCAPE '\\' AND StatusMessage = ''");
  });
});

describe('andQuery', () => {
  it('joins in the language of the query', () => {
    expect(andQuery('', '"x"', 'lucene')).toBe('"x"');
    expect(andQuery('level:error', '"x"', 'lucene')).toBe('(level:error) "x"');
    expect(andQuery("ServiceName = 'a'", "Body ILIKE '%x%'", 'sql')).toBe("(ServiceName = 'a') AND Body ILIKE '%x%'");
  });
});

import { describe, expect, it } from 'vitest';
import { contextAt, matchFields, quoteValue, toSqlField } from './queryComplete';

describe('contextAt', () => {
  const cases: [string, ReturnType<typeof contextAt>][] = [
    ['Serv', { kind: 'field', from: 0, prefix: 'Serv' }],
    ['level:error Serv', { kind: 'field', from: 12, prefix: 'Serv' }],
    ['-Serv', { kind: 'field', from: 1, prefix: 'Serv' }],
    ['ServiceName:pay', { kind: 'value', from: 12, field: 'ServiceName', prefix: 'pay' }],
    ['ServiceName: pay', { kind: 'value', from: 13, field: 'ServiceName', prefix: 'pay' }],
    ['ServiceName:"pay', { kind: 'value', from: 12, field: 'ServiceName', prefix: 'pay' }],
    ['SpanAttributes.app.payment.card_type:v', { kind: 'value', from: 37, field: 'SpanAttributes.app.payment.card_type', prefix: 'v' }],
    ['a AND', null],
  ];
  it.each(cases)('%s', (text, want) => {
    expect(contextAt(text, text.length)).toEqual(want);
  });
});

describe('matchFields', () => {
  const fields = ['ServiceName', 'SpanAttributes.app.payment.card_type', 'SpanName', 'ResourceAttributes.service.name'];
  it('ranks prefix, then segment, then substring', () => {
    expect(matchFields(fields, 'card')).toEqual(['SpanAttributes.app.payment.card_type']);
    expect(matchFields(fields, 'span')).toEqual(['SpanAttributes.app.payment.card_type', 'SpanName']);
    expect(matchFields(fields, 'name')).toEqual(['ResourceAttributes.service.name', 'ServiceName', 'SpanName']);
  });
});

describe('helpers', () => {
  it('quotes values and converts map paths to SQL', () => {
    expect(quoteValue('a "b"')).toBe('"a \\"b\\""');
    expect(toSqlField('SpanAttributes.app.payment.card_type')).toBe("SpanAttributes['app.payment.card_type']");
    expect(toSqlField('ServiceName')).toBe('ServiceName');
  });
});

import { describe, expect, it } from 'vitest';
import { andTraceQL, fromTraceQLField, toTraceQLField, traceqlContextAt, traceqlFields, traceqlTerm, traceqlValue } from './traceqlQuery';

describe('TraceQL field names', () => {
  it.each([
    ['SpanAttributes.http.route', 'span.http.route'],
    ['ResourceAttributes.k8s.pod.name', 'resource.k8s.pod.name'],
    ['ServiceName', 'resource.service.name'],
    ['SpanName', 'name'],
    ['StatusCode', 'status'],
    ['SpanKind', 'kind'],
    ['Duration', null],
    ['Body', null],
  ])('%s → %s', (col, want) => expect(toTraceQLField(col)).toBe(want));

  it('maps back for value completion', () => {
    expect(fromTraceQLField('span.http.route')).toBe('SpanAttributes.http.route');
    expect(fromTraceQLField('resource.service.name')).toBe('ServiceName');
    expect(fromTraceQLField('name')).toBe('SpanName');
    expect(fromTraceQLField('duration')).toBeNull();
  });

  it('completes intrinsics, then attributes', () => {
    const f = traceqlFields(['Timestamp', 'ServiceName', 'SpanAttributes.http.route', 'ResourceAttributes.host.name']);
    expect(f.slice(0, 3)).toEqual(['name', 'status', 'statusMessage']);
    expect(f).toContain('resource.service.name');
    expect(f).toContain('span.http.route');
    expect(f).toContain('resource.host.name');
    expect(f).not.toContain('Timestamp');
  });
});

describe('traceqlContextAt', () => {
  const at = (s: string) => traceqlContextAt(s.replace('|', ''), s.indexOf('|'));
  it.each([
    ['{ na|', { kind: 'field', from: 2, prefix: 'na' }],
    ['{na|', { kind: 'field', from: 1, prefix: 'na' }],
    ['{ name = "x" && span.ht|', { kind: 'field', from: 16, prefix: 'span.ht' }],
    ['{ status = |', { kind: 'value', from: 11, field: 'status', prefix: '' }],
    ['{ span.http.route = "/ap|', { kind: 'value', from: 20, field: 'span.http.route', prefix: '/ap' }],
    ['{ duration >= 1|', { kind: 'value', from: 14, field: 'duration', prefix: '1' }],
    ['{ name =~ "GET.*" } && { kin|', { kind: 'field', from: 25, prefix: 'kin' }],
  ])('%s', (text, want) => expect(at(text)).toEqual(want));

  it.each(['na|', '{ name = "x" } |', '{ name = "x" |'])('nothing to complete: %s', (text) => expect(at(text)).toBeNull());
});

describe('TraceQL filter terms', () => {
  it('writes values: strings quoted, keywords and durations bare', () => {
    expect(traceqlValue('span.http.route', '/a"b')).toBe('"/a\\"b"');
    expect(traceqlValue('status', 'error')).toBe('error');
    expect(traceqlValue('span.http.status_code', '500')).toBe('"500"');
  });

  it('filters by column values', () => {
    expect(traceqlTerm('ServiceName', 'payment', true)).toBe('resource.service.name = "payment"');
    expect(traceqlTerm('StatusCode', 'Error', false)).toBe('status != error');
    expect(traceqlTerm('SpanKind', 'SPAN_KIND_SERVER', true)).toBe('kind = server');
    expect(traceqlTerm('Duration', '12', true)).toBeNull();
  });

  it('adds a condition inside one spanset, else as a second spanset', () => {
    expect(andTraceQL('', 'name = "a"')).toBe('{ name = "a" }');
    expect(andTraceQL('{}', 'name = "a"')).toBe('{ name = "a" }');
    expect(andTraceQL('{ status = error }', 'name = "a"')).toBe('{ status = error && name = "a" }');
    expect(andTraceQL('{ a = 1 } || { b = 2 }', 'name = "a"')).toBe('({ a = 1 } || { b = 2 }) && { name = "a" }');
    expect(andTraceQL('{ .a = "x|y" } | count() > 2', 'name = "a"')).toBe('{ .a = "x|y" && name = "a" } | count() > 2');
  });
});

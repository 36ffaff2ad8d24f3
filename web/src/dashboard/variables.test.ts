import { describe, expect, it } from 'vitest';
import type { Variable } from '../api/types';
import { ALL, applyRegex, builtins, escapeRegex, interpolate, legendName, promSeries, queryResultLines, reduce, varText } from './variables';

const job: Variable = { name: 'job', type: 'label_values', labelName: 'job', multi: true, includeAll: true };
const win: Variable = { name: 'window', type: 'interval', options: [{ text: 'auto', value: '$__interval' }, { text: '5m', value: '5m' }] };

describe('variable substitution', () => {
  const b = builtins(30, 3600_000);
  it.each([
    ['single value, all syntaxes', 'up{job="$job"} + up{job="${job}"} + up{job="[[job]]"} + up{job="${job:regex}"}', { job: ['api'] },
      'up{job="api"} + up{job="api"} + up{job="api"} + up{job="api"}'],
    ['several values: an escaped alternation', 'up{job=~"$job"}', { job: ['a.b', 'c'] }, 'up{job=~"(a\\\\.b|c)"}'],
    ['All without allValue', 'up{job=~"$job"}', { job: [ALL] }, 'up{job=~".*"}'],
    ['built-ins', 'rate(x[$__rate_interval]) / $__range_s', {}, 'rate(x[60s]) / 3600'],
    ['auto interval resolves to $__interval', 'rate(x[$window])', { window: ['$__interval'] }, 'rate(x[30s])'],
    ['unknown references stay', 'label_replace(up, "a", "$1", "b", "(.*)") * $nope', {}, 'label_replace(up, "a", "$1", "b", "(.*)") * $nope'],
    ['a longer name is not a prefix match', '$jobs $job', { job: ['x'] }, '$jobs x'],
  ])('%s', (_, expr, values, want) => {
    expect(interpolate(expr, [job, win], values, b)).toBe(want);
  });
  it('falls back to the saved current value', () => {
    expect(interpolate('$job', [{ ...job, current: ['db'] }], {}, b)).toBe('db');
  });
  it('rate interval is at least four scrapes', () => {
    expect(builtins(15, 60_000).__rate_interval).toBe('60s');
    expect(builtins(120, 60_000).__rate_interval).toBe('135s');
  });
  it('escapes regex metacharacters as Grafana does', () => {
    expect(escapeRegex('a.b|c')).toBe('a\\\\.b\\\\|c');
    expect(varText({ ...job, allValue: 'api|db' }, [ALL])).toBe('api|db');
  });
});

describe('variable values', () => {
  it('applies a regex, taking the capture group', () => {
    expect(applyRegex(['node_id="n1"', 'node_id="n2"', 'other'], 'node_id="([^"]+)"')).toEqual(['n1', 'n2']);
    expect(applyRegex(['__x', 'job'], '^(?!__).*')).toEqual(['job']);
  });
  it('writes query_result lines', () => {
    expect(queryResultLines({ status: 'success', data: { resultType: 'vector', result: [{ metric: { __name__: 'up', job: 'a' }, value: [10, '1'] }] } }))
      .toEqual(['up{job="a"} 1 10000']);
  });
});

describe('series', () => {
  it('names series by legend and reduces them', () => {
    const s = promSeries([{ res: { status: 'success', data: { resultType: 'matrix', result: [{ metric: { job: 'a' }, values: [[1, '2'], [2, '4'], [3, 'NaN']] }] } }, legend: '{{job}} rps' }]);
    expect(s[0].name).toBe('a rps');
    expect(reduce(s[0].points)).toBe(4);
    expect(reduce(s[0].points, 'mean')).toBe(3);
    expect(reduce(s[0].points, 'sum')).toBe(6);
    expect(legendName(undefined, { __name__: 'up', job: 'a' }, 'x')).toBe('up{job="a"}');
  });
});

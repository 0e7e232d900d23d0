import { describe, expect, test } from 'vitest';
import { parseCsv, toCsv } from '../../src/lib/csv';
import { smooth } from '../../src/lib/smooth';
import { applyCompletion, completions, tokenAt } from '../../src/lib/filter';
import { orderKey, parseOrder, queryToState, recall, remember, stateToQuery, DEFAULT_STATE } from '../../src/lib/tablestate';
import { safeTarget } from '../../src/lib/redirect';
import { fmtNumber, fmtDuration } from '../../src/lib/format';
import { parseHash, href } from '../../src/router';

describe('csv', () => {
  test('round trip with quotes, commas, newlines', () => {
    const text = toCsv(['a', 'b'], [['x,y', 'say "hi"'], ['line\nbreak', 3]]);
    expect(parseCsv(text)).toEqual([['a', 'b'], ['x,y', 'say "hi"'], ['line\nbreak', '3']]);
  });
  test('formula cells are neutralised, numbers are not', () => {
    const text = toCsv(['v'], [['=HYPERLINK("x")'], ['-1.5'], ['@SUM(A1)']]);
    expect(text).toContain(`"'=HYPERLINK(""x"")"`);
    expect(text).toContain('\r\n-1.5\r\n');
    expect(text).toContain(`"'@SUM(A1)"`);
  });
  test('tsv and row limit', () => {
    expect(parseCsv('a\tb\n1\t2\n3\t4\n', '\t', 2)).toEqual([['a', 'b'], ['1', '2']]);
  });
});

describe('smoothing', () => {
  test('zero weight is identity; EMA is debiased; nulls kept', () => {
    expect(smooth([1, 2, 3], 0)).toEqual([1, 2, 3]);
    const s = smooth([1, null, 1, 1], 0.9);
    expect(s[0]).toBeCloseTo(1);
    expect(s[1]).toBeNull();
    expect(s[3]).toBeCloseTo(1);
    const t = smooth([0, 10], 0.5);
    expect(t[1]).toBeCloseTo((0 * 0.5 * 0.5 + 10 * 0.5) / (1 - 0.25));
  });
});

describe('filter autocomplete', () => {
  const keys = { metrics: ['rmse', 'val loss'], params: ['lr'], tags: ['team'] };
  test('token at cursor, outside quotes', () => {
    expect(tokenAt('metrics.rm', 10)).toEqual({ token: 'metrics.rm', start: 0 });
    expect(tokenAt("params.lr = 'a b", 16)).toBeNull();
    expect(tokenAt('metrics.rmse < 1 and par', 24)).toEqual({ token: 'par', start: 21 });
  });
  test('completions: prefix first, then substring; keys with spaces quoted', () => {
    expect(completions('metrics.', keys)).toEqual(['metrics.rmse', 'metrics.`val loss`']);
    expect(completions('lr', keys)[0]).toBe('params.lr');
    expect(completions('attributes.st', keys)).toEqual(['attributes.status', 'attributes.start_time']);
  });
  test('apply replaces the token', () => {
    expect(applyCompletion('metrics.rm < 1', 0, 10, 'metrics.rmse')).toEqual({ text: 'metrics.rmse < 1', cursor: 12 });
  });
});

describe('table state', () => {
  test('URL round trip', () => {
    const s = { filter: "params.lr = '0.1'", order: 'metrics.`acc` DESC', cols: [{ kind: 'm' as const, key: 'acc' }, { kind: 't' as const, key: 'a:b' }], view: 'deleted' as const, tab: 'charts' as const };
    expect(queryToState(stateToQuery(s))).toEqual(s);
    expect(queryToState(new URLSearchParams(''))).toBeNull();
    expect(queryToState(new URLSearchParams('cols=notjson'))?.cols).toEqual([]);
  });
  test('remembered per experiment', () => {
    const mem = new Map<string, string>();
    const storage = { getItem: (k: string) => mem.get(k) ?? null, setItem: (k: string, v: string) => void mem.set(k, v) };
    remember('7', { ...DEFAULT_STATE, filter: 'x' }, storage);
    expect(recall('7', storage)?.filter).toBe('x');
    expect(recall('8', storage)).toBeNull();
    remember('9', DEFAULT_STATE, storage);
    expect(recall('9', storage)).toEqual(DEFAULT_STATE);
  });
  test('order keys', () => {
    expect(orderKey({ kind: 'p', key: 'a`b' })).toBe('params.`a``b`');
    expect(orderKey('start_time')).toBe('attributes.start_time');
    expect(parseOrder('metrics.`x y` DESC')).toEqual({ key: 'metrics.`x y`', desc: true });
  });
});

describe('misc', () => {
  test('login redirect target stays on our origin', () => {
    expect(safeTarget('/x/#y', '')).toBe('/x/#y');
    for (const bad of ['//evil.example', '/\\evil', 'https://evil', null, '', '/a\nb']) expect(safeTarget(bad, '/p')).toBe('/p/');
  });
  test('hash routes', () => {
    expect(parseHash('#/experiments/1?filter=a%20b')).toMatchObject({ path: ['experiments', '1'] });
    expect(parseHash('#/experiments/1?filter=a%20b').query.get('filter')).toBe('a b');
    expect(href(['models', 'a/b'], { x: 'y', z: undefined })).toBe('#/models/a%2Fb?x=y');
  });
  test('number and duration formats', () => {
    expect(fmtNumber(0.1 + 0.2)).toBe('0.3');
    expect(fmtNumber(1e-7)).toBe('1.0000e-7');
    expect(fmtNumber('NaN')).toBe('NaN');
    expect(fmtDuration(61_000)).toBe('1 min 1 s');
  });
});

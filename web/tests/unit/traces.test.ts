import { describe, expect, test } from 'vitest';
import { attributeList, attributeValue, decodeAnyValue } from '../../src/lib/anyvalue';
import { buildSpanTree, collapseBelow, expandTo, hexId, visibleRows } from '../../src/lib/spantree';
import { bar, fmtNanos, ticks, timeRange } from '../../src/lib/waterfall';
import { childrenOf, clip, jsonInString, literal, oneLine, openByDefault, summary } from '../../src/lib/pretty';
import { andFilters, collectTraceKeys, quoteString, runFilter, traceCompletions, traceKey } from '../../src/lib/tracefilter';
import { assessmentValue, durationMs, parseUserValue, timeMs, tokenUsage, userTags, valueToInput } from '../../src/lib/traceinfo';
import type { SpanJson, TraceInfo } from '../../src/traceapi';

// 8-byte span id n as base64, the way GetTrace prints ids.
const b64 = (n: number) => btoa(String.fromCharCode(...(n.toString(16).padStart(16, '0').match(/../g) ?? []).map((h) => parseInt(h, 16))));
const span = (id: number, parent: number | null, start: number, end: number | null, name = 's' + id): SpanJson => ({
  span_id: b64(id), parent_span_id: parent === null ? undefined : b64(parent), name,
  start_time_unix_nano: start, end_time_unix_nano: end ?? undefined, status: { code: 'STATUS_CODE_OK' },
});
const names = (rows: { name: string }[]) => rows.map((r) => r.name);

describe('AnyValue decoding', () => {
  test('every kind, nested', () => {
    expect(decodeAnyValue({ string_value: 'apple' })).toBe('apple');
    expect(decodeAnyValue({ bool_value: false })).toBe(false);
    expect(decodeAnyValue({ int_value: 7 })).toBe(7);
    expect(decodeAnyValue({ int_value: '42' })).toBe(42);
    expect(decodeAnyValue({ int_value: '9223372036854775807' })).toBe('9223372036854775807');  // exact digits beyond 2^53
    expect(decodeAnyValue({ double_value: 1.5 })).toBe(1.5);
    expect(decodeAnyValue({ double_value: 'NaN' })).toBeNaN();
    expect(decodeAnyValue({})).toBeNull();
    expect(decodeAnyValue(undefined)).toBeNull();
    expect(decodeAnyValue({ array_value: { values: [{ int_value: 1 }, { string_value: 'x' }, {}] } })).toEqual([1, 'x', null]);
    expect(decodeAnyValue({ kvlist_value: { values: [{ key: 'x', value: { int_value: 1 } }, { key: 'y', value: { kvlist_value: { values: [] } } }] } }))
      .toEqual({ x: 1, y: {} });
  });
  test('a __proto__ key stays a key', () => {
    const o = decodeAnyValue({ kvlist_value: { values: [{ key: '__proto__', value: { kvlist_value: { values: [{ key: 'polluted', value: { bool_value: true } }] } } }] } }) as Record<string, unknown>;
    expect(Object.keys(o)).toEqual(['__proto__']);
    expect((o as { polluted?: boolean }).polluted).toBeUndefined();
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });
  test('attribute lists: AnyValue list, or the stored dict of JSON-encoded values', () => {
    const list = [{ key: 'fruit', value: { string_value: 'apple' } }, { key: 'mlflow.spanInputs', value: { kvlist_value: { values: [{ key: 'x', value: { int_value: 1 } }] } } }];
    expect(attributeList(list)).toEqual([['fruit', 'apple'], ['mlflow.spanInputs', { x: 1 }]]);
    expect(attributeValue(list, 'mlflow.spanInputs')).toEqual({ x: 1 });
    expect(attributeValue(list, 'missing')).toBeUndefined();
    const dict = { fruit: '"apple"', 'mlflow.spanInputs': '{"x": 1}', raw: 'not json' };
    expect(attributeList(dict)).toEqual([['fruit', 'apple'], ['mlflow.spanInputs', { x: 1 }], ['raw', 'not json']]);
    expect(attributeList({ foo: 'bar' }, false)).toEqual([['foo', 'bar']]);  // event attributes are raw
    expect(attributeValue(dict, 'toString')).toBeUndefined();
  });
});

describe('span tree', () => {
  test('ids: base64 and hex both give lowercase hex', () => {
    expect(hexId(b64(0xabc))).toBe('0000000000000abc');
    expect(hexId('00000000000ABCDE')).toBe('00000000000abcde');
    expect(hexId(undefined)).toBe('');
    expect(hexId('not base64!')).toBe('not base64!');
  });
  test('children in start order under their parent; several roots; orphans become roots', () => {
    const t = buildSpanTree([
      span(3, 1, 300, 400, 'late-child'), span(2, 1, 200, 250, 'early-child'), span(1, null, 100, 500, 'root'),
      span(4, 99, 150, 160, 'orphan'), span(5, null, 50, 60, 'first-root'), span(6, 2, 210, 220, 'grandchild'),
    ]);
    expect(t.size).toBe(6);
    expect(names(t.roots)).toEqual(['first-root', 'root', 'orphan']);
    expect(t.roots.map((r) => r.orphan)).toEqual([false, false, true]);
    expect(names(visibleRows(t.roots, new Set()))).toEqual(['first-root', 'root', 'early-child', 'grandchild', 'late-child', 'orphan']);
    const g = [...t.byKey.values()].find((n) => n.name === 'grandchild')!;
    expect(g.depth).toBe(2);
    expect(g.parent!.name).toBe('early-child');
  });
  test('collapsing hides descendants; expandTo reveals a node', () => {
    const t = buildSpanTree([span(1, null, 1, 9), span(2, 1, 2, 8), span(3, 2, 3, 7), span(4, 1, 4, 5)]);
    const k = (n: number) => hexId(b64(n));
    expect(names(visibleRows(t.roots, new Set([k(2)])))).toEqual(['s1', 's2', 's4']);
    expect(names(visibleRows(t.roots, new Set([k(1)])))).toEqual(['s1']);
    const open = expandTo(t.byKey.get(k(3))!, new Set([k(1), k(2), k(4)]));
    expect([...open]).toEqual([k(4)]);
    expect([...collapseBelow(t.roots, 1)]).toEqual([k(2)]);
  });
  test('a parent cycle and a self parent are cut; repeated ids are kept apart', () => {
    const t = buildSpanTree([span(1, 2, 10, 20), span(2, 1, 5, 30), span(3, 3, 1, 2), span(7, null, 0, 1, 'a'), span(7, null, 2, 3, 'b')]);
    const rows = visibleRows(t.roots, new Set());
    expect(rows).toHaveLength(5);
    expect(new Set(rows.map((r) => r.key)).size).toBe(5);
    expect(t.byKey.get(hexId(b64(3)))!.orphan).toBe(true);
  });
  test('10,000 spans in one chain and a wide fan: no recursion, quick', () => {
    const chain = Array.from({ length: 10000 }, (_, i) => span(i + 1, i === 0 ? null : i, i, 20000 - i));
    const t0 = performance.now();
    const t = buildSpanTree(chain);
    const rows = visibleRows(t.roots, new Set());
    expect(rows).toHaveLength(10000);
    expect(rows[9999].depth).toBe(9999);
    const fan = buildSpanTree([span(1, null, 0, 1e6), ...Array.from({ length: 10000 }, (_, i) => span(i + 2, 1, 10000 - i, 20000))]);
    expect(fan.roots[0].children[0].start).toBe(1);
    expect(performance.now() - t0).toBeLessThan(2000);  // generous: a liveness bound, not a benchmark
  });
  test('unended spans and span types', () => {
    const s = span(1, null, 5, null);
    s.attributes = [{ key: 'mlflow.spanType', value: { string_value: 'LLM' } }];
    s.status = { code: 'STATUS_CODE_ERROR', message: 'boom' };
    const n = buildSpanTree([s]).roots[0];
    expect([n.end, n.type, n.status]).toEqual([null, 'LLM', 'ERROR']);
  });
});

describe('waterfall geometry', () => {
  const range = timeRange([{ start: 1000, end: 2000 }, { start: 1500, end: null }, { start: 1200, end: 3000 }]);
  test('range from the earliest start to the latest end', () => expect(range).toEqual({ start: 1000, end: 3000 }));
  test('bars in proportion, at least the minimum width, inside the track', () => {
    expect(bar(range, 1000, 3000, 200)).toEqual({ left: 0, width: 200, open: false });
    expect(bar(range, 2000, 2500, 200)).toEqual({ left: 100, width: 50, open: false });
    expect(bar(range, 3000, 3000, 200, 4)).toEqual({ left: 196, width: 4, open: false });
    expect(bar(range, 1500, null, 200)).toEqual({ left: 50, width: 150, open: true });
    expect(bar(range, 0, 99999, 200)).toEqual({ left: 0, width: 200, open: false });       // clamped
    expect(bar({ start: 5, end: 5 }, 5, 5, 200)).toEqual({ left: 0, width: 200, open: false }); // zero-length trace
  });
  test('real epoch nanoseconds keep sub-microsecond offsets', () => {
    const r = { start: 1733620000000000000, end: 1733620000123000000 };
    const b = bar(r, 1733620000061500000, 1733620000123000000, 1000);
    expect(b.left).toBeCloseTo(500, 0);
  });
  test('ticks at round steps; durations as text', () => {
    expect(ticks({ start: 0, end: 1e9 }, 500).map((t) => t.label)).toEqual(['0', '200 ms', '400 ms', '600 ms', '800 ms', '1 s']);
    expect(ticks({ start: 0, end: 0 }, 500)).toEqual([{ x: 0, label: '0' }]);
    expect([fmtNanos(500), fmtNanos(1500), fmtNanos(2.5e6), fmtNanos(1.234e9), fmtNanos(125e9), fmtNanos(null)])
      .toEqual(['500 ns', '1.5 µs', '2.5 ms', '1.23 s', '2 min 5 s', '']);
  });
});

describe('JSON folding and clipping', () => {
  test('summaries, children pages, literals', () => {
    expect(summary({ a: 1, b: 2 })).toBe('{2 keys}');
    expect(summary([1])).toBe('[1 item]');
    expect(childrenOf(Array.from({ length: 250 }, (_, i) => i), 100, 100)[0]).toEqual(['100', 100]);
    expect(childrenOf({ a: 1, b: 2 }, 1)).toEqual([['b', 2]]);
    expect([literal('a"b'), literal(null), literal(NaN), literal(true)]).toEqual(['"a\\"b"', 'null', '"NaN"', 'true']);
  });
  test('long text clipped without splitting a surrogate pair', () => {
    expect(clip('short', 10)).toEqual({ head: 'short', hidden: 0 });
    expect(clip('x'.repeat(1000), 400)).toEqual({ head: 'x'.repeat(400), hidden: 600 });
    const s = 'a'.repeat(9) + '😀' + 'b';
    expect(clip(s, 10)).toEqual({ head: 'a'.repeat(9), hidden: 3 });
  });
  test('strings holding JSON objects or arrays open as JSON, other text does not', () => {
    expect(jsonInString(' {"role": "user"} ')).toEqual({ role: 'user' });
    expect(jsonInString('[1, 2]')).toEqual([1, 2]);
    expect(jsonInString('42')).toBeUndefined();
    expect(jsonInString('{not json}')).toBeUndefined();
    expect(jsonInString('<img src=x onerror=alert(1)>')).toBeUndefined();
  });
  test('folded by default when deep or big', () => {
    expect(openByDefault({ a: 1 }, 0)).toBe(true);
    expect(openByDefault({ a: 1 }, 2)).toBe(true);
    expect(openByDefault(Array.from({ length: 50 }), 1)).toBe(false);
    expect(openByDefault({ a: 1 }, 3)).toBe(false);
    expect(openByDefault('text', 0)).toBe(false);
  });
  test('one line for a table cell', () => {
    expect(oneLine('a\n  b')).toBe('a b');
    expect(oneLine({ q: 'hi' })).toBe('{"q":"hi"}');
    expect(oneLine('x'.repeat(300), 10)).toBe('x'.repeat(10) + '…');
  });
});

describe('trace filter helpers', () => {
  const traces: TraceInfo[] = [
    { trace_id: 'tr-1', tags: { env: 'prod', 'my key': 'x' }, trace_metadata: { 'mlflow.sourceRun': 'r1' },
      assessments: [{ assessment_id: 'a-1', assessment_name: 'quality', feedback: { value: 4 } }, { assessment_id: 'a-2', assessment_name: 'answer', expectation: { value: 'x' } }] },
    { trace_id: 'tr-2', tags: { team: 'a' } },
  ];
  const keys = collectTraceKeys(traces);
  test('keys of loaded traces', () => {
    expect(keys).toEqual({ tags: ['env', 'my key', 'team'], metadata: ['mlflow.sourceRun'], feedback: ['quality'], expectation: ['answer'] });
  });
  test('completions: prefix matches first, then substrings; keys quoted when needed', () => {
    expect(traceCompletions('tags.', keys)).toEqual(['tags.env', 'tags.`my key`', 'tags.team']);
    expect(traceCompletions('trace.st', keys)).toEqual(['trace.status']);
    expect(traceCompletions('quality', keys)).toEqual(['feedback.quality']);
    expect(traceCompletions('metadata.mlflow', keys)).toEqual(['metadata.mlflow.sourceRun']);
    expect(traceKey('tags', 'a`b')).toBe('tags.`a``b`');
  });
  test('literals and AND', () => {
    expect(quoteString('abc')).toBe("'abc'");
    expect(quoteString("it's")).toBe(`"it's"`);
    expect(runFilter('0123abc')).toBe("run_id = '0123abc'");
    expect(andFilters(runFilter('r'), '', undefined, " trace.status = 'OK' ")).toBe("run_id = 'r' AND trace.status = 'OK'");
    expect(andFilters()).toBe('');
  });
});

describe('trace info', () => {
  test('durations, times, tokens, user tags', () => {
    expect([durationMs('2.001s'), durationMs('3s'), durationMs('0.000123s'), durationMs('x'), durationMs(undefined)])
      .toEqual([2001, 3000, 0.123, undefined, undefined]);
    expect(timeMs('2025-04-15T08:49:18.699Z')).toBe(Date.UTC(2025, 3, 15, 8, 49, 18, 699));
    expect(timeMs('nope')).toBeUndefined();
    const t: TraceInfo = { trace_id: 'x', trace_metadata: { 'mlflow.trace.tokenUsage': '{"input_tokens": 10, "output_tokens": 5, "total_tokens": 15}' },
      tags: { 'mlflow.traceName': 'n', b: '2', a: '1' } };
    expect(tokenUsage(t)).toEqual({ input: 10, output: 5, total: 15 });
    expect(tokenUsage({ trace_id: 'x', trace_metadata: { 'mlflow.trace.tokenUsage': '{"input_tokens": 3}' } })).toEqual({ input: 3, output: undefined, total: 3 });
    expect(tokenUsage({ trace_id: 'x', trace_metadata: { 'mlflow.trace.tokenUsage': 'garbage' } })).toBeUndefined();
    expect(userTags(t.tags)).toEqual([['a', '1'], ['b', '2']]);
  });
  test('assessment values and what users type', () => {
    expect(assessmentValue({ assessment_id: 'a', assessment_name: 'n', feedback: { value: { rating: 4 } } })).toEqual({ rating: 4 });
    expect(assessmentValue({ assessment_id: 'a', assessment_name: 'n', expectation: { serialized_value: { serialization_format: 'JSON_FORMAT', value: '[1,2]' } } })).toEqual([1, 2]);
    expect([parseUserValue('4'), parseUserValue('true'), parseUserValue('{"a":1}'), parseUserValue('good answer'), parseUserValue('"4"')])
      .toEqual([4, true, { a: 1 }, 'good answer', '4']);
    expect([valueToInput('good'), valueToInput('4'), valueToInput(4), valueToInput({ a: 1 })]).toEqual(['good', '"4"', '4', '{"a":1}']);
  });
});

// Span content is never HTML: no source file may hand markup to the DOM.
test('no innerHTML, outerHTML, insertAdjacentHTML or dangerouslySetInnerHTML in web/src', () => {
  const files = import.meta.glob('../../src/**/*.{ts,tsx}', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;
  expect(Object.keys(files).length).toBeGreaterThan(10);
  for (const [f, text] of Object.entries(files)) expect(text, f).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|dangerouslySetInnerHTML|document\.write/);
});

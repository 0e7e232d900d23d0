import { describe, expect, test } from 'vitest';
import { align } from '../../src/components/MetricChart';
import { toSeries } from '../../src/components/ChartsView';
import type { Run } from '../../src/api';

const run = (id: string, start = 0): Run => ({ info: { run_id: id, experiment_id: '1', user_id: '', status: 'FINISHED', start_time: start, lifecycle_stage: 'active', run_name: id }, data: {} });

describe('chart data', () => {
  test('align puts each series on the union of x values', () => {
    const d = align([{ label: 'a', color: '', xs: [0, 2], ys: [1, 3] }, { label: 'b', color: '', xs: [1, 2], ys: [5, 6] }]);
    expect(d).toEqual([[0, 1, 2], [1, null, 3], [null, 5, 6]]);
  });
  test('toSeries groups by run, keeps one value per x, skips hidden runs, relative time', () => {
    const m = [
      { key: 'k', value: 1, timestamp: 1000, step: 0, run_id: 'a' }, { key: 'k', value: 2, timestamp: 2000, step: 1, run_id: 'a' },
      { key: 'k', value: 3, timestamp: 2500, step: 1, run_id: 'a' }, { key: 'k', value: 'NaN', timestamp: 3000, step: 0, run_id: 'b' },
    ];
    const s = toSeries(m, [run('a'), run('b')], 'step', new Set());
    expect(s.map((x) => [x.label, x.xs, x.ys])).toEqual([['a', [0, 1], [1, 3]], ['b', [0], [NaN]]]);
    expect(toSeries(m, [run('a'), run('b')], 'step', new Set(['b']))).toHaveLength(1);
    expect(toSeries(m, [run('a', 500)], 'relative', new Set())[0].xs).toEqual([0.5, 1.5, 2]);
  });
});

describe('align with many distinct x values', () => {
  test('snaps to at most maxX slots and keeps every series', () => {
    const a = { label: 'a', color: '', xs: Array.from({ length: 1000 }, (_, i) => i * 1.001), ys: Array.from({ length: 1000 }, () => 1) };
    const b = { label: 'b', color: '', xs: Array.from({ length: 1000 }, (_, i) => i * 0.999 + 0.5), ys: Array.from({ length: 1000 }, () => 2) };
    const d = align([a, b], 100);
    expect(d[0].length).toBeLessThanOrEqual(101);
    expect((d[1] as (number | null)[]).filter((v) => v === 1).length).toBeGreaterThan(90);
    expect((d[2] as (number | null)[]).filter((v) => v === 2).length).toBeGreaterThan(90);
  });
});

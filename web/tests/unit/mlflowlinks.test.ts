// MLflow 3.6's UI link forms (experiment-tracking/routes.ts, model-registry/routes.ts, the Python
// client's printed run link) resolve to Sextant's pages; Sextant's own hashes stay as they are.
import { describe, expect, test } from 'vitest';
import { resolveHash } from '../../src/router';
import { idList } from '../../src/lib/mlflowlinks';
import { pathPrefixes } from '../../src/components/Artifacts';

const RUN = '0123456789abcdef0123456789abcdef';
const canon = (hash: string) => resolveHash(hash).canonical;

describe('MLflow links', () => {
  test('run page and its tabs (what the client prints, artifacts, model metrics)', () => {
    expect(canon(`#/experiments/1/runs/${RUN}`)).toBe(`#/runs/${RUN}`);
    expect(canon(`#/experiments/1/runs/${RUN}/`)).toBe(`#/runs/${RUN}`);
    expect(canon(`#/experiments/1/runs/${RUN}/overview`)).toBe(`#/runs/${RUN}`);
    expect(canon(`#/experiments/1/runs/${RUN}/model-metrics`)).toBe(`#/runs/${RUN}?tab=metrics`);
    expect(canon(`#/experiments/1/runs/${RUN}/system-metrics`)).toBe(`#/runs/${RUN}?tab=metrics`);
    expect(canon(`#/experiments/1/runs/${RUN}/traces`)).toBe(`#/runs/${RUN}?tab=traces`);
    expect(canon(`#/experiments/1/runs/${RUN}/artifacts`)).toBe(`#/runs/${RUN}?tab=artifacts`);
    const art = resolveHash(`#/experiments/1/runs/${RUN}/artifacts/model/My%20File.txt`).route;
    expect(art.path).toEqual(['runs', RUN]);
    expect(art.query.get('tab')).toBe('artifacts');
    expect(art.query.get('path')).toBe('model/My File.txt');
    expect(resolveHash(`#/experiments/1/runs/${RUN}/artifactPath/a/b.json`).route.query.get('path')).toBe('a/b.json');
    expect(canon(`#/runs/${RUN}/artifacts/x.txt`)).toBe(`#/runs/${RUN}?tab=artifacts&path=x.txt`);
    // The artifact browser opens the folders leading to the linked path (and the path, if a folder).
    expect(pathPrefixes('model/data/x.pkl')).toEqual(['model', 'model/data', 'model/data/x.pkl']);
    expect(pathPrefixes('/a//b/')).toEqual(['a', 'a/b']);
    expect(pathPrefixes('')).toEqual([]);
    // A workspace-aware client's link.
    expect(canon(`#/workspaces/team%20a/experiments/1/runs/${RUN}`)).toBe(`#/runs/${RUN}`);
    expect(canon('#/workspaces/default/experiments/3')).toBe('#/experiments/3');
  });

  test('experiment page: tabs, logged models, MLflow runs-table query', () => {
    expect(canon('#/experiments/1/runs')).toBe('#/experiments/1');
    expect(canon('#/experiments/1/traces')).toBe('#/experiments/1?tab=traces');
    expect(canon('#/experiments/1/traces?selectedTraceId=tr-0123')).toBe('#/traces/tr-0123');
    expect(canon('#/experiments/1/evaluation-runs?selectedEvaluationId=tr-0123')).toBe('#/traces/tr-0123');
    expect(canon('#/experiments/1/evaluation-runs')).toBe('#/experiments/1');
    expect(canon(`#/experiments/1/evaluation-runs?selectedRunUuid=${RUN}`)).toBe(`#/runs/${RUN}`);
    expect(canon('#/experiments/1/models')).toBe('#/experiments/1?tab=models');
    expect(canon('#/experiments/1/models/m-abc')).toBe('#/experiments/1?tab=models&model=m-abc');
    expect(canon('#/experiments/1/models/m-abc/artifacts')).toBe('#/experiments/1?tab=models&model=m-abc');
    expect(canon('#/experiments/1/prompts/my-prompt')).toBe('#/models/my-prompt');
    const q = resolveHash(`#/experiments/1?searchFilter=${encodeURIComponent("attributes.user_id = 'ada'")}&orderByKey=metrics.%60loss%60&orderByAsc=true&lifecycleFilter=Deleted&compareRunsMode=CHART`).route;
    expect(q.path).toEqual(['experiments', '1']);
    expect(q.query.get('filter')).toBe("attributes.user_id = 'ada'");
    expect(q.query.get('order')).toBe('metrics.`loss` ASC');
    expect(q.query.get('view')).toBe('deleted');
    expect(q.query.get('tab')).toBe('charts');
    expect(resolveHash('#/experiments/1/s?orderByKey=attributes.start_time').route.query.get('order')).toBe('attributes.start_time DESC');
    expect(canon('#/experiments/1?viewStateShareKey=abc')).toBe('#/experiments/1');
    expect(canon('#/experiments/1?isComparingRuns=true')).toBe('#/experiments/1');
    expect(canon('#/compare-experiments/s?experiments=["2","1"]')).toBe('#/experiments/2');
  });

  test('compare runs and the metric page', () => {
    const cmp = resolveHash(`#/compare-runs?runs=["${RUN}","r2"]&experiments=["1"]`).route;
    expect(cmp.path).toEqual(['compare']);
    expect(cmp.query.get('runs')).toBe(`${RUN},r2`);
    expect(cmp.query.get('experiment')).toBe('1');
    // The browser percent-encodes the quotes; MLflow's own UI writes them as they are.
    expect(resolveHash('#/compare-runs?runs=%5B%22a%22,%22b%22%5D&experiments=%5B%221%22%5D').route.query.get('runs')).toBe('a,b');
    const metricQs = `?runs=["${RUN}","r2"]&metric=${encodeURIComponent('"val/loss"')}&experiments=["1"]&plot_metric_keys=${encodeURIComponent('["val/loss"]')}&x_axis=step`;
    const many = resolveHash('#/metric/' + metricQs).route;
    expect(many.path).toEqual(['compare']);
    expect(many.query.get('tab')).toBe('charts');
    expect(many.query.get('metric')).toBe('val/loss');
    const one = resolveHash(`#/metric/loss?runs=["${RUN}"]&experiments=["1"]`).route;
    expect(one.path).toEqual(['runs', RUN]);
    expect(one.query.get('tab')).toBe('metrics');
    expect(one.query.get('metric')).toBe('loss');
    expect(canon('#/metric/loss?experiments=["4"]')).toBe('#/experiments/4?tab=charts');
  });

  test('model registry', () => {
    expect(canon('#/models/demo-model/versions/2')).toBe('#/models/demo-model?version=2');
    expect(canon('#/models/a%2Fb%20c/versions/1')).toBe('#/models/a%2Fb%20c?version=1');
    expect(canon('#/models/demo-model/serving')).toBe('#/models/demo-model');
    expect(canon('#/models/demo-model/details/x')).toBe('#/models/demo-model');
    expect(canon(`#/compare-model-versions?name=${encodeURIComponent(JSON.stringify(encodeURIComponent('my model')))}&runs={"a":"1","b":"2"}`)).toBe('#/compare?runs=a%2Cb');
    expect(canon(`#/compare-model-versions?name=${encodeURIComponent(JSON.stringify(encodeURIComponent('my model')))}&runs=bad`)).toBe('#/models/my%20model');
    expect(canon('#/createModel')).toBe('#/models');
    expect(canon('#/prompts')).toBe('#/models');
    expect(canon('#/prompts/p1')).toBe('#/models/p1');
  });

  test("Sextant's own hashes are left alone", () => {
    for (const h of ['', '#', '#/', '#/experiments', '#/experiments/1', '#/experiments/1?filter=x&tab=charts', `#/runs/${RUN}`,
      `#/runs/${RUN}?tab=artifacts`, '#/compare?runs=a,b', '#/models', '#/models/demo-model', '#/account']) expect(canon(h)).toBeNull();
  });

  test('malformed and unknown hashes never throw', () => {
    for (const h of ['#/%E0%A4%A', '#/experiments/%E0%A4%A/runs/%ZZ', '#/metric/?runs=[1,2', '#/compare-runs?runs={"a":1}', '#/compare-runs',
      '#/compare-model-versions?name=%22%25E0%22', '#/no-such-page/x?y=z', '#/workspaces', '#/workspaces/w', '#/models/m/versions/',
      '#/experiments/1/runs/', '#/metric', '#/' + '%'.repeat(1000)]) {
      expect(() => resolveHash(h)).not.toThrow();
    }
    expect(resolveHash('#/%E0%A4%A').route.path).toEqual(['%E0%A4%A']);
    expect(canon('#/experiments/1/runs/')).toBe('#/experiments/1');
    expect(canon('#/compare-runs')).toBe('#/experiments');
    expect(canon('#/compare-runs?runs=bad&experiments=["3"]')).toBe('#/compare?runs=bad&experiment=3');
    expect(canon('#/workspaces')).toBe('#/experiments');
    expect(canon('#/no-such-page')).toBeNull();
  });

  test('run id lists: JSON arrays, comma lists, bounded', () => {
    expect(idList('["a", "b"]')).toEqual(['a', 'b']);
    expect(idList('a,b,,c')).toEqual(['a', 'b', 'c']);
    expect(idList('[1, {"x":1}, null, "z"]')).toEqual(['1', 'z']);
    expect(idList(JSON.stringify(Array.from({ length: 500 }, (_, i) => 'r' + i)))).toHaveLength(100);
    expect(idList(null)).toEqual([]);
  });
});

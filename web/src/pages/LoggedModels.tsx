// The logged models (MLflow 3) of an experiment, with one model's params, metrics, tags and files.
import { useEffect, useState } from 'preact/hooks';
import { get, loggedModelFileUrl, post, type FileInfo, type LoggedModel } from '../api';
import { ArtifactBrowser } from '../components/Artifacts';
import { fmtNumber, fmtTime } from '../lib/format';
import { href } from '../router';
import { ErrorMsg, KVTable, Loading, useAsync } from '../ui';

// `initial`: a model to open at first (MLflow's #/experiments/<id>/models/<model_id>), fetched by
// id when it is not on the first page.
export function LoggedModelsView({ experimentId, initial }: { experimentId: string; initial?: string }) {
  const [items, setItems] = useState<LoggedModel[] | null>(null);
  const [token, setToken] = useState<string | undefined>();
  const [error, setError] = useState<Error | null>(null);
  const [open, setOpen] = useState<string | null>(initial ?? null);
  const linked = useAsync(() => (initial ? get<{ model: LoggedModel }>(`/logged-models/${encodeURIComponent(initial)}`).then((r) => r.model) : Promise.resolve(null)), [initial]);
  async function load(pageToken?: string) {
    try {
      const r = await post<{ models?: LoggedModel[]; next_page_token?: string }>('/logged-models/search',
        { experiment_ids: [experimentId], max_results: 100, page_token: pageToken });
      setItems((old) => [...(pageToken && old ? old : []), ...(r.models ?? [])]);
      setToken(r.next_page_token);
    } catch (e) { setError(e as Error); }
  }
  useEffect(() => { load(); }, [experimentId]);
  useEffect(() => setOpen(initial ?? null), [initial]);
  if (error) return <ErrorMsg error={error} />;
  if (!items) return <Loading />;
  const sel = items.find((m) => m.info.model_id === open) ?? (linked.data?.info.model_id === open ? linked.data : undefined);
  return (
    <>
      {open === initial && <ErrorMsg error={linked.error} />}
      {!items.length && <p class="muted">No logged models in this experiment.</p>}
      {items.length > 0 && <table class="list" data-testid="logged-models">
        <thead><tr><th scope="col">Name</th><th scope="col">Model ID</th><th scope="col">Status</th><th scope="col">Type</th><th scope="col">Source run</th><th scope="col">Created</th></tr></thead>
        <tbody>{items.map((m) => (
          <tr key={m.info.model_id} class={open === m.info.model_id ? 'selected' : ''}>
            <td><button class="link" onClick={() => setOpen(open === m.info.model_id ? null : m.info.model_id)} aria-expanded={open === m.info.model_id}>{m.info.name}</button></td>
            <td class="mono">{m.info.model_id}</td>
            <td>{(m.info.status ?? '').replace('LOGGED_MODEL_', '')}</td>
            <td>{m.info.model_type ?? ''}</td>
            <td>{m.info.source_run_id ? <a href={href(['runs', m.info.source_run_id])}>{m.info.source_run_id.slice(0, 8)}</a> : ''}</td>
            <td>{fmtTime(m.info.creation_timestamp_ms)}</td>
          </tr>))}
        </tbody>
      </table>}
      {token && <button onClick={() => load(token)}>Load more</button>}
      {sel && (
        <div class="panel" data-testid="logged-model-detail">
          <h2>{sel.info.name}</h2>
          <div class="cols2">
            <div><h3>Parameters</h3><KVTable caption="Parameters" rows={(sel.data?.params ?? []).map((p) => [p.key, p.value])} /></div>
            <div><h3>Metrics</h3><KVTable caption="Metrics" rows={(sel.data?.metrics ?? []).map((m) => [m.key, fmtNumber(m.value)])} /></div>
          </div>
          <h3>Tags</h3><KVTable caption="Tags" rows={(sel.info.tags ?? []).map((t) => [t.key, t.value])} />
          <h3>Files</h3>
          <ArtifactBrowser key={sel.info.model_id}
            list={async (path) => (await get<{ files?: FileInfo[] }>(`/logged-models/${encodeURIComponent(sel.info.model_id)}/artifacts/directories`,
              { artifact_directory_path: path || undefined })).files ?? []}
            url={(p) => loggedModelFileUrl(sel.info.model_id, p)} />
        </div>
      )}
    </>
  );
}

// The model registry: registered models (search, create), one model's versions with stages,
// aliases and tags.
import { useEffect, useState } from 'preact/hooks';
import { del, get, post, type ModelVersion, type RegisteredModel } from '../api';
import { fmtTime } from '../lib/format';
import { href, navigate } from '../router';
import { ErrorMsg, Loading, PromptDialog, useAsync } from '../ui';
import { escapeLike } from './Experiments';

const STAGES = ['None', 'Staging', 'Production', 'Archived'];

export function ModelsPage() {
  const [search, setSearch] = useState('');
  const [items, setItems] = useState<RegisteredModel[] | null>(null);
  const [token, setToken] = useState<string | undefined>();
  const [error, setError] = useState<Error | null>(null);
  const [create, setCreate] = useState(false);
  async function load(pageToken?: string) {
    try {
      const r = await get<{ registered_models?: RegisteredModel[]; next_page_token?: string }>('/registered-models/search', {
        max_results: 100, page_token: pageToken, order_by: 'name ASC',
        filter: search.trim() ? `name ILIKE '%${escapeLike(search.trim())}%'` : undefined,
      });
      setItems((old) => [...(pageToken && old ? old : []), ...(r.registered_models ?? [])]);
      setToken(r.next_page_token);
      setError(null);
    } catch (e) { setError(e as Error); }
  }
  useEffect(() => { const t = setTimeout(() => load(), 150); return () => clearTimeout(t); }, [search]);
  return (
    <section aria-labelledby="models-title">
      <div class="toolbar">
        <h1 id="models-title">Registered models</h1><span class="spacer" />
        <button class="primary" onClick={() => setCreate(true)}>New model</button>
      </div>
      <label class="block"><span class="sr-only">Search models by name</span>
        <input type="search" placeholder="Search models by name" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
      </label>
      <ErrorMsg error={error} />
      {items === null ? <Loading /> : items.length === 0 ? <p class="muted">No registered models.</p> : (
        <table class="list" data-testid="models">
          <thead><tr><th scope="col">Name</th><th scope="col">Latest versions</th><th scope="col">Aliases</th><th scope="col">Last modified</th></tr></thead>
          <tbody>{items.map((m) => (
            <tr key={m.name}>
              <td><a href={href(['models', m.name])}>{m.name}</a></td>
              <td>{(m.latest_versions ?? []).map((v) => <span key={v.version} class="badge">v{v.version} {v.current_stage && v.current_stage !== 'None' ? v.current_stage : ''}</span>)}</td>
              <td>{(m.aliases ?? []).map((a) => <span key={a.alias} class="badge alias">@{a.alias} → v{a.version}</span>)}</td>
              <td>{fmtTime(m.last_updated_timestamp)}</td>
            </tr>))}
          </tbody>
        </table>
      )}
      {token && <button onClick={() => load(token)}>Load more</button>}
      <PromptDialog open={create} title="New registered model" submit="Create" fields={[{ name: 'name', label: 'Name' }, { name: 'description', label: 'Description' }]}
        onClose={() => setCreate(false)} onSubmit={async (v) => {
          await post('/registered-models/create', { name: v.name, description: v.description || undefined });
          navigate(href(['models', v.name]));
        }} />
    </section>
  );
}

// `version`: the version a link points at (MLflow's #/models/<name>/versions/<n>): its row is marked and scrolled to.
export function ModelPage({ name, version }: { name: string; version?: string }) {
  const model = useAsync(() => get<{ registered_model: RegisteredModel }>('/registered-models/get', { name }).then((r) => r.registered_model), [name]);
  const versions = useAsync(async () => {
    const out: ModelVersion[] = [];
    let token: string | undefined;
    do {
      const r = await get<{ model_versions?: ModelVersion[]; next_page_token?: string }>('/model-versions/search',
        { filter: `name='${name.replace(/'/g, "\\'")}'`, max_results: 1000, order_by: 'version_number DESC', page_token: token });
      out.push(...(r.model_versions ?? []));
      token = r.next_page_token;
    } while (token);
    return out;
  }, [name]);
  const [error, setError] = useState<Error | null>(null);
  const [dialog, setDialog] = useState<null | 'alias' | 'tag' | { version: string }>(null);
  const reload = () => { model.reload(); versions.reload(); };
  useEffect(() => {
    if (version && versions.data) document.querySelector('[data-testid=versions] tr.selected')?.scrollIntoView({ block: 'center' });
  }, [version, versions.data]);
  const act = async (fn: () => Promise<unknown>) => { try { await fn(); setError(null); reload(); } catch (e) { setError(e as Error); } };
  if (model.error) return <ErrorMsg error={model.error} />;
  if (!model.data) return <Loading />;
  const m = model.data;
  return (
    <section aria-labelledby="model-name">
      <nav class="crumbs" aria-label="Breadcrumb"><a href={href(['models'])}>Models</a> /</nav>
      <h1 id="model-name">{m.name}</h1>
      {m.description && <p class="prewrap">{m.description}</p>}
      <ErrorMsg error={error} />
      <h2>Aliases</h2>
      <div class="row wrap" data-testid="aliases">
        {(m.aliases ?? []).map((a) => (
          <span key={a.alias} class="badge alias">@{a.alias} → v{a.version}
            <button class="ghost tiny" aria-label={`Remove alias ${a.alias}`} onClick={() => act(() => del('/registered-models/alias', { name, alias: a.alias }))}>✕</button>
          </span>))}
        <button class="small" onClick={() => setDialog('alias')}>Set alias</button>
      </div>
      <h2>Tags</h2>
      <div class="row wrap">
        {(m.tags ?? []).map((t) => (
          <span key={t.key} class="badge">{t.key}: {t.value}
            <button class="ghost tiny" aria-label={`Remove tag ${t.key}`} onClick={() => act(() => del('/registered-models/delete-tag', { name, key: t.key }))}>✕</button>
          </span>))}
        <button class="small" onClick={() => setDialog('tag')}>Add tag</button>
      </div>
      <h2>Versions</h2>
      {version && versions.data && !versions.data.some((v) => v.version === version) && <ErrorMsg error={`Version ${version} of this model does not exist.`} />}
      {versions.error ? <ErrorMsg error={versions.error} /> : !versions.data ? <Loading /> : (
        <table class="list" data-testid="versions">
          <thead><tr><th scope="col">Version</th><th scope="col">Stage</th><th scope="col">Aliases</th><th scope="col">Source</th><th scope="col">Run</th><th scope="col">Tags</th><th scope="col">Created</th></tr></thead>
          <tbody>{versions.data.map((v) => (
            <tr key={v.version} class={v.version === version ? 'selected' : undefined} aria-current={v.version === version ? 'true' : undefined}>
              <td>v{v.version}</td>
              <td>
                <label class="sr-only" for={`stage-${v.version}`}>Stage of version {v.version}</label>
                <select id={`stage-${v.version}`} value={v.current_stage || 'None'} onChange={(e) => {
                  const stage = e.currentTarget.value;
                  act(() => post('/model-versions/transition-stage', { name, version: v.version, stage, archive_existing_versions: false }));
                }}>{STAGES.map((s) => <option key={s} value={s}>{s}</option>)}</select>
              </td>
              <td>{(m.aliases ?? []).filter((a) => a.version === v.version).map((a) => <span key={a.alias} class="badge alias">@{a.alias}</span>)}</td>
              <td class="mono wrap">{v.source}</td>
              <td>{v.run_id ? <a href={href(['runs', v.run_id])}>{v.run_id.slice(0, 8)}</a> : ''}</td>
              <td>{(v.tags ?? []).map((t) => <span key={t.key} class="badge">{t.key}: {t.value}</span>)}
                <button class="ghost tiny" aria-label={`Add a tag to version ${v.version}`} onClick={() => setDialog({ version: v.version })}>+</button></td>
              <td>{fmtTime(v.creation_timestamp)}</td>
            </tr>))}
          </tbody>
        </table>
      )}
      <PromptDialog open={dialog === 'alias'} title="Set alias" submit="Set" fields={[{ name: 'alias', label: 'Alias' }, { name: 'version', label: 'Version', value: versions.data?.[0]?.version }]}
        onClose={() => setDialog(null)} onSubmit={async (v) => { await post('/registered-models/alias', { name, alias: v.alias, version: v.version }); reload(); }} />
      <PromptDialog open={dialog === 'tag'} title="Add model tag" submit="Add" fields={[{ name: 'key', label: 'Key' }, { name: 'value', label: 'Value' }]}
        onClose={() => setDialog(null)} onSubmit={async (v) => { await post('/registered-models/set-tag', { name, key: v.key, value: v.value }); reload(); }} />
      <PromptDialog open={typeof dialog === 'object' && dialog !== null} title="Add version tag" submit="Add" fields={[{ name: 'key', label: 'Key' }, { name: 'value', label: 'Value' }]}
        onClose={() => setDialog(null)} onSubmit={async (v) => {
          if (typeof dialog !== 'object' || !dialog) return;
          await post('/model-versions/set-tag', { name, version: dialog.version, key: v.key, value: v.value }); reload();
        }} />
    </section>
  );
}

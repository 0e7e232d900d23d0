import { useEffect, useState } from 'preact/hooks';
import { post, type Experiment } from '../api';
import { fmtTime } from '../lib/format';
import { href } from '../router';
import { ErrorMsg, Loading, PromptDialog } from '../ui';

const VIEW = { active: 'ACTIVE_ONLY', deleted: 'DELETED_ONLY', all: 'ALL' } as const;

// A quote cannot be escaped in MLflow's string literals: it matches as LIKE's one-character wildcard.
export function escapeLike(s: string) { return s.replace(/['"]/g, '_'); }

export function ExperimentsPage() {
  const [search, setSearch] = useState('');
  const [view, setView] = useState<keyof typeof VIEW>('active');
  const [items, setItems] = useState<Experiment[] | null>(null);
  const [token, setToken] = useState<string | undefined>();
  const [error, setError] = useState<Error | null>(null);
  const [n, setN] = useState(0);
  const [dialog, setDialog] = useState<null | { kind: 'create' } | { kind: 'rename'; exp: Experiment }>(null);

  async function load(pageToken?: string) {
    try {
      const r = await post<{ experiments?: Experiment[]; next_page_token?: string }>('/experiments/search', {
        max_results: 200, view_type: VIEW[view], order_by: ['last_update_time DESC'], page_token: pageToken,
        filter: search.trim() ? `name ILIKE '%${escapeLike(search.trim())}%'` : undefined,
      });
      setItems((old) => [...(pageToken && old ? old : []), ...(r.experiments ?? [])]);
      setToken(r.next_page_token);
      setError(null);
    } catch (e) { setError(e as Error); }
  }
  useEffect(() => { const t = setTimeout(() => load(), 150); return () => clearTimeout(t); }, [search, view, n]);

  const act = async (path: string, exp: Experiment) => {
    try { await post(path, { experiment_id: exp.experiment_id }); setN((x) => x + 1); } catch (e) { setError(e as Error); }
  };
  return (
    <section aria-labelledby="exp-title">
      <div class="toolbar">
        <h1 id="exp-title">Experiments</h1>
        <span class="spacer" />
        <button class="primary" onClick={() => setDialog({ kind: 'create' })}>New experiment</button>
      </div>
      <div class="toolbar">
        <label class="grow">
          <span class="sr-only">Search experiments by name</span>
          <input type="search" placeholder="Search experiments by name" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
        </label>
        <label>Show{' '}
          <select value={view} onChange={(e) => setView(e.currentTarget.value as keyof typeof VIEW)}>
            <option value="active">Active</option><option value="deleted">Deleted</option><option value="all">All</option>
          </select>
        </label>
      </div>
      <ErrorMsg error={error} />
      {items === null ? <Loading /> : items.length === 0 ? <p class="muted">No experiments.</p> : (
        <table class="list" data-testid="experiments">
          <thead><tr><th scope="col">Name</th><th scope="col">ID</th><th scope="col">Last updated</th><th scope="col">Created</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {items.map((x) => (
              <tr key={x.experiment_id} class={x.lifecycle_stage === 'deleted' ? 'deleted' : ''}>
                <td><a href={href(['experiments', x.experiment_id])}>{x.name}</a>{x.lifecycle_stage === 'deleted' && <span class="badge">deleted</span>}</td>
                <td class="mono">{x.experiment_id}</td>
                <td>{fmtTime(x.last_update_time)}</td>
                <td>{fmtTime(x.creation_time)}</td>
                <td class="actions">
                  <button class="small" onClick={() => setDialog({ kind: 'rename', exp: x })} aria-label={`Rename ${x.name}`}>Rename</button>
                  {x.lifecycle_stage === 'deleted'
                    ? <button class="small" onClick={() => act('/experiments/restore', x)} aria-label={`Restore ${x.name}`}>Restore</button>
                    : <button class="small danger" onClick={() => confirm(`Delete experiment "${x.name}"?`) && act('/experiments/delete', x)} aria-label={`Delete ${x.name}`}>Delete</button>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {token && <button onClick={() => load(token)}>Load more</button>}
      <PromptDialog open={dialog?.kind === 'create'} title="New experiment" submit="Create"
        fields={[{ name: 'name', label: 'Name' }, { name: 'artifact_location', label: 'Artifact location (optional)' }]}
        onClose={() => setDialog(null)}
        onSubmit={async (v) => {
          await post('/experiments/create', { name: v.name, artifact_location: v.artifact_location || undefined });
          setN((x) => x + 1);
        }} />
      <PromptDialog open={dialog?.kind === 'rename'} title="Rename experiment" submit="Rename"
        fields={[{ name: 'name', label: 'New name', value: dialog?.kind === 'rename' ? dialog.exp.name : '' }]}
        onClose={() => setDialog(null)}
        onSubmit={async (v) => {
          if (dialog?.kind !== 'rename') return;
          await post('/experiments/update', { experiment_id: dialog.exp.experiment_id, new_name: v.name });
          setN((x) => x + 1);
        }} />
    </section>
  );
}

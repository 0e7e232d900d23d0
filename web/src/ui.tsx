// Small shared pieces: async loading, errors, dialogs, tabs, key/value tables.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export function useAsync<T>(fn: () => Promise<T>, deps: unknown[]): { data?: T; error?: Error; loading: boolean; reload: () => void } {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    fn().then((data) => live && setState({ data, loading: false }), (error) => live && setState({ error, loading: false }));
    return () => { live = false; };
  }, [...deps, n]);
  return { ...state, reload: useCallback(() => setN((x) => x + 1), []) };
}

export const Loading = ({ what = 'Loading' }: { what?: string }) => <p class="muted" role="status">{what}…</p>;

export function ErrorMsg({ error }: { error?: Error | string | null }) {
  if (!error) return null;
  return <p class="error" role="alert">{typeof error === 'string' ? error : error.message}</p>;
}

export function Dialog({ title, open, onClose, children }: { title: string; open: boolean; onClose: () => void; children: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} onClose={onClose} aria-label={title}>
      <h2>{title}</h2>
      {open && children}
    </dialog>
  );
}

// A one-field form in a dialog (create, rename, set tag).
export function PromptDialog(props: {
  title: string; open: boolean; fields: { name: string; label: string; value?: string }[];
  submit: string; onSubmit: (v: Record<string, string>) => Promise<void>; onClose: () => void;
}) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => setError(null), [props.open]);
  return (
    <Dialog title={props.title} open={props.open} onClose={props.onClose}>
      <form method="dialog" class="stack" onSubmit={async (e) => {
        e.preventDefault();
        const data = new FormData(e.currentTarget as HTMLFormElement);
        const v: Record<string, string> = {};
        for (const f of props.fields) v[f.name] = String(data.get(f.name) ?? '');
        setBusy(true);
        try { await props.onSubmit(v); props.onClose(); } catch (err) { setError((err as Error).message); } finally { setBusy(false); }
      }}>
        {props.fields.map((f, i) => (
          <label key={f.name}>{f.label}
            <input name={f.name} defaultValue={f.value ?? ''} autoFocus={i === 0} required={i === 0} />
          </label>
        ))}
        <ErrorMsg error={error} />
        <div class="row">
          <button type="submit" class="primary" disabled={busy}>{props.submit}</button>
          <button type="button" onClick={props.onClose}>Cancel</button>
        </div>
      </form>
    </Dialog>
  );
}

export function Tabs<T extends string>({ tabs, value, onChange, label }: { tabs: [T, string][]; value: T; onChange: (t: T) => void; label: string }) {
  return (
    <div class="tabs" role="tablist" aria-label={label}>
      {tabs.map(([id, text]) => (
        <button key={id} role="tab" aria-selected={value === id} class={value === id ? 'active' : ''} onClick={() => onChange(id)}>{text}</button>
      ))}
    </div>
  );
}

export function KVTable({ rows, caption, empty = 'None' }: { rows: [string, ComponentChildren][]; caption: string; empty?: string }) {
  if (!rows.length) return <p class="muted">{empty}</p>;
  return (
    <table class="kv">
      <caption class="sr-only">{caption}</caption>
      <thead><tr><th scope="col">Name</th><th scope="col">Value</th></tr></thead>
      <tbody>{rows.map(([k, v]) => <tr key={k}><th scope="row">{k}</th><td>{v}</td></tr>)}</tbody>
    </table>
  );
}

export function download(name: string, text: string, type = 'text/csv') {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

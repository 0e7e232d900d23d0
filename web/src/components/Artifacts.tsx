// A run's (or logged model's) artifacts: a folder tree on the left, a preview on the right.
// Previews are always built as text or <img> (never HTML from the artifact: an .html or .svg is
// shown as its source text); the server sends every artifact as an attachment with a sandbox CSP.
import { useEffect, useState } from 'preact/hooks';
import { fetchText, get, type FileInfo } from '../api';
import { parseCsv } from '../lib/csv';
import { fmtBytes } from '../lib/format';
import { ErrorMsg, Loading } from '../ui';

const PREVIEW_LIMIT = 1024 * 1024;
const IMAGE = /\.(png|jpe?g|gif|bmp|webp)$/i;  // not .svg: shown as text
const TEXT = /(\.(txt|log|md|rst|py|yaml|yml|json|jsonl|toml|ini|cfg|conf|xml|html?|svg|csv|tsv|js|ts|sh|r|sql|properties)|^MLmodel|^MLproject|requirements\.txt|conda\.yaml)$/i;

export type Lister = (path: string) => Promise<FileInfo[]>;

export function runLister(runId: string): Lister {
  return async (path) => (await get<{ files?: FileInfo[] }>('/artifacts/list', { run_id: runId, path: path || undefined })).files ?? [];
}

function base(p: string) { return p.slice(p.lastIndexOf('/') + 1); }

export function previewKind(path: string): 'image' | 'json' | 'csv' | 'tsv' | 'text' | 'none' {
  const b = base(path);
  if (IMAGE.test(b)) return 'image';
  if (/\.json$/i.test(b)) return 'json';
  if (/\.csv$/i.test(b)) return 'csv';
  if (/\.tsv$/i.test(b)) return 'tsv';
  if (TEXT.test(b)) return 'text';
  return 'none';
}

// The folders leading to `path` and `path` itself: 'a/b/c' -> a, a/b, a/b/c.
export function pathPrefixes(path: string): string[] {
  const parts = path.split('/').filter(Boolean);
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
}

// `initial`: a path to show at first (a link's `/artifacts/<path>`): its folders open, the file selected.
function Tree({ list, path, depth, selected, onSelect, initial }: {
  list: Lister; path: string; depth: number; selected: string; onSelect: (f: FileInfo) => void; initial?: string;
}) {
  const [files, setFiles] = useState<FileInfo[] | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [open, setOpen] = useState<Set<string>>(() => new Set(initial ? pathPrefixes(initial) : []));
  useEffect(() => {
    list(path).then((fs) => {
      setFiles(fs);
      const f = fs.find((x) => x.path === initial && !x.is_dir);
      if (f) onSelect(f);
    }, setError);
  }, [path]);
  if (error) return <ErrorMsg error={error} />;
  if (!files) return <Loading />;
  if (!files.length && depth === 0) return <p class="muted">No artifacts.</p>;
  return (
    <ul role={depth === 0 ? 'tree' : 'group'} aria-label={depth === 0 ? 'Artifacts' : undefined} class="tree">
      {files.map((f) => (
        <li key={f.path} role="treeitem" aria-expanded={f.is_dir ? open.has(f.path) : undefined} aria-selected={selected === f.path}>
          <button class={'tree-item' + (selected === f.path ? ' sel' : '')} onClick={() => {
            if (f.is_dir) setOpen((s) => { const n = new Set(s); n.has(f.path) ? n.delete(f.path) : n.add(f.path); return n; });
            else onSelect(f);
          }}>
            {f.is_dir ? (open.has(f.path) ? '▾ ' : '▸ ') : ''}{base(f.path)}{f.is_dir ? '/' : ''}
            {!f.is_dir && <span class="muted"> {fmtBytes(f.file_size)}</span>}
          </button>
          {f.is_dir && open.has(f.path) && <Tree list={list} path={f.path} depth={depth + 1} selected={selected} onSelect={onSelect} initial={initial} />}
        </li>
      ))}
    </ul>
  );
}

function Preview({ file, url }: { file: FileInfo; url: string }) {
  const kind = previewKind(file.path);
  // Content is kept with the URL it came from, so a render right after switching files never
  // shows the previous file's text (as the new file's kind).
  const [loaded, setLoaded] = useState<{ url: string; text: string; truncated: boolean } | null>(null);
  const [error, setError] = useState<Error | null>(null);
  useEffect(() => {
    setError(null);
    if (kind !== 'image' && kind !== 'none') fetchText(url, PREVIEW_LIMIT).then((t) => setLoaded({ url, ...t }), setError);
  }, [url]);
  const text = loaded?.url === url ? loaded : null;
  let body;
  if (kind === 'image') body = <img class="artifact-img" src={url} alt={`Artifact ${file.path}`} />;
  else if (kind === 'none') body = <p class="muted">No preview for this file type.</p>;
  else if (error) body = <ErrorMsg error={error} />;
  else if (!text) body = <Loading />;
  else if (kind === 'json' && !text.truncated) {
    let pretty = text.text;
    try { pretty = JSON.stringify(JSON.parse(text.text), null, 2); } catch { /* show as it is */ }
    body = <pre class="artifact-text" data-testid="artifact-text">{pretty}</pre>;
  } else if (kind === 'csv' || kind === 'tsv') {
    const rows = parseCsv(text.text, kind === 'tsv' ? '\t' : ',', 500);
    body = (
      <div class="csv-wrap">
        <table class="list csv" data-testid="artifact-csv">
          <thead><tr>{(rows[0] ?? []).map((h, i) => <th key={i} scope="col">{h}</th>)}</tr></thead>
          <tbody>{rows.slice(1).map((r, i) => <tr key={i}>{r.map((c, j) => <td key={j}>{c}</td>)}</tr>)}</tbody>
        </table>
        {rows.length >= 500 && <p class="muted">First 500 rows.</p>}
      </div>
    );
  } else body = <pre class="artifact-text" data-testid="artifact-text">{text.text}</pre>;
  return (
    <div class="preview" aria-live="polite">
      <div class="toolbar">
        <strong class="mono">{file.path}</strong><span class="muted">{fmtBytes(file.file_size)}</span>
        <span class="spacer" />
        <a class="button" href={url} download={base(file.path)}>Download</a>
      </div>
      {text?.truncated && <p class="muted">Showing the first {fmtBytes(PREVIEW_LIMIT)}.</p>}
      {body}
    </div>
  );
}

export function ArtifactBrowser({ list, url, initial }: { list: Lister; url: (path: string) => string; initial?: string }) {
  const [file, setFile] = useState<FileInfo | null>(null);
  return (
    <div class="artifacts" data-testid="artifacts">
      <div class="artifact-tree"><Tree list={list} path="" depth={0} selected={file?.path ?? ''} onSelect={setFile} initial={initial?.replace(/^\/+|\/+$/g, '')} /></div>
      <div class="artifact-view">{file ? <Preview file={file} url={url(file.path)} /> : <p class="muted">Select a file to preview it.</p>}</div>
    </div>
  );
}

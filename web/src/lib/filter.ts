// Key autocomplete for MLflow's run filter syntax (`metrics.acc > 0.9 and params.lr = '0.1'`):
// the identifier being typed at the cursor and the completions for it.

export interface Keys { metrics: string[]; params: string[]; tags: string[] }

const ATTRIBUTES = ['run_id', 'run_name', 'status', 'user_id', 'start_time', 'end_time', 'artifact_uri', 'lifecycle_stage'];

// The identifier-ish token ending at `cursor` (outside quotes), with its start offset.
export function tokenAt(text: string, cursor: number): { token: string; start: number } | null {
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < cursor; i++) {
    const c = text[i];
    if (quote) { if (c === quote) { quote = null; start = i + 1; } continue; }
    if (c === "'" || c === '"') { quote = c; continue; }
    if (!/[\w.`-]/.test(c)) start = i + 1;
  }
  if (quote) return null;
  return { token: text.slice(start, cursor), start };
}

function quoteKey(k: string) { return /^[\w.]+$/.test(k) && !k.includes('.') ? k : '`' + k + '`'; }

export function completions(token: string, keys: Keys, limit = 20): string[] {
  const t = token.toLowerCase();
  const all: string[] = [];
  for (const k of keys.metrics) all.push('metrics.' + quoteKey(k));
  for (const k of keys.params) all.push('params.' + quoteKey(k));
  for (const k of keys.tags) all.push('tags.' + quoteKey(k));
  for (const a of ATTRIBUTES) all.push('attributes.' + a);
  if (!t) return all.slice(0, limit);
  const starts = all.filter((c) => c.toLowerCase().startsWith(t));
  const contains = all.filter((c) => !c.toLowerCase().startsWith(t) && c.toLowerCase().includes(t));
  return [...starts, ...contains].slice(0, limit);
}

export function applyCompletion(text: string, start: number, cursor: number, completion: string): { text: string; cursor: number } {
  const next = text.slice(0, start) + completion + text.slice(cursor);
  return { text: next, cursor: start + completion.length };
}

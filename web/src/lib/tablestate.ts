// The runs table's state: in the URL (#/experiments/1?filter=..&order=..&cols=..) and
// remembered per experiment in localStorage (restored when the URL carries none).

export type ColKind = 'm' | 'p' | 't';
export interface Col { kind: ColKind; key: string }
export interface TableState {
  filter: string;
  order: string;       // MLflow order_by, e.g. "metrics.`acc` DESC"; '' = start_time DESC
  cols: Col[];         // the chosen param/metric/tag columns, in order
  view: 'active' | 'deleted' | 'all';
  tab: 'table' | 'charts';
}

export const DEFAULT_STATE: TableState = { filter: '', order: '', cols: [], view: 'active', tab: 'table' };

export const colId = (c: Col) => c.kind + ':' + c.key;
export function parseCol(id: string): Col | null {
  const m = /^([mpt]):(.+)$/s.exec(id);
  return m ? { kind: m[1] as ColKind, key: m[2] } : null;
}

export function stateToQuery(s: TableState): URLSearchParams {
  const q = new URLSearchParams();
  if (s.filter) q.set('filter', s.filter);
  if (s.order) q.set('order', s.order);
  if (s.cols.length) q.set('cols', JSON.stringify(s.cols.map(colId)));
  if (s.view !== 'active') q.set('view', s.view);
  if (s.tab !== 'table') q.set('tab', s.tab);
  return q;
}

export function queryToState(q: URLSearchParams): TableState | null {
  const keys = ['filter', 'order', 'cols', 'view', 'tab'];
  if (!keys.some((k) => q.has(k))) return null;
  let cols: Col[] = [];
  try {
    const raw = JSON.parse(q.get('cols') || '[]');
    if (Array.isArray(raw)) cols = raw.map((x) => parseCol(String(x))).filter((c): c is Col => c !== null);
  } catch { /* ignore a bad cols value */ }
  const view = q.get('view');
  return {
    filter: q.get('filter') ?? '',
    order: q.get('order') ?? '',
    cols,
    view: view === 'deleted' || view === 'all' ? view : 'active',
    tab: q.get('tab') === 'charts' ? 'charts' : 'table',
  };
}

const storageKey = (experimentId: string) => 'sextant.runs.' + experimentId;

export function remember(experimentId: string, s: TableState, storage: Pick<Storage, 'setItem'> = localStorage) {
  try { storage.setItem(storageKey(experimentId), stateToQuery(s).toString()); } catch { /* quota, private mode */ }
}

export function recall(experimentId: string, storage: Pick<Storage, 'getItem'> = localStorage): TableState | null {
  try {
    const v = storage.getItem(storageKey(experimentId));
    return v === null ? null : queryToState(new URLSearchParams(v)) ?? { ...DEFAULT_STATE };
  } catch { return null; }
}

// order_by for a column: attributes / metrics.`k` / params.`k` / tags.`k`.
export function orderKey(c: Col | string): string {
  if (typeof c === 'string') return 'attributes.' + c;
  const kind = c.kind === 'm' ? 'metrics' : c.kind === 'p' ? 'params' : 'tags';
  return `${kind}.\`${c.key.replace(/`/g, '``')}\``;
}

export function parseOrder(order: string): { key: string; desc: boolean } {
  const m = /^(.*?)\s+(ASC|DESC)$/i.exec(order.trim());
  return m ? { key: m[1], desc: m[2].toUpperCase() === 'DESC' } : { key: order.trim(), desc: false };
}

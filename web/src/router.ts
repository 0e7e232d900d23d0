// Hash routes (#/experiments/1?filter=...), as MLflow's UI: only <prefix>/ exists on the server.
import { useEffect, useState } from 'preact/hooks';
import { mlflowTarget } from './lib/mlflowlinks';
import { safeDecode } from './lib/uri';

export interface Route { path: string[]; query: URLSearchParams }

export function parseHash(hash: string): Route {
  const h = hash.replace(/^#\/?/, '');
  const q = h.indexOf('?');
  const path = (q < 0 ? h : h.slice(0, q)).split('/').filter(Boolean).map(safeDecode);
  return { path, query: new URLSearchParams(q < 0 ? '' : h.slice(q + 1)) };
}

// The route a hash shows: an MLflow UI link (lib/mlflowlinks) becomes Sextant's own form, and
// `canonical` is that form's hash (null when the hash is already Sextant's).
export function resolveHash(hash: string): { route: Route; canonical: string | null } {
  const route = parseHash(hash);
  const target = mlflowTarget(route.path, route.query);
  if (!target) return { route, canonical: null };
  const canonical = href(target.path, target.query);
  return { route: parseHash(canonical), canonical };
}

// The current location's route; an MLflow link is replaced in the address bar (no history entry).
function currentRoute(): Route {
  const { route, canonical } = resolveHash(location.hash);
  if (canonical !== null) history.replaceState(history.state, '', canonical);
  return route;
}

export function href(path: (string | number)[], query?: Record<string, string | undefined> | URLSearchParams): string {
  let s = '#/' + path.map((p) => encodeURIComponent(String(p))).join('/');
  const q = query instanceof URLSearchParams ? query : new URLSearchParams(
    Object.entries(query ?? {}).filter(([, v]) => v !== undefined && v !== '') as [string, string][]);
  const qs = q.toString();
  return qs ? s + '?' + qs : s;
}

export function navigate(to: string, replace = false) {
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const on = () => setRoute(currentRoute());
    window.addEventListener('hashchange', on);
    window.addEventListener('popstate', on);
    return () => { window.removeEventListener('hashchange', on); window.removeEventListener('popstate', on); };
  }, []);
  return route;
}

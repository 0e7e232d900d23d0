import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import './styles.css';
import { ApiError, get, logout, sextant, type Principal } from './api';
import { href, useRoute } from './router';
import { ExperimentsPage } from './pages/Experiments';
import { ExperimentPage } from './pages/Experiment';
import { RunPage } from './pages/RunDetail';
import { ComparePage } from './pages/Compare';
import { ModelsPage, ModelPage } from './pages/Models';
import { AccountPage } from './pages/Account';
import { TracePage } from './pages/Trace';

type Theme = 'light' | 'dark';
function initialTheme(): Theme {
  const t = localStorage.getItem('sextant.theme');
  if (t === 'light' || t === 'dark') return t;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}
document.documentElement.dataset.theme = initialTheme();

// null: authentication is off (server-info says so); undefined: not known yet.
function useUser() {
  const [user, setUser] = useState<Principal | null | undefined>(undefined);
  useEffect(() => {
    get<{ auth?: boolean }>('/server-info')
      .then((info) => (info.auth ? sextant.whoami().then(setUser) : setUser(null)))
      .catch((e) => setUser(e instanceof ApiError && e.status === 401 ? undefined : null));
  }, []);
  return user;
}

function App() {
  const route = useRoute();
  const user = useUser();
  const [theme, setTheme] = useState<Theme>(document.documentElement.dataset.theme as Theme);
  const toggleTheme = () => {
    const t = theme === 'dark' ? 'light' : 'dark';
    document.documentElement.dataset.theme = t;
    localStorage.setItem('sextant.theme', t);
    setTheme(t);
  };
  const [section, id] = route.path;
  let page;
  if (!section || section === 'experiments') page = id ? <ExperimentPage id={id} query={route.query} /> : <ExperimentsPage />;
  else if (section === 'runs' && id) page = <RunPage id={id} query={route.query} />;
  else if (section === 'traces' && id) page = <TracePage id={id} query={route.query} user={user?.username} />;
  else if (section === 'compare') page = <ComparePage query={route.query} />;
  else if (section === 'models') page = id ? <ModelPage name={id} version={route.query.get('version') ?? undefined} /> : <ModelsPage />;
  else if (section === 'account') page = <AccountPage user={user} />;
  else page = <p>Page not found. <a href={href(['experiments'])}>Experiments</a></p>;
  const active = !section ? 'experiments' : section === 'runs' || section === 'compare' || section === 'traces' ? 'experiments' : section;
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>Skip to content</a>
      <header class="top">
        <a class="brand" href={href(['experiments'])}>Sextant</a>
        <nav aria-label="Main">
          <a href={href(['experiments'])} aria-current={active === 'experiments' ? 'page' : undefined}>Experiments</a>
          <a href={href(['models'])} aria-current={active === 'models' ? 'page' : undefined}>Models</a>
        </nav>
        <span class="spacer" />
        <button class="ghost" onClick={toggleTheme} aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}>
          {theme === 'dark' ? '☀' : '☾'}
        </button>
        {user && (
          <span class="user">
            <a href={href(['account'])} aria-current={active === 'account' ? 'page' : undefined} data-testid="current-user">{user.username}</a>
            <button class="ghost" data-testid="logout"
              onClick={() => logout().then((r) => location.assign(r.location), () => location.reload())}>Sign out</button>
          </span>
        )}
      </header>
      <main id="main" tabIndex={-1}>{page}</main>
    </>
  );
}

render(<App />, document.getElementById('app')!);

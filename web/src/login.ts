// The local password login page (<prefix>/auth/login without an OIDC provider). Self-contained:
// anonymous browsers may fetch only this script and login.css. Posts to /api/2.0/sextant/login
// (sets the session cookie), then goes to the `rd` path the server sent us here with.
import './login.css';
import { safeTarget } from './lib/redirect';

const theme = localStorage.getItem('sextant.theme');
if (theme === 'light' || theme === 'dark') document.documentElement.dataset.theme = theme;


const prefix = new URL(/* @vite-ignore */ '..', import.meta.url).pathname.replace(/\/$/, '');
const form = document.getElementById('login-form') as HTMLFormElement;
const error = document.getElementById('login-error') as HTMLParagraphElement;
form.addEventListener('submit', async (e) => {
  e.preventDefault();
  error.hidden = true;
  const data = new FormData(form);
  try {
    const r = await fetch('/api/2.0/sextant/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: data.get('username'), password: data.get('password') }),
      credentials: 'same-origin',
    });
    if (!r.ok) {
      let message = `Sign-in failed (${r.status})`;
      try { message = (await r.json()).message || message; } catch { /* not JSON */ }
      throw new Error(message);
    }
    // A redirect keeps the URL's fragment, so the page the user asked for (#/...) survives.
    location.assign(safeTarget(new URLSearchParams(location.search).get('rd'), prefix) + location.hash);
  } catch (err) {
    error.textContent = (err as Error).message;
    error.hidden = false;
  }
});

// The signed-in user and their personal access tokens (create: the secret is shown once; revoke).
import { useState } from 'preact/hooks';
import { sextant, type Principal } from '../api';
import { fmtTime } from '../lib/format';
import { ErrorMsg, Loading, useAsync } from '../ui';

export function AccountPage({ user }: { user: Principal | null | undefined }) {
  const tokens = useAsync(() => (user ? sextant.tokens() : Promise.resolve({ tokens: [] })), [user?.username]);
  const [name, setName] = useState('');
  const [days, setDays] = useState(90);
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  if (user === null) return <p>Authentication is off on this server: there are no accounts or tokens.</p>;
  if (user === undefined) return <Loading />;
  return (
    <section aria-labelledby="acct-title">
      <h1 id="acct-title">Account</h1>
      <p>Signed in as <strong data-testid="account-name">{user.username}</strong>{user.email ? ` (${user.email})` : ''}{user.is_admin ? ' · administrator' : ''} · via {user.method}</p>
      <h2>Personal access tokens</h2>
      <p class="muted">Use a token as <code>MLFLOW_TRACKING_TOKEN</code> (or as the password with any user name).</p>
      <form class="row wrap" onSubmit={async (e) => {
        e.preventDefault();
        try { const r = await sextant.createToken(name, days); setSecret(r.secret); setName(''); setError(null); tokens.reload(); }
        catch (err) { setError(err as Error); }
      }}>
        <label>Name <input value={name} onInput={(e) => setName(e.currentTarget.value)} required /></label>
        <label>Expires in (days) <input type="number" min="1" max="3650" value={days} onInput={(e) => setDays(Number(e.currentTarget.value))} /></label>
        <button type="submit" class="primary">Create token</button>
      </form>
      <ErrorMsg error={error} />
      {secret && (
        <div class="notice" role="status" data-testid="new-token">
          <p>Copy the new token now; it is not shown again:</p>
          <code class="secret">{secret}</code>
          <button class="small" onClick={() => navigator.clipboard?.writeText(secret)}>Copy</button>
          <button class="small" onClick={() => setSecret(null)}>Done</button>
        </div>
      )}
      {tokens.error ? <ErrorMsg error={tokens.error} /> : !tokens.data ? <Loading /> : (
        <table class="list" data-testid="tokens">
          <thead><tr><th scope="col">Name</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Last used</th><th scope="col">State</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>{(tokens.data.tokens ?? []).map((t) => (
            <tr key={t.token_id} class={t.revoked_ms ? 'deleted' : ''}>
              <td>{t.name}</td><td>{fmtTime(t.created_ms)}</td><td>{fmtTime(t.expires_ms)}</td><td>{fmtTime(t.last_used_ms)}</td>
              <td>{t.revoked_ms ? 'revoked' : t.expires_ms && t.expires_ms < Date.now() ? 'expired' : 'active'}</td>
              <td>{!t.revoked_ms && <button class="small danger" aria-label={`Revoke token ${t.name}`} onClick={async () => {
                try { await sextant.revokeToken(t.token_id); tokens.reload(); } catch (err) { setError(err as Error); }
              }}>Revoke</button>}</td>
            </tr>))}
          </tbody>
        </table>
      )}
    </section>
  );
}

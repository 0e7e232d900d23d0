// A strict, certified OpenID provider (panva/oidc-provider) for Sextant's end-to-end login
// tests (tests/integration/test_oidc_provider_login.py). Unlike oauth2-mock-server it enforces
// client authentication, registered redirect URIs, PKCE and single-use codes.
//
// Environment:
//   PORT           listen port on 127.0.0.1 (issuer http://127.0.0.1:PORT)
//   REDIRECT_URIS     space-separated registered redirect URIs of client "mlflow-web" (Sextant's
//                     /auth/callback of each server under test)
//   POST_LOGOUT_URIS  space-separated registered post_logout_redirect_uris
//   ACCOUNTS_FILE  JSON {"alice": {"email": ..., "email_verified": true, "groups": [...]}, ...}; read
//                  on every lookup, so a test can change or remove an account while the provider runs
// Clients: "mlflow-web" (secret "web-secret", client_secret_basic, authorization_code +
// refresh_token, PKCE required) and "mlflow-ci" (secret "ci-secret", client_credentials).
// Access tokens for resource urn:mlflow are RS256 JWTs (at+jwt) with audience "mlflow".
import fs from 'node:fs';
import Provider from 'oidc-provider';
import { generateKeyPair, exportJWK } from 'jose';

const port = Number(process.env.PORT || 8090);
const issuer = `http://127.0.0.1:${port}`;
const accountsFile = process.env.ACCOUNTS_FILE;

const readAccounts = () => JSON.parse(fs.readFileSync(accountsFile, 'utf8'));

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'op-key-1' };

const claimsOf = (id) => {
  const a = readAccounts()[id];
  if (!a) return undefined;
  return { sub: id, email: a.email, email_verified: a.email_verified, groups: a.groups };
};

const provider = new Provider(issuer, {
  jwks: { keys: [jwk] },
  clients: [
    {
      client_id: 'mlflow-web',
      client_secret: 'web-secret',
      redirect_uris: (process.env.REDIRECT_URIS || '').split(' ').filter(Boolean),
      post_logout_redirect_uris: (process.env.POST_LOGOUT_URIS || '').split(' ').filter(Boolean),
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    {
      client_id: 'mlflow-ci',
      client_secret: 'ci-secret',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    },
  ],
  pkce: { required: () => true },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], groups: ['groups'] },
  conformIdTokenClaims: false,
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  async findAccount(_ctx, id) {
    const claims = claimsOf(id);
    if (!claims) return undefined;
    return { accountId: id, claims: async () => claimsOf(id) || { sub: id } };
  },
  async extraTokenClaims(_ctx, token) {
    const c = token.accountId ? claimsOf(token.accountId) : { groups: ['ci-robots'] };
    return c ? { email: c.email, email_verified: c.email_verified, groups: c.groups } : {};
  },
  features: {
    devInteractions: { enabled: true },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => 'urn:mlflow',
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'openid email groups',
        audience: 'mlflow',
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
});
provider.proxy = false;

const server = provider.listen(port, '127.0.0.1');
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
console.log(`oidc-provider listening on ${issuer}`);

// oauth2-mock-server@8.2.3 for checking the JWT verifier against tokens a real JOSE library
// (panva/jose) signs. One key per algorithm in ALGS; the server signs successive tokens with its
// keys in turn. Claims come from the token request (x_sub, x_email, x_groups, x_expires_in;
// aud from `aud`, default "mlflow"), as in docs/toolbox.md §4.1.
// Authorization code flow (no login page: GET /authorize answers 302 at once): the claims of the
// user "logging in" come from extra query parameters of the /authorize request (x_sub, x_email,
// x_email_verified, x_groups; defaults from env CODE_EMAIL / CODE_GROUPS), remembered per code
// and then per refresh token, so refresh grants keep the same user.
import { OAuth2Server } from 'oauth2-mock-server';

const port = Number(process.env.PORT || 8089);
const algs = (process.env.ALGS || 'RS256,RS384,RS512,PS256,PS384,PS512,ES256,ES384,ES512,EdDSA').split(',');
const server = new OAuth2Server();
for (const alg of algs) await server.issuer.keys.generate(alg);
const codeClaims = new Map();     // code -> claims chosen at /authorize
const refreshClaims = new Map();  // refresh token -> claims
server.service.on('beforeAuthorizeRedirect', (redirect, req) => {
  const q = req.query || {};
  const code = redirect.url.searchParams.get('code');
  if (!code) return;
  codeClaims.set(code, {
    sub: q.x_sub || 'johndoe',
    email: q.x_email || process.env.CODE_EMAIL || 'johndoe@example.test',
    email_verified: (q.x_email_verified || 'true') === 'true',
    groups: (q.x_groups || process.env.CODE_GROUPS || 'users').split(','),
  });
});
const grantClaims = (b) =>
  b.grant_type === 'authorization_code' ? codeClaims.get(b.code)
    : b.grant_type === 'refresh_token' ? refreshClaims.get(b.refresh_token) : undefined;
server.service.on('beforeResponse', (response, req) => {
  const b = req.body || {};
  const claims = grantClaims(b);
  if (claims && response.body.refresh_token) refreshClaims.set(response.body.refresh_token, claims);
  if (b.grant_type === 'authorization_code') codeClaims.delete(b.code);
  if (b.grant_type === 'refresh_token' && !claims) {  // unknown refresh token: refuse, as real providers do
    response.statusCode = 400;
    response.body = { error: 'invalid_grant' };
  }
});
server.service.on('beforeTokenSigning', (token, req) => {
  const b = req.body || {};
  const claims = grantClaims(b);
  if (claims) Object.assign(token.payload, claims);
  if (b.x_sub) token.payload.sub = b.x_sub;
  if (b.x_email) token.payload.email = b.x_email;
  if (b.x_email_verified) token.payload.email_verified = b.x_email_verified === 'true';
  if (b.x_groups) token.payload.groups = b.x_groups.split(',');
  if (b.x_expires_in) token.payload.exp = token.payload.iat + Number(b.x_expires_in);
  if (!token.payload.aud) token.payload.aud = 'mlflow';
});
await server.start(port, '127.0.0.1');
server.issuer.url = `http://127.0.0.1:${port}`;
console.log(`ready ${server.issuer.url} ${algs.join(',')}`);
const stop = async () => { await server.stop(); process.exit(0); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

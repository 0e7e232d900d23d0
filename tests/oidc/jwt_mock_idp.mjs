// oauth2-mock-server@8.2.3 for checking the JWT verifier against tokens a real JOSE library
// (panva/jose) signs. One key per algorithm in ALGS; the server signs successive tokens with its
// keys in turn. Claims come from the token request (x_sub, x_email, x_groups, x_expires_in;
// aud from `aud`, default "mlflow"), as in docs/toolbox.md §4.1.
import { OAuth2Server } from 'oauth2-mock-server';

const port = Number(process.env.PORT || 8089);
const algs = (process.env.ALGS || 'RS256,RS384,RS512,PS256,PS384,PS512,ES256,ES384,ES512,EdDSA').split(',');
const server = new OAuth2Server();
for (const alg of algs) await server.issuer.keys.generate(alg);
server.service.on('beforeTokenSigning', (token, req) => {
  const b = req.body || {};
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

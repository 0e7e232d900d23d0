// After `vite build`: checks the login page stays self-contained (the server lets anonymous
// browsers fetch only static-files/login.js and login.css), writes a .gz beside every
// text asset (served to clients that accept gzip) and prints the bundle sizes.
import { readdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const out = process.env.SEXTANT_WEB_OUT || 'dist';
const assets = join(out, 'static-files');
const login = readFileSync(join(out, 'login.html'), 'utf8');
const refs = [...login.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
for (const r of refs) {
  if (!['./static-files/login.js', './static-files/login.css'].includes(r) && !r.startsWith('data:'))
    throw new Error(`login.html references ${r}: only static-files/login.js and login.css are public`);
}
if (/\bimport\b[^;]*from\s*["']|import\(/.test(readFileSync(join(assets, 'login.js'), 'utf8')))
  throw new Error('login.js imports another chunk: it must be self-contained');

let initial = 0;
const index = readFileSync(join(out, 'index.html'), 'utf8');
for (const f of readdirSync(assets)) {
  if (!/\.(js|css|svg|json|html)$/.test(f)) continue;
  const raw = readFileSync(join(assets, f));
  const gz = gzipSync(raw, { level: 9 });
  writeFileSync(join(assets, f + '.gz'), gz);
  if (f.endsWith('.js') && index.includes(f)) initial += gz.length;
  console.log(`${f.padEnd(40)} ${String(statSync(join(assets, f)).size).padStart(8)} B  gzip ${String(gz.length).padStart(7)} B`);
}
console.log(`initial JS (gzip): ${initial} B`);
writeFileSync(join(out, 'bundle-size.json'), JSON.stringify({ initial_js_gzip_bytes: initial }) + '\n');
if (initial > 300 * 1024) throw new Error(`initial JS is ${initial} B gzipped, over the 300 KB budget`);

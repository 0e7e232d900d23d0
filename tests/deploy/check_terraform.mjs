// Structural checks of the Terraform in deploy/: every .tf file is parsed with HashiCorp's HCL
// parser (@cdktf/hcl2json, WASM) and the JSON form is checked against the stack's rules. No
// Terraform binary or provider can run here, so this is what CI can verify:
//   - every .tf parses;
//   - every taggable resource carries the stack's tags (local.tags or var.tags);
//   - every S3 bucket blocks public access (all four switches), is encrypted and denies non-TLS;
//   - databases are encrypted and never publicly accessible;
//   - the ECS task role may touch S3 only, and only the artifact bucket;
//   - the load balancer listens on 443 with a certificate, and 80 only redirects to HTTPS;
//   - target group health checks use /health;
//   - no secret literal anywhere (passwords, secrets, tokens, keys are expressions, never text).
//
// Usage: node check_terraform.mjs DIR...   (exit 1 and one line per problem when rules fail)
// Library: checkDirectory(dir, ext = '.tf') -> [problem strings].
import fs from 'node:fs';
import path from 'node:path';
import { parse } from '@cdktf/hcl2json';

// Resource types that cannot carry tags (the AWS provider has no tags argument for them).
const UNTAGGABLE = new Set([
  'aws_s3_bucket_ownership_controls', 'aws_s3_bucket_public_access_block', 'aws_s3_bucket_versioning',
  'aws_s3_bucket_server_side_encryption_configuration', 'aws_s3_bucket_lifecycle_configuration',
  'aws_s3_bucket_policy', 'aws_iam_role_policy', 'aws_iam_role_policy_attachment', 'aws_route_table_association',
  'aws_route53_record', 'aws_acm_certificate_validation', 'aws_appautoscaling_policy',
  'aws_secretsmanager_secret_version', 'random_password',
]);

const SECRET_NAME = /(password|secret|token|private_key|access_key|api_key)/i;
const SECRET_TEXT = [/AKIA[0-9A-Z]{16}/, /-----BEGIN [A-Z ]*PRIVATE KEY-----/, /sxt_[A-Za-z0-9_-]{43}/];

// Files ending in `ext` below `dir` (the tests' deliberately broken fixtures end in .tf.fixture,
// so that no scan of the repository mistakes them for the stack).
export function tfFiles(dir, ext = '.tf') {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== '.terraform' && entry.name !== 'node_modules') out.push(...tfFiles(p, ext));
    else if (entry.isFile() && entry.name.endsWith(ext)) out.push(p);
  }
  return out.sort();
}

const isExpr = (v) => typeof v === 'string' && v.includes('${');
const first = (v) => (Array.isArray(v) ? v[0] : v);

function* resources(doc) {
  for (const [type, byName] of Object.entries(doc.resource || {}))
    for (const [name, bodies] of Object.entries(byName)) for (const body of bodies) yield { type, name, body };
}

function* dataSources(doc) {
  for (const [type, byName] of Object.entries(doc.data || {}))
    for (const [name, bodies] of Object.entries(byName)) for (const body of bodies) yield { type, name, body };
}

// Walks every attribute of a parsed body: cb(keyPath, value) for scalars.
function walk(value, keyPath, cb) {
  if (Array.isArray(value)) value.forEach((v) => walk(v, keyPath, cb));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, [...keyPath, k], cb);
  else cb(keyPath, value);
}

export async function checkDirectory(dir, ext = '.tf') {
  const problems = [];
  const docs = [];
  for (const file of tfFiles(dir, ext)) {
    const text = fs.readFileSync(file, 'utf8');
    for (const re of SECRET_TEXT) if (re.test(text)) problems.push(`${file}: contains what looks like a secret (${re})`);
    try {
      docs.push({ file, doc: await parse(file.replace(/\.fixture$/, ''), text) });
    } catch (e) {
      problems.push(`${file}: does not parse: ${String(e.message || e).split('\n')[0]}`);
    }
  }
  const all = [];
  for (const { file, doc } of docs) for (const r of resources(doc)) all.push({ ...r, file });
  const allData = [];
  for (const { file, doc } of docs) for (const d of dataSources(doc)) allData.push({ ...d, file });
  const where = (r) => `${r.file}: ${r.type}.${r.name}`;
  const refersTo = (value, type, name) => typeof value === 'string' && value.includes(`${type}.${name}.`);

  // Secrets are never literals: any attribute named like a secret must be an expression.
  for (const { file, doc } of docs) {
    walk({ resource: doc.resource, data: doc.data, locals: doc.locals, provider: doc.provider }, [], (keyPath, v) => {
      const key = keyPath[keyPath.length - 1] || '';
      if (!SECRET_NAME.test(key) || typeof v !== 'string' || isExpr(v)) return;
      if (key === 'description' || keyPath.includes('description')) return;
      problems.push(`${file}: ${keyPath.join('.')} is a literal secret`);
    });
    for (const [name, bodies] of Object.entries(doc.variable || {}))
      for (const body of bodies)
        if (SECRET_NAME.test(name) && !/_arn$/.test(name) && body.default !== undefined)
          problems.push(`${file}: variable ${name} looks secret and has a default`);
  }

  for (const r of all) {
    const b = r.body;
    // Tags.
    if (!UNTAGGABLE.has(r.type)) {
      const tags = b.tags;
      if (tags === undefined) problems.push(`${where(r)}: no tags`);
      else if (!(isExpr(tags) && /(local|var)\.tags/.test(tags))) problems.push(`${where(r)}: tags do not include the stack's tags`);
    }
    // Databases.
    if (r.type === 'aws_rds_cluster' && b.storage_encrypted !== true) problems.push(`${where(r)}: storage_encrypted is not true`);
    if (r.type === 'aws_rds_cluster' && b.backup_retention_period === undefined) problems.push(`${where(r)}: no backup retention`);
    if ((r.type === 'aws_rds_cluster_instance' || r.type === 'aws_db_instance') && b.publicly_accessible !== false)
      problems.push(`${where(r)}: publicly_accessible must be false`);
    if (r.type === 'aws_db_instance' && b.storage_encrypted !== true) problems.push(`${where(r)}: storage_encrypted is not true`);
    // Load balancer listeners.
    if (r.type === 'aws_lb_listener') {
      const port = Number(b.port);
      const action = first(b.default_action) || {};
      if (port === 443 && (b.protocol !== 'HTTPS' || !b.certificate_arn)) problems.push(`${where(r)}: 443 must be HTTPS with a certificate`);
      if (port === 443 && !/TLS13|TLS-1-2/.test(String(b.ssl_policy || ''))) problems.push(`${where(r)}: weak or missing ssl_policy`);
      if (port !== 443) {
        const redirect = first(action.redirect) || {};
        if (action.type !== 'redirect' || redirect.protocol !== 'HTTPS') problems.push(`${where(r)}: port ${port} must only redirect to HTTPS`);
      }
    }
    if (r.type === 'aws_lb_target_group') {
      const hc = first(b.health_check) || {};
      if (hc.path !== '/health') problems.push(`${where(r)}: health check path must be /health`);
    }
  }

  // Buckets: public access block, encryption, TLS-only policy, each referring to the bucket.
  const buckets = all.filter((r) => r.type === 'aws_s3_bucket');
  for (const bucket of buckets) {
    const about = (type) => all.filter((r) => r.type === type && refersTo(r.body.bucket, 'aws_s3_bucket', bucket.name));
    const pab = about('aws_s3_bucket_public_access_block');
    const flags = ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'];
    if (!pab.some((p) => flags.every((f) => p.body[f] === true))) problems.push(`${where(bucket)}: public access is not fully blocked`);
    if (!about('aws_s3_bucket_server_side_encryption_configuration').length) problems.push(`${where(bucket)}: not encrypted`);
    const policies = about('aws_s3_bucket_policy');
    const tlsOnly = policies.some((p) => {
      const m = /data\.aws_iam_policy_document\.([\w-]+)\.json/.exec(p.body.policy || '');
      const docData = m && allData.find((d) => d.type === 'aws_iam_policy_document' && d.name === m[1]);
      return docData && (docData.body.statement || []).some((s) => s.effect === 'Deny' &&
        (s.condition || []).some((c) => c.variable === 'aws:SecureTransport' && JSON.stringify(c.values) === '["false"]'));
    });
    if (!tlsOnly) problems.push(`${where(bucket)}: no policy denying non-TLS access`);
  }

  // The ECS task role: S3 only, on the artifact bucket only.
  for (const td of all.filter((r) => r.type === 'aws_ecs_task_definition')) {
    const m = /aws_iam_role\.([\w-]+)\.arn/.exec(td.body.task_role_arn || '');
    if (!m) {
      problems.push(`${where(td)}: no task role`);
      continue;
    }
    const role = m[1];
    if (/"?(privileged)"?\s*=\s*true/.test(td.body.container_definitions || '')) problems.push(`${where(td)}: privileged container`);
    if (!/readonlyRootFilesystem\s*=\s*true/.test(td.body.container_definitions || ''))
      problems.push(`${where(td)}: root file system is not read-only`);
    if (/user\s*=\s*"(0|root)(:|")/.test(td.body.container_definitions || '')) problems.push(`${where(td)}: runs as root`);
    for (const att of all.filter((r) => r.type === 'aws_iam_role_policy_attachment' && refersTo(r.body.role, 'aws_iam_role', role)))
      problems.push(`${where(att)}: managed policy attached to the task role (${att.body.policy_arn})`);
    for (const pol of all.filter((r) => r.type === 'aws_iam_role_policy' && refersTo(r.body.role, 'aws_iam_role', role))) {
      const pm = /data\.aws_iam_policy_document\.([\w-]+)\.json/.exec(pol.body.policy || '');
      const docData = pm && allData.find((d) => d.type === 'aws_iam_policy_document' && d.name === pm[1]);
      if (!docData) {
        problems.push(`${where(pol)}: task role policy is not an aws_iam_policy_document`);
        continue;
      }
      for (const s of docData.body.statement || []) {
        if ((s.effect || 'Allow') !== 'Allow') continue;
        for (const a of s.actions || []) if (!/^s3:[A-Za-z]+$/.test(a)) problems.push(`${where(pol)}: task role allows ${a}`);
        for (const res of s.resources || [])
          if (!/aws_s3_bucket\.artifacts\.arn/.test(res)) problems.push(`${where(pol)}: task role resource ${res} is not the artifact bucket`);
        if (!(s.resources || []).length) problems.push(`${where(pol)}: statement without resources`);
      }
    }
  }
  return problems;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dirs = process.argv.slice(2);
  if (!dirs.length) {
    console.error('usage: node check_terraform.mjs DIR...');
    process.exit(2);
  }
  let problems = [];
  let files = 0;
  for (const d of dirs) {
    files += tfFiles(d).length;
    problems = problems.concat(await checkDirectory(d));
  }
  for (const p of problems) console.log(p);
  console.log(`${files} .tf files checked, ${problems.length} problems`);
  process.exit(problems.length ? 1 : 0);
}

// Tests of check_terraform.mjs: the real stack in deploy/ passes, and a deliberately broken
// stack (fixtures/bad) and an unparsable file (fixtures/unparsable) are caught rule by rule.
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkDirectory, tfFiles } from './check_terraform.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const deploy = path.join(here, '..', '..', 'deploy');

const real = await checkDirectory(deploy);
assert.ok(tfFiles(deploy).length >= 10, 'the stack has its .tf files');
assert.deepEqual(real, [], 'deploy/ passes the rules');

const bad = await checkDirectory(path.join(here, 'fixtures', 'bad'), '.tf.fixture');
const expect = [
  /aws_s3_bucket\.open: public access is not fully blocked/,
  /aws_s3_bucket\.open: not encrypted/,
  /aws_s3_bucket\.open: no policy denying non-TLS access/,
  /aws_rds_cluster\.plain: storage_encrypted is not true/,
  /aws_rds_cluster\.plain: no backup retention/,
  /aws_rds_cluster_instance\.public: publicly_accessible must be false/,
  /master_password is a literal secret/,
  /secret_string is a literal secret/,
  /looks like a secret/,
  /aws_security_group\.untagged: no tags/,
  /aws_lb_listener\.plain_http: port 80 must only redirect to HTTPS/,
  /aws_lb_listener\.https_without_cert: 443 must be HTTPS with a certificate/,
  /aws_lb_target_group\.root_check: health check path must be \/health/,
  /task role allows dynamodb:\*/,
  /task role resource \* is not the artifact bucket/,
  /aws_ecs_task_definition\.app: root file system is not read-only/,
  /aws_ecs_task_definition\.app: runs as root/,
];
for (const re of expect) assert.ok(bad.some((p) => re.test(p)), `expected a problem matching ${re}; got:\n${bad.join('\n')}`);

const unparsable = await checkDirectory(path.join(here, 'fixtures', 'unparsable'), '.tf.fixture');
assert.equal(unparsable.length, 1);
assert.match(unparsable[0], /does not parse/);

console.log(`check_terraform: deploy/ clean (${tfFiles(deploy).length} files); ${expect.length} broken rules caught`);

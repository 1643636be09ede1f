// Installs this folder's packages (code-server, playwright-core) unless they match the lockfile
// already, so that `npm test` works right after the root `npm ci`.
// usage: node test/e2e/install.mjs
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const stamp = path.join(here, 'node_modules', '.installed-lock-sha256');
const lockHash = createHash('sha256').update(fs.readFileSync(path.join(here, 'package-lock.json'))).digest('hex');

if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === lockHash) process.exit(0);

function run(command, args) {
  console.log(`test/e2e: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: here, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`test/e2e: "${command} ${args.join(' ')}" failed; see README, "Setup" for the system packages it needs`);
    process.exit(result.status ?? 1);
  }
}
// code-server's postinstall fetches ripgrep from GitHub unless its cache is seeded first.
run('sh', ['seed-ripgrep-cache.sh']);
run('npm', ['ci', '--no-audit', '--no-fund']);
fs.writeFileSync(stamp, lockHash);

// Packages a platform-specific .vsix: the extension bundles plus onnxruntime-node's native binaries
// for one target only (all of them together would be ~300 MB).
// usage: node scripts/package.mjs <target>   targets: linux-x64 linux-arm64 win32-x64 win32-arm64 darwin-arm64
// .vscodeignore lists linux-x64's binaries; for another target its "platform:" line is swapped.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// vsce target -> folder under node_modules/onnxruntime-node/bin/napi-v*/ (onnxruntime-node 1.30 ships no darwin-x64)
const targets = {
  'linux-x64': 'linux/x64',
  'linux-arm64': 'linux/arm64',
  'win32-x64': 'win32/x64',
  'win32-arm64': 'win32/arm64',
  'darwin-arm64': 'darwin/arm64',
};
const target = process.argv[2] ?? 'linux-x64';
if (!targets[target]) {
  console.error(`package: unknown target "${target}"; one of ${Object.keys(targets).join(', ')}`);
  process.exit(2);
}

const lines = fs.readFileSync(path.join(root, '.vscodeignore'), 'utf8').split('\n');
const marker = lines.indexOf('# platform:');
if (marker < 0 || !lines[marker + 1]?.startsWith('!node_modules/onnxruntime-node/bin/')) {
  console.error('package: .vscodeignore lacks the "# platform:" line followed by the binaries line');
  process.exit(2);
}
lines[marker + 1] = `!node_modules/onnxruntime-node/bin/napi-v*/${targets[target]}/**`;
const ignoreFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'diffuse-package-')), '.vscodeignore');
fs.writeFileSync(ignoreFile, lines.join('\n'));

const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;
const out = `diffuse-edit-${target}-${version}.vsix`;
// vsce runs `vscode:prepublish` (the production build) first.
const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
const result = spawnSync(process.execPath, [vsce, 'package', '--target', target, '--ignoreFile', ignoreFile, '--out', out],
  { cwd: root, stdio: 'inherit' });
fs.rmSync(path.dirname(ignoreFile), { recursive: true, force: true });
if (result.status !== 0) process.exit(result.status ?? 1);
console.log(`package: ${out} ${(fs.statSync(path.join(root, out)).size / 1024 / 1024).toFixed(1)} MiB`);

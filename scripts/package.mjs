// Packages a platform-specific .vsix: the extension bundles plus onnxruntime-node's native binaries
// for one target only (all of them together would be ~300 MB).
// usage: node scripts/package.mjs <target>   targets: linux-x64 linux-arm64 win32-x64 win32-arm64 darwin-arm64
// .vscodeignore lists linux-x64's binaries; for another target its "platform:" line is swapped.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ignoreRulesFor, TARGETS as targets } from './check-vsix.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const target = process.argv[2] ?? 'linux-x64';
if (!targets[target]) {
  console.error(`package: unknown target "${target}"; one of ${Object.keys(targets).join(', ')}`);
  process.exit(2);
}

let ignoreText;
try {
  ignoreText = ignoreRulesFor(fs.readFileSync(path.join(root, '.vscodeignore'), 'utf8'), target);
} catch (error) {
  console.error(`package: ${error.message}`);
  process.exit(2);
}
const ignoreFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'diffuse-package-')), '.vscodeignore');
fs.writeFileSync(ignoreFile, ignoreText);

const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;
const out = `diffuse-edit-${target}-${version}.vsix`;
// vsce runs `vscode:prepublish` (the production build) first.
const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
const result = spawnSync(process.execPath, [vsce, 'package', '--target', target, '--ignoreFile', ignoreFile, '--out', out],
  { cwd: root, stdio: 'inherit' });
fs.rmSync(path.dirname(ignoreFile), { recursive: true, force: true });
if (result.status !== 0) process.exit(result.status ?? 1);
// The package must hold only what .vscodeignore allows and all that the extension needs to run.
const checked = spawnSync(process.execPath, [path.join(root, 'scripts', 'check-vsix.mjs'), out, target], { cwd: root, stdio: 'inherit' });
if (checked.status !== 0) {
  fs.rmSync(path.join(root, out), { force: true });
  console.error(`package: ${out} removed: it failed the content check above`);
  process.exit(1);
}
console.log(`package: ${out} ${(fs.statSync(path.join(root, out)).size / 1024 / 1024).toFixed(1)} MiB`);

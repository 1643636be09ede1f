// Packages the linux-x64 .vsix, installs it into a fresh code-server with `--install-extension`,
// and runs the in-host suite against the installed copy (no extension under development): the
// package activates and its bundled onnxruntime-node binaries load and run there.
// usage: node test/vscode/install-vsix.mjs [path/to/existing.vsix]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fail, root, startCodeServer } from './harness.mjs';
import { runSuite } from './run-in-host.mjs';

const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;
let vsix = process.argv[2] && path.resolve(process.argv[2]);
if (!vsix) {
  const packaged = spawnSync(process.execPath, [path.join(root, 'scripts', 'package.mjs'), 'linux-x64'], { cwd: root, stdio: 'inherit' });
  if (packaged.status !== 0) fail('packaging failed');
  vsix = path.join(root, `diffuse-edit-linux-x64-${version}.vsix`);
}
if (!fs.existsSync(vsix)) fail(`no such file: ${vsix}`);

const server = await startCodeServer({ extraArgs: ['--install-extension', vsix], env: { DIFFUSE_TEST_INSTALLED_VSIX: vsix } });
let code = 1;
try {
  const installed = fs.readdirSync(server.extensionsDir).filter(d => d.startsWith('diffuse-edit.diffuse-edit-'));
  if (installed.length !== 1) throw new Error(`expected one installed copy in the extensions folder, found: ${installed.join(', ') || 'none'}`);
  const dir = path.join(server.extensionsDir, installed[0]);
  const binaries = fs.readdirSync(path.join(dir, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6'), { recursive: true });
  console.log(`installed ${installed[0]}; onnxruntime binaries: ${binaries.filter(f => /\.(node|so\.\d+|dll|dylib)$/.test(f)).join(', ')}`);
  // VS Code runs extension tests only for an extension under development: an empty one stands in,
  // so that the Diffuse extension the suite finds is the installed copy.
  const host = fs.mkdtempSync(path.join(server.runDir, 'test-host-'));
  fs.writeFileSync(path.join(host, 'package.json'), JSON.stringify({
    name: 'diffuse-vsix-test-host', publisher: 'diffuse-edit', version: '0.0.0', engines: { vscode: '*' },
  }));
  code = await runSuite(server, { developmentPath: host });
} catch (error) {
  console.error(error);
} finally {
  await server.stop();
}
if (code !== 0) fail('the installed .vsix failed the in-host suite');
console.log(`${path.basename(vsix)} installs, activates and passes the in-host suite`);

// Bundles the in-host test suite (test/vscode/suite/*.ts) to plain CommonJS in out/test/suite/,
// one file per test file, so that VS Code's extension host can load it as `extensionTestsPath`.
// mocha stays external: the test files and the runner must share one mocha instance.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { root } from './harness.mjs';

export const suiteOut = path.join(root, 'out', 'test', 'suite');

export async function buildSuite() {
  const suiteDir = path.join(root, 'test', 'vscode', 'suite');
  const entries = fs.readdirSync(suiteDir).filter(f => f === 'index.ts' || f.endsWith('.test.ts'));
  fs.rmSync(suiteOut, { recursive: true, force: true });
  await build({
    entryPoints: entries.map(f => path.join(suiteDir, f)),
    outdir: suiteOut,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external: ['vscode', 'mocha', 'onnxruntime-node'],
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  return path.join(suiteOut, 'index.js');
}

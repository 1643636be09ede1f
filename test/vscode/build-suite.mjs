// Bundles the in-host test suite (test/vscode/suite/*.ts) to plain CommonJS in out/test/suite/,
// one file per test file, so that VS Code's extension host can load it as `extensionTestsPath`.
// mocha stays external: the test files and the runner must share one mocha instance.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { root } from './harness.mjs';

// Test files may `import { suite, test } from 'mocha'` or use the globals. Under @vscode/test-cli the
// files run under its own copy of mocha, so imports are served from the globals that whichever mocha
// runs the file defines (tdd and bdd interfaces), read at call time.
const MOCHA_GLOBALS = ['suite', 'test', 'suiteSetup', 'suiteTeardown', 'setup', 'teardown',
  'describe', 'it', 'before', 'after', 'beforeEach', 'afterEach'];
const mochaGlobals = {
  name: 'mocha-globals',
  setup(b) {
    b.onResolve({ filter: /^mocha$/ }, args =>
      path.basename(args.importer) === 'index.ts' ? undefined : { path: 'mocha', namespace: 'mocha-globals' });
    b.onLoad({ filter: /.*/, namespace: 'mocha-globals' }, () => ({
      contents: `for (const name of ${JSON.stringify(MOCHA_GLOBALS)}) ` +
        'Object.defineProperty(exports, name, { enumerable: true, get: () => globalThis[name] });',
      loader: 'js',
    }));
  },
};

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
    plugins: [mochaGlobals],
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  return path.join(suiteOut, 'index.js');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(`built ${path.relative(root, await buildSuite())}`);
}

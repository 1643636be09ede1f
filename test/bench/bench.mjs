// Bundles the benchmark (TypeScript under test/bench/src/, importing the engine's sources) and runs
// it. `node test/bench/bench.mjs [options]` for the benchmark, `... humaneval [options]` for
// HumanEval-infilling; `--help` lists the options. Run `npm run build` first (the CLI is timed too).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
// A tool cache inside node_modules: ignored by git and the linter, and the bundle finds the
// repository (three folders up) and its node_modules from there.
const outfile = path.join(here, '..', '..', 'node_modules', '.cache', 'diffuse-edit-bench', 'bench.cjs');

// As in scripts/build.mjs: resolve packages through their CommonJS builds, where web-tree-sitter
// finds its wasm without `import.meta.url`.
const preferRequireCondition = {
  name: 'prefer-require-condition',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.kind !== 'import-statement' && args.kind !== 'dynamic-import') return undefined;
      const resolved = await b.resolve(args.path, { kind: 'require-call', resolveDir: args.resolveDir, importer: args.importer });
      return resolved.errors.length ? undefined : resolved;
    });
  },
};

await build({
  entryPoints: [path.join(here, 'src', 'main.ts')],
  outfile,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['onnxruntime-node'],
  sourcemap: 'inline',
  plugins: [preferRequireCondition],
  logLevel: 'warning',
});

// The sampler's summary graph, which the session loads from next to its bundle (as from dist/).
fs.copyFileSync(path.join(here, '..', '..', 'src', 'model', 'topk.onnx'), path.join(path.dirname(outfile), 'topk.onnx'));

// A child process, so that --enable-source-maps gives stack traces in the TypeScript sources.
const run = spawnSync(process.execPath, ['--enable-source-maps', outfile, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(run.status ?? 1);

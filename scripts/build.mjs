// Bundles the extension, the inference worker and the CLI with esbuild, and copies the
// tree-sitter wasm files next to the bundles (runtime code finds them via __dirname).
// usage: node scripts/build.mjs [--production]   (--production: minified, no source maps)
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const production = process.argv.includes('--production');

// onnxruntime-node is a native module: it stays a real dependency, loaded from node_modules.
const bundles = [
  { entry: 'src/extension.ts', out: 'extension.js', external: ['vscode', 'onnxruntime-node'] },
  { entry: 'src/model/worker.ts', out: 'worker.js', external: ['onnxruntime-node'] },
  { entry: 'src/cli/main.ts', out: 'cli.js', external: ['onnxruntime-node'], banner: '#!/usr/bin/env node' },
];

const grammars = [
  ['tree-sitter-typescript', 'tree-sitter-typescript.wasm'],
  ['tree-sitter-typescript', 'tree-sitter-tsx.wasm'],
  ['tree-sitter-javascript', 'tree-sitter-javascript.wasm'],
  ['tree-sitter-python', 'tree-sitter-python.wasm'],
  ['tree-sitter-go', 'tree-sitter-go.wasm'],
  ['tree-sitter-rust', 'tree-sitter-rust.wasm'],
  ['tree-sitter-java', 'tree-sitter-java.wasm'],
  ['tree-sitter-c', 'tree-sitter-c.wasm'],
  ['tree-sitter-cpp', 'tree-sitter-cpp.wasm'],
  ['tree-sitter-json', 'tree-sitter-json.wasm'],
];

// The bundles are CommonJS, where `import.meta.url` is empty; web-tree-sitter's ESM build locates its
// wasm through it. Resolving packages as a `require()` would (their CommonJS builds) avoids that.
const preferRequireCondition = {
  name: 'prefer-require-condition',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async args => {
      if (args.kind !== 'import-statement' && args.kind !== 'dynamic-import') return undefined;
      const resolved = await b.resolve(args.path, {
        kind: 'require-call', resolveDir: args.resolveDir, importer: args.importer,
      });
      return resolved.errors.length ? undefined : resolved;
    });
  },
};

function fail(message) {
  console.error(`build: ${message}`);
  process.exit(1);
}

function copy(from, to) {
  if (!fs.existsSync(from)) fail(`missing ${path.relative(root, from)} (run npm ci)`);
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
}

for (const b of bundles) {
  if (!fs.existsSync(path.join(root, b.entry))) fail(`entry ${b.entry} does not exist`);
}

const started = Date.now();
fs.rmSync(dist, { recursive: true, force: true });

try {
  await Promise.all(bundles.map(b => build({
    entryPoints: [path.join(root, b.entry)],
    outfile: path.join(dist, b.out),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external: b.external,
    banner: b.banner ? { js: b.banner } : undefined,
    sourcemap: !production,
    minify: production,
    plugins: [preferRequireCondition],
    logLevel: 'warning',
  })));
} catch {
  // esbuild has already printed the errors with file and line.
  fail('bundling failed');
}
fs.chmodSync(path.join(dist, 'cli.js'), 0o755);

for (const [pkg, file] of grammars) {
  copy(path.join(root, 'node_modules', pkg, file), path.join(dist, 'grammars', file));
}
copy(path.join(root, 'node_modules', 'web-tree-sitter', 'tree-sitter.wasm'), path.join(dist, 'tree-sitter.wasm'));
// The sampler's summary graph (scripts/topk_graph.py), which model/session.ts loads from next to the bundle.
copy(path.join(root, 'src', 'model', 'topk.onnx'), path.join(dist, 'topk.onnx'));
// The anchor queries travel with the bundle (the packaged extension has no src/).
fs.cpSync(path.join(root, 'src', 'syntax', 'queries'), path.join(dist, 'queries'), { recursive: true });

const size = f => `${(fs.statSync(path.join(dist, f)).size / 1024).toFixed(0)} KiB`;
console.log(`build: ${bundles.map(b => `dist/${b.out} ${size(b.out)}`).join(', ')}; ` +
  `${grammars.length} grammars + tree-sitter.wasm (${production ? 'production' : 'dev'}, ${Date.now() - started} ms)`);

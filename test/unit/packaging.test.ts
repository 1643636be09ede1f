/**
 * The package content check (scripts/check-vsix.mjs) on known entry lists: it lets through what
 * .vscodeignore allows, and catches what no package may hold: tests, training data, checkpoints,
 * source maps, node_modules that are bundled, another platform's binaries, a missing model, and
 * README images the Marketplace refuses. The real package is built and checked by `npm run package`
 * (and installed by `npm run test:vsix`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './helpers/model';

interface CheckVsix {
  TARGETS: Record<string, string>;
  ignoreRulesFor(text: string, target: string): string;
  readIgnoreRules(text: string): { pattern: string; include: boolean }[];
  allowedByRules(rules: { pattern: string; include: boolean }[], file: string): boolean;
  checkEntries(files: string[], rules: { pattern: string; include: boolean }[], target: string): string[];
  checkReadmeImages(readme: string, exists?: (p: string) => boolean): string[];
}

const load = (): Promise<CheckVsix> => import(path.join(ROOT, 'scripts', 'check-vsix.mjs')) as Promise<CheckVsix>;
const ignoreText = fs.readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8');

/** What a good linux-x64 package holds (a representative subset of its 89 files). */
const GOOD = [
  'package.json', 'readme.md', 'changelog.md', 'LICENSE.txt',
  'dist/extension.js', 'dist/worker.js', 'dist/cli.js', 'dist/tree-sitter.wasm', 'dist/topk.onnx',
  'dist/grammars/tree-sitter-typescript.wasm', 'dist/grammars/tree-sitter-python.wasm', 'dist/queries/typescript/anchor.scm',
  'media/icon.png',
  'models/diffuse-code-mini/model.onnx', 'models/diffuse-code-mini/tokenizer.json', 'models/diffuse-code-mini/config.json',
  'models/diffuse-code-mini/MODEL_CARD.md',
  'node_modules/onnxruntime-node/package.json', 'node_modules/onnxruntime-node/dist/index.js',
  'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node',
  'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1',
  'node_modules/onnxruntime-common/package.json', 'node_modules/onnxruntime-common/dist/cjs/index.js',
];

test('a package of exactly what .vscodeignore allows passes', async () => {
  const c = await load();
  const rules = c.readIgnoreRules(c.ignoreRulesFor(ignoreText, 'linux-x64'));
  assert.deepEqual(c.checkEntries(GOOD, rules, 'linux-x64'), []);
});

test('every kind of entry no package may hold is named, each with its reason', async () => {
  const c = await load();
  const rules = c.readIgnoreRules(c.ignoreRulesFor(ignoreText, 'linux-x64'));
  const bad = [
    'test/unit/sampler.test.ts', 'models/training/checkpoint/diffuse-code-mini.pt', 'models/training/data/corpus/train.jsonl',
    'dist/extension.js.map', 'src/core/sampler.ts', 'node_modules/diff/lib/index.js',
    'node_modules/onnxruntime-node/bin/napi-v6/win32/x64/onnxruntime_binding.node',
  ];
  const problems = c.checkEntries([...GOOD, ...bad], rules, 'linux-x64');
  for (const entry of bad) assert.ok(problems.some((p) => p.startsWith(`${entry}:`)), `${entry} is caught: ${problems.join('\n')}`);
  assert.ok(problems.some((p) => /win32\/x64 in a linux-x64 package/.test(p)));
  assert.ok(problems.some((p) => p.startsWith('models/training/checkpoint/diffuse-code-mini.pt: training checkpoints')));
  assert.ok(problems.some((p) => p.startsWith('dist/extension.js.map: source maps')));
});

test('a package without the model or this platform\'s binaries fails', async () => {
  const c = await load();
  const rules = c.readIgnoreRules(c.ignoreRulesFor(ignoreText, 'linux-x64'));
  const problems = c.checkEntries(GOOD.filter((f) => !f.startsWith('models/') && !f.includes('/bin/')), rules, 'linux-x64');
  assert.ok(problems.includes('models/diffuse-code-mini/model.onnx: missing'));
  assert.ok(problems.some((p) => /linux\/x64\/\*\.node: missing/.test(p)), problems.join('\n'));
});

test('another target\'s package is checked against its own binaries', async () => {
  const c = await load();
  const rules = c.readIgnoreRules(c.ignoreRulesFor(ignoreText, 'win32-x64'));
  const win = GOOD.map((f) => f.replace('/linux/x64/', '/win32/x64/').replace('libonnxruntime.so.1', 'onnxruntime.dll'));
  assert.deepEqual(c.checkEntries(win, rules, 'win32-x64'), []);
  assert.ok(c.checkEntries(GOOD, rules, 'win32-x64').some((p) => /linux\/x64 in a win32-x64 package/.test(p)));
  assert.throws(() => c.ignoreRulesFor(ignoreText, 'darwin-x64'), /unknown target/);
});

test('README images follow the Marketplace\'s rules, and the README itself passes', async () => {
  const c = await load();
  const exists = (p: string) => p === 'media/chart.png';
  assert.deepEqual(c.checkReadmeImages('![chart](media/chart.png)\n<img src="https://example.com/a.png">', exists), []);
  const problems = c.checkReadmeImages('![a](media/chart.svg)\n![b](http://x.org/b.png)\n<img src="media/gone.png">\n![c](media/chart.svg?raw=1)', exists);
  assert.equal(problems.length, 4, problems.join('\n'));
  assert.ok(problems[0].includes('SVG is refused'));
  assert.deepEqual(c.checkReadmeImages(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')), []);
});

test('package.json has no "files": .vscodeignore is the one allowed list', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { files?: unknown };
  assert.equal(manifest.files, undefined);
});

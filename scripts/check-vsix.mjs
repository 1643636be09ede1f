// Checks a built .vsix against what the package may hold. The allowed list is `.vscodeignore` (an
// allow-list: `**` first, then `!pattern` lines re-include); this script reads it, so there is one
// place to change. On top of it, NEVER names what no package may hold whatever that file says, and
// REQUIRED what every package must hold. It also checks the README's images against the
// Marketplace's rules (no SVG, no plain http, files that exist).
// usage: node scripts/check-vsix.mjs FILE.vsix [target]      (target defaults to linux-x64)
// Exit 0 when the package is clean; 1 with one line per offending entry otherwise.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
// vsce's own matcher and zip reader (both dependencies of @vscode/vsce), so the patterns mean here
// what they mean to vsce.
const { minimatch } = require('minimatch');
const yauzl = require('yauzl');

/** vsce target -> folder of onnxruntime-node's binaries under bin/napi-v*\/. */
export const TARGETS = {
  'linux-x64': 'linux/x64',
  'linux-arm64': 'linux/arm64',
  'win32-x64': 'win32/x64',
  'win32-arm64': 'win32/arm64',
  'darwin-arm64': 'darwin/arm64',
};

/**
 * `.vscodeignore` as it applies to `target`: the file lists linux-x64's onnxruntime binaries on the
 * line after "# platform:", which is swapped for the target's folder.
 */
export function ignoreRulesFor(text, target) {
  if (!TARGETS[target]) throw new Error(`unknown target "${target}"; one of ${Object.keys(TARGETS).join(', ')}`);
  const lines = text.split('\n');
  const marker = lines.indexOf('# platform:');
  if (marker < 0 || !lines[marker + 1]?.startsWith('!node_modules/onnxruntime-node/bin/')) {
    throw new Error('.vscodeignore lacks the "# platform:" line followed by the binaries line');
  }
  lines[marker + 1] = `!node_modules/onnxruntime-node/bin/napi-v*/${TARGETS[target]}/**`;
  return lines.join('\n');
}

/** Never in a package, whatever `.vscodeignore` says (paths relative to the extension's folder). */
const NEVER = [
  ['test/**', 'tests'],
  ['**/*.test.*', 'tests'],
  ['src/**', 'TypeScript sources (the bundles in dist/ are shipped)'],
  ['**/*.ts', 'TypeScript sources'],
  ['**/*.map', 'source maps (not shipped)'],
  ['models/training/**', 'the training pipeline and its data'],
  ['**/*.pt', 'training checkpoints'],
  ['**/*.jsonl', 'training or evaluation data'],
  ['**/__pycache__/**', 'Python caches'],
  ['out/**', 'compiled tests'],
  ['.vscode-test/**', 'test state'],
  ['**/*.vsix', 'another package'],
  ['.git/**', 'git metadata'],
  ['.ci/**', 'CI scripts'],
  ['scripts/**', 'build scripts'],
  ['node_modules/!(onnxruntime-node|onnxruntime-common)/**', 'a node_modules package that is bundled or not needed at run time'],
];

/** What vsce adds whatever `.vscodeignore` says (it writes the README and changelog lower-case). */
const VSCE_ADDS = ['package.json', 'readme.md', 'changelog.md', 'LICENSE.txt'];

/** What every package must hold (besides the onnxruntime binaries of its target). */
const REQUIRED = [
  ...VSCE_ADDS,
  'dist/extension.js',
  'dist/worker.js',
  'dist/cli.js',
  'dist/tree-sitter.wasm',
  'dist/topk.onnx',
  'dist/grammars/tree-sitter-typescript.wasm',
  'dist/grammars/tree-sitter-python.wasm',
  'models/diffuse-code-mini/model.onnx',
  'models/diffuse-code-mini/tokenizer.json',
  'models/diffuse-code-mini/config.json',
  'node_modules/onnxruntime-node/package.json',
  'node_modules/onnxruntime-common/package.json',
];

/** The `.vscodeignore` rules in order: `{ pattern, include }`, as vsce reads them. */
export function readIgnoreRules(text) {
  return text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((l) => {
    const include = l.startsWith('!');
    let pattern = include ? l.slice(1) : l;
    if (pattern.endsWith('/')) pattern += '**';
    return { pattern, include };
  });
}

/** Whether the rules let `file` into the package: the last rule that matches decides. */
export function allowedByRules(rules, file) {
  let included = true;
  for (const r of rules) if (minimatch(file, r.pattern, { dot: true })) included = r.include;
  return included;
}

/** Problems with the package's entries (paths relative to the extension folder). */
export function checkEntries(files, rules, target) {
  const problems = [];
  const platform = TARGETS[target];
  for (const f of files) {
    if (!allowedByRules(rules, f) && !VSCE_ADDS.includes(f)) {
      problems.push(`${f}: not allowed by .vscodeignore (vsce and this check disagree)`);
    }
    for (const [pattern, why] of NEVER) if (minimatch(f, pattern, { dot: true })) problems.push(`${f}: ${why}`);
    const bin = /^node_modules\/onnxruntime-node\/bin\/napi-v\d+\/([^/]+\/[^/]+)\//.exec(f);
    if (bin && bin[1] !== platform) problems.push(`${f}: onnxruntime binaries for ${bin[1]} in a ${target} package`);
  }
  const have = new Set(files);
  for (const f of REQUIRED) if (!have.has(f)) problems.push(`${f}: missing`);
  if (!files.some((f) => f.startsWith(`node_modules/onnxruntime-node/bin/`) && f.includes(`/${platform}/`) && /\.node$/.test(f))) {
    problems.push(`node_modules/onnxruntime-node/bin/napi-v*/${platform}/*.node: missing (the package could not run the model)`);
  }
  return problems;
}

/** The Marketplace's rules for the images a README shows. */
export function checkReadmeImages(readme, exists = (p) => fs.existsSync(path.join(root, p))) {
  const problems = [];
  const images = [...readme.matchAll(/!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1])
    .concat([...readme.matchAll(/<img\b[^>]*\ssrc=["']([^"']+)["']/gi)].map((m) => m[1]));
  for (const src of images) {
    const bare = src.split(/[?#]/)[0];
    if (/\.svg$/i.test(bare) || /^data:image\/svg/i.test(src)) problems.push(`README.md image ${src}: SVG is refused by the Marketplace; use a PNG`);
    else if (/^http:/i.test(src)) problems.push(`README.md image ${src}: images must be https`);
    else if (/^data:/i.test(src)) problems.push(`README.md image ${src}: data URIs are refused`);
    else if (!/^https:/i.test(src) && !exists(bare)) problems.push(`README.md image ${src}: no such file`);
  }
  return problems;
}

/** The files of a .vsix under `extension/`, with their sizes. */
export function listVsix(file) {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (error, zip) => {
      if (error) return reject(error);
      const entries = [];
      zip.on('entry', (e) => {
        if (!e.fileName.endsWith('/')) entries.push({ name: e.fileName, size: e.uncompressedSize });
        zip.readEntry();
      });
      zip.on('end', () => resolve(entries));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

export async function checkVsix(file, target = 'linux-x64') {
  const rules = readIgnoreRules(ignoreRulesFor(fs.readFileSync(path.join(root, '.vscodeignore'), 'utf8'), target));
  const entries = await listVsix(file);
  const files = entries.filter((e) => e.name.startsWith('extension/')).map((e) => e.name.slice('extension/'.length));
  const problems = checkEntries(files, rules, target);
  problems.push(...checkReadmeImages(fs.readFileSync(path.join(root, 'README.md'), 'utf8')));
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  if (manifest.files) problems.push('package.json has "files": vsce refuses it next to .vscodeignore, which is the one allowed list');
  const unpacked = entries.reduce((s, e) => s + e.size, 0);
  return { problems, files: files.length, bytes: fs.statSync(file).size, unpacked };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [file, target = 'linux-x64'] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node scripts/check-vsix.mjs FILE.vsix [target]');
    process.exit(2);
  }
  try {
    const r = await checkVsix(path.resolve(file), target);
    const mib = (n) => (n / 1024 / 1024).toFixed(1);
    console.log(`check-vsix: ${path.basename(file)}: ${r.files} files, ${mib(r.bytes)} MiB (${mib(r.unpacked)} MiB unpacked)`);
    if (r.problems.length) {
      for (const p of r.problems) console.error(`check-vsix: ${p}`);
      console.error(`check-vsix: ${r.problems.length} problem(s); the package must hold only what .vscodeignore allows`);
      process.exit(1);
    }
  } catch (error) {
    console.error(`check-vsix: ${error.message}`);
    process.exit(2);
  }
}

// Builds test/bench/data/apply-tasks.jsonl.gz: the "Diffuse Apply" benchmark's tasks. Each task is a
// real edit between two released versions of an npm package (a file whose content changed) and a
// lazy edit snippet of the new version, written the way a chat assistant writes one: the changed
// code with `// ... existing code ...` markers standing for the unchanged parts.
//
//   node test/bench/make-apply-tasks.mjs [--seed N] [--max-files N] [--out FILE]
//
// The packages are fetched with `npm pack NAME@VERSION` into node_modules/.cache/apply-bench/ (a
// tool cache ignored by git) on the first run; later runs are offline. Same seed, same file.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { diffLines } from 'diff';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cacheDir = path.join(root, 'node_modules', '.cache', 'apply-bench');

// Packages reserved for evaluation elsewhere (corpus hold-outs): never used here.
const RESERVED = new Set(['@trpc/server', 'mobx', '@reduxjs/toolkit', 'svelte', 'eslint']);

// Nearby releases (one to three patch/minor releases apart) and the files that are the package's
// own source: TypeScript `src/` where it ships one, else its readable (unminified) JavaScript build.
const PAIRS = [
  { name: 'zod', from: '4.5.4', to: '4.6.1', include: /^src\/v4\/(core|classic|mini)\/[^/]+\.ts$/ },
  { name: 'immer', from: '11.1.21', to: '11.2.7', include: /^src\/.+\.ts$/ },
  { name: '@codemirror/language', from: '6.12.2', to: '6.12.3', include: /^dist\/index\.cjs$/ },
  { name: '@codemirror/autocomplete', from: '6.20.2', to: '6.20.4', include: /^dist\/index\.cjs$/ },
  { name: '@tanstack/query-core', from: '5.106.1', to: '5.108.0', include: /^src\/.+\.ts$/ },
  { name: 'ajv', from: '8.18.0', to: '8.20.0', include: /^lib\/.+\.ts$/ },
  { name: 'fp-ts', from: '2.16.9', to: '2.16.11', include: /^es6\/.+\.js$/ },
  { name: 'preact', from: '10.29.6', to: '10.29.8', include: /^(src|compat\/src|hooks\/src|devtools\/src)\/.+\.js$/ },
  { name: 'yjs', from: '13.6.30', to: '13.6.32', include: /^src\/.+\.js$/ },
  { name: 'express', from: '5.1.0', to: '5.2.1', include: /^lib\/.+\.js$/ },
  { name: 'koa', from: '3.1.1', to: '3.2.0', include: /^lib\/.+\.js$/ },
  { name: 'prosemirror-model', from: '1.25.11', to: '1.25.13', include: /^src\/.+\.ts$/ },
  { name: 'prosemirror-view', from: '1.42.8', to: '1.43.0', include: /^src\/.+\.ts$/ },
  { name: 'prosemirror-state', from: '1.4.2', to: '1.4.4', include: /^src\/.+\.ts$/ },
  { name: 'prosemirror-transform', from: '1.12.5', to: '1.12.7', include: /^src\/.+\.ts$/ },
  { name: 'commander', from: '14.0.1', to: '14.0.3', include: /^lib\/.+\.js$/ },
  { name: 'yargs', from: '18.1.0', to: '18.2.0', include: /^build\/lib\/.+\.js$/ },
  { name: 'rxjs', from: '7.8.0', to: '7.8.2', include: /^src\/internal\/.+\.ts$/ },
  { name: 'hono', from: '4.13.18', to: '4.13.20', include: /^dist\/(?!cjs\/|types\/).+\.js$/ },
  { name: 'kysely', from: '0.29.7', to: '0.29.9', include: /^dist\/.+\.js$/ },
  { name: 'neverthrow', from: '8.1.1', to: '8.2.0', include: /^dist\/index\.es\.js$/ },
];

const STYLES = ['context1', 'context3', 'function', 'outline'];
const MARKERS = [
  '// ... existing code ...',
  '// ...',
  '// ... rest of the code ...',
  '// (unchanged)',
  '/* ... existing code here ... */',
  '// ... keep existing code',
];

function parseArgs(argv) {
  const a = { seed: 1, maxFiles: 8, out: path.join(root, 'test', 'bench', 'data', 'apply-tasks.jsonl.gz') };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[++i];
    if (argv[i - 1] === '--seed') a.seed = Number(v);
    else if (argv[i - 1] === '--max-files') a.maxFiles = Number(v);
    else if (argv[i - 1] === '--out') a.out = path.resolve(v);
    else throw new Error(`unknown option ${argv[i - 1]}; usage: make-apply-tasks.mjs [--seed N] [--max-files N] [--out FILE]`);
  }
  return a;
}

// ---- deterministic randomness --------------------------------------------------------------------

function hash32(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function mulberry32(seed) {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- fetching ------------------------------------------------------------------------------------

function packageDir(name, version) {
  const base = `${name.replace(/^@/, '').replace('/', '-')}-${version}`;
  const dir = path.join(cacheDir, 'x', base);
  if (!fs.existsSync(path.join(dir, 'package'))) {
    const tgzDir = path.join(cacheDir, 'tgz');
    fs.mkdirSync(tgzDir, { recursive: true });
    const tgz = path.join(tgzDir, `${base}.tgz`);
    if (!fs.existsSync(tgz)) {
      process.stderr.write(`npm pack ${name}@${version}\n`);
      execFileSync('npm', ['pack', `${name}@${version}`, '--silent', '--pack-destination', tgzDir], { cwd: cacheDir, stdio: ['ignore', 'ignore', 'inherit'] });
    }
    fs.mkdirSync(dir, { recursive: true });
    execFileSync('tar', ['xzf', tgz, '-C', dir]);
  }
  return path.join(dir, 'package');
}

function walk(dir, rel = '') {
  return fs.readdirSync(path.join(dir, rel), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(dir, path.posix.join(rel, e.name)) : e.isFile() ? [path.posix.join(rel, e.name)] : []));
}

// ---- file and edit filters -----------------------------------------------------------------------

const TEST_PATH = /(^|\/)(__tests__|__mocks__|tests?)\/|\.(test|spec)\.[cm]?[jt]sx?$/;
const SOURCE_EXT = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;

function splitLines(text) {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Why a file is not usable (minified, bundled, too small or large), or undefined. */
function unusable(text) {
  const lines = splitLines(text);
  if (lines.length < 30) return 'under 30 lines';
  if (lines.length > 3000) return 'over 3000 lines';
  if (lines.some((l) => l.length > 300)) return 'a line over 300 chars';
  if (text.length / lines.length > 120) return 'average line over 120 chars';
  return undefined;
}

/**
 * The line diff as change groups, in 0-based line numbers of the new file: `added` lines from
 * `start` (the changed region), or a pure deletion just before new line `start`.
 */
function changeGroups(oldText, newText) {
  const term = (t) => (t === '' || t.endsWith('\n') ? t : `${t}\n`);
  const groups = [];
  let n = 0;
  let cur;
  for (const p of diffLines(term(oldText), term(newText))) {
    if (!p.added && !p.removed) {
      if (cur) groups.push(cur);
      cur = undefined;
      n += p.count;
      continue;
    }
    cur ??= { start: n, added: 0, removed: 0 };
    if (p.added) {
      cur.added += p.count;
      n += p.count;
    } else cur.removed += p.count;
  }
  if (cur) groups.push(cur);
  return groups;
}

/** New-file lines a change touches: its added lines, or the two lines around a deletion. */
function touched(g, N) {
  const ls = g.added > 0 ? Array.from({ length: g.added }, (_, i) => g.start + i) : [g.start - 1, g.start];
  return ls.filter((l) => l >= 0 && l < N);
}

function contextRange(g, c, N) {
  const r = g.added > 0 ? [g.start - c, g.start + g.added - 1 + c] : [g.start - c, g.start - 1 + c];
  return [Math.max(0, r[0]), Math.min(N - 1, r[1])];
}

/** Sorted, with overlapping or adjacent ranges joined (adjacent lines make one piece). */
function mergeRanges(ranges) {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push([...r]);
  }
  return out;
}

// ---- blocks by indentation -----------------------------------------------------------------------

const isBlank = (l) => l.trim() === '';
const indentOf = (l) => l.length - l.trimStart().length;
const CLOSING = /^[)\]}>]/;
// A closing line that opens the next part of the same statement: `} else {`, `> extends Base {`.
const REOPENS = /([{([]|=>)\s*$/;
const COMMENT_OR_DECORATOR = /^(\/\/|\/\*|\*|@)/;
// Declarations (`function`, `export`, `class`, `const`, ...) and the other top-level statements of
// script-style code (`defineGetter(req, 'x', function () {`, `Foo.prototype.bar = ...`).
const isStatement = (t) => !CLOSING.test(t) && !COMMENT_OR_DECORATOR.test(t);
const CLASS_DECL = /^(export\s+)?(default\s+)?(declare\s+)?(abstract\s+)?class\b/;

/**
 * Blocks whose first line is at indentation `base` inside lines lo..hi: from the start line (with
 * the comments and decorators right above it) to the line where the indentation comes back to
 * `base` with a closing `}`/`)`/`]` line, inclusive; a one-line statement is its own block.
 */
function findBlocks(lines, lo, hi, base, isStart) {
  const blocks = [];
  let i = lo;
  while (i <= hi) {
    const t = lines[i];
    if (isBlank(t) || indentOf(t) !== base || !isStart(t.trim())) {
      i++;
      continue;
    }
    let end = i;
    for (let k = i + 1; k <= hi; k++) {
      const u = lines[k];
      if (isBlank(u)) continue;
      if (indentOf(u) > base) {
        end = k;
        continue;
      }
      if (indentOf(u) === base && CLOSING.test(u.trim())) {
        end = k;
        if (REOPENS.test(u.trim())) continue;
      }
      break;
    }
    let s = i;
    while (s - 1 >= lo && !isBlank(lines[s - 1]) && indentOf(lines[s - 1]) >= base && COMMENT_OR_DECORATOR.test(lines[s - 1].trim())) s--;
    blocks.push({ start: s, decl: i, end });
    i = end + 1;
  }
  return blocks;
}

function topBlocks(lines) {
  return findBlocks(lines, 0, lines.length - 1, 0, isStatement).map((b) => {
    if (!CLASS_DECL.test(lines[b.decl].trim()) || !CLOSING.test(lines[b.end].trim())) return b;
    let open = b.decl;
    while (open < b.end && !lines[open].trimEnd().endsWith('{')) open++;
    const first = lines.slice(open + 1, b.end).find((l) => !isBlank(l));
    if (open >= b.end || first === undefined || indentOf(first) === 0) return b;
    const memberIndent = indentOf(first);
    const members = findBlocks(lines, open + 1, b.end - 1, memberIndent, isStatement);
    return { ...b, cls: { open, members } };
  });
}

const within = (l, b) => l >= b.start && l <= b.end;

// ---- snippet styles ------------------------------------------------------------------------------

/** New-file line ranges (0-based, inclusive) that a snippet of `style` shows. */
function styleRanges(style, groups, lines, blocks) {
  const N = lines.length;
  if (style === 'context1' || style === 'context3') return mergeRanges(groups.map((g) => contextRange(g, style === 'context1' ? 1 : 3, N)));
  const ranges = [];
  const around = (l) => ranges.push([Math.max(0, l - 3), Math.min(N - 1, l + 3)]);
  for (const g of groups) {
    const ls = touched(g, N);
    const inBlock = ls.some((l) => blocks.some((x) => within(l, x)));
    for (const l of ls) {
      const b = blocks.find((x) => within(l, x));
      // A blank line between blocks next to a change in a block adds nothing to show; but the two
      // lines around a deletion are both shown, or a marker would stand where code was deleted and
      // say it is kept.
      if (!b && inBlock && isBlank(lines[l]) && g.added > 0) continue;
      if (!b) around(l);
      else if (style === 'outline' && b.cls && l > b.cls.open && l < b.end) {
        ranges.push([b.decl, b.cls.open], [b.end, b.end]);
        const m = b.cls.members.find((x) => within(l, x));
        if (m) ranges.push([m.start, m.end]);
        else around(l);
      } else ranges.push([b.start, b.end]);
    }
  }
  return mergeRanges(ranges);
}

/** Marks the new file's lines that the edit added (or changed): the others are also in the old file. */
function addedLines(groups, N) {
  const added = new Uint8Array(N);
  for (const g of groups) added.fill(1, g.start, g.start + g.added);
  return added;
}

const meaningful = (l) => !isBlank(l) && !/^[\s{}()[\];,]*$/.test(l);

/**
 * A block of new lines only (a function the edit adds, say) could sit anywhere between the pieces
 * around it: it is widened to the nearest unchanged line that occurs once in the old file (up to 15
 * lines up, then down), else to the nearest unchanged line of code.
 */
function anchorRanges(ranges, lines, added, oldText) {
  const counts = new Map();
  for (const l of splitLines(oldText)) counts.set(l.trim(), (counts.get(l.trim()) ?? 0) + 1);
  const N = lines.length;
  const kept = (i) => !added[i] && meaningful(lines[i]);
  return mergeRanges(ranges.map(([a, b]) => {
    for (let i = a; i <= b; i++) if (kept(i)) return [a, b];
    for (const ok of [(i) => kept(i) && counts.get(lines[i].trim()) === 1, kept]) {
      for (let i = a - 1; i >= Math.max(0, a - 15); i--) if (ok(i)) return [i, b];
      for (let i = b + 1; i <= Math.min(N - 1, b + 15); i++) if (ok(i)) return [a, i];
    }
    return [a, b];
  }));
}

// Comment lines a reader takes for markers (as the baseline aligner does): never inside a piece.
const MARKER_LIKE = /^\s*(\/\/|\/\*).*(\.\.\.|…|existing code|unchanged)/i;

function render(lines, ranges, marker, edges) {
  const N = lines.length;
  // A JSDoc line (` * text`) sits one space right of its comment's indentation.
  const lead = (l) => l.slice(0, Math.max(0, indentOf(l) - (/^\*/.test(l.trim()) ? 1 : 0)));
  const firstCode = (r) => lines.slice(r[0], r[1] + 1).find((l) => !isBlank(l)) ?? '';
  const lastCode = (r) => lines.slice(r[0], r[1] + 1).reverse().find((l) => !isBlank(l)) ?? '';
  const out = [];
  let start = false;
  let end = false;
  ranges.forEach((r, i) => {
    if (i === 0 && r[0] > 0 && edges.start) {
      out.push(lead(firstCode(r)) + marker);
      start = true;
    }
    if (i > 0) {
      // Like the line that follows, unless that closes a block: then like the code it closes.
      const next = firstCode(r);
      const prev = lastCode(ranges[i - 1]);
      out.push((CLOSING.test(next.trim()) && indentOf(prev) > indentOf(next) ? lead(prev) : lead(next)) + marker);
    }
    out.push(...lines.slice(r[0], r[1] + 1));
  });
  const last = ranges[ranges.length - 1];
  if (last[1] < N - 1 && edges.end) {
    out.push(lead(lastCode(last)) + marker);
    end = true;
  }
  return { snippet: `${out.join('\n')}\n`, edge: start && end ? 'both' : start ? 'start' : end ? 'end' : 'none' };
}

/** Why a snippet would not let a careful reader rebuild the new file, or undefined. */
function invalid(lines, ranges, newText, snippet, added) {
  if (snippet === newText || snippet === `${newText}\n`) return 'snippet is the new file';
  // Only the file's start or end places a piece of new lines alone.
  const anchored = ([a, b]) => a === 0 || b === lines.length - 1 || Array.from({ length: b - a + 1 }, (_, i) => a + i).some((i) => !added[i]);
  if (!ranges.every(anchored)) return 'a piece of new lines only';
  const pieces = ranges.map((r) => lines.slice(r[0], r[1] + 1).join('\n'));
  if (pieces.some((p) => p.trim() === '')) return 'a blank piece';
  if (new Set(pieces).size !== pieces.length) return 'two identical pieces';
  if (pieces.some((p) => p.split('\n').some((l) => MARKER_LIKE.test(l)))) return 'code that reads as a marker';
  return undefined;
}

// ---- main ----------------------------------------------------------------------------------------

function main() {
  const a = parseArgs(process.argv.slice(2));
  fs.mkdirSync(cacheDir, { recursive: true });
  const tasks = [];
  const dropped = {};
  const drop = (why) => (dropped[why] = (dropped[why] ?? 0) + 1);
  const used = [];
  for (const pair of PAIRS) {
    if (RESERVED.has(pair.name)) throw new Error(`${pair.name} is reserved for evaluation`);
    const oldDir = packageDir(pair.name, pair.from);
    const newDir = packageDir(pair.name, pair.to);
    const oldFiles = new Set(walk(oldDir));
    const candidates = [];
    for (const rel of walk(newDir).sort()) {
      if (!oldFiles.has(rel) || !pair.include.test(rel) || !SOURCE_EXT.test(rel) || TEST_PATH.test(rel)) continue;
      if (/\.d\.[cm]?ts$/.test(rel) && !pair.dts) continue;
      const oldText = fs.readFileSync(path.join(oldDir, rel), 'utf8').replace(/\r\n?/g, '\n');
      const newText = fs.readFileSync(path.join(newDir, rel), 'utf8').replace(/\r\n?/g, '\n');
      if (oldText === newText) continue;
      const why = unusable(oldText) ?? unusable(newText);
      if (why) {
        drop(`file: ${why}`);
        continue;
      }
      const groups = changeGroups(oldText, newText);
      const oldN = splitLines(oldText).length;
      const newLines = splitLines(newText);
      const hunks = mergeRanges(groups.map((g) => contextRange(g, 3, newLines.length))).length;
      const changed = groups.reduce((s, g) => s + g.added + g.removed, 0);
      if (hunks < 1 || hunks > 8) {
        drop(hunks < 1 ? 'edit: final newline only' : 'edit: over 8 hunks');
        continue;
      }
      if (changed / (oldN + newLines.length) > 0.4) {
        drop('edit: over 40% of lines changed');
        continue;
      }
      candidates.push({ rel, oldText, newText, newLines, groups });
    }
    // A seeded choice of at most maxFiles files per package keeps the set varied and small.
    const rng = mulberry32(hash32(`${a.seed}:${pair.name}`));
    const chosen = candidates.map((c) => ({ c, k: rng() })).sort((x, y) => x.k - y.k).slice(0, a.maxFiles).map((x) => x.c)
      .sort((x, y) => (x.rel < y.rel ? -1 : 1));
    let count = 0;
    for (const { rel, oldText, newText, newLines, groups } of chosen) {
      const blocks = topBlocks(newLines);
      const added = addedLines(groups, newLines.length);
      const language = /\.[cm]?tsx?$/.test(rel) ? 'typescript' : 'javascript';
      for (const style of STYLES) {
        const id = `${pair.name}@${pair.from}..${pair.to}:${rel}:${style}`;
        const r = mulberry32(hash32(`${a.seed}:${id}`));
        const marker = MARKERS[Math.floor(r() * MARKERS.length)];
        const e = r();
        const edges = { start: e < 0.7 || e >= 0.8 && e < 0.9, end: e < 0.8 };
        const fence = r() < 0.1;
        const withPath = r() < 0.5;
        const shown = styleRanges(style, groups, newLines, blocks);
        const ranges = style === 'function' || style === 'outline' ? anchorRanges(shown, newLines, added, oldText) : shown;
        const { snippet, edge } = render(newLines, ranges, marker, edges);
        const why = invalid(newLines, ranges, newText, snippet, added);
        if (why) {
          drop(`task: ${why}`);
          continue;
        }
        const tag = language === 'typescript' ? 'ts' : 'js';
        const text = fence ? `\`\`\`${withPath ? `${tag} ${rel}` : tag}\n${snippet}\`\`\`\n` : snippet;
        tasks.push({ id, package: pair.name, from: pair.from, to: pair.to, path: rel, language, style, marker, edge_markers: edge, fenced: fence, old: oldText, new: newText, snippet: text });
        count++;
      }
    }
    used.push({ ...pair, files: chosen.length, candidates: candidates.length, tasks: count });
  }
  const body = tasks.map((t) => JSON.stringify(t)).join('\n') + '\n';
  const gz = zlib.gzipSync(Buffer.from(body), { level: 9 });
  fs.mkdirSync(path.dirname(a.out), { recursive: true });
  fs.writeFileSync(a.out, gz);

  const byStyle = Object.fromEntries(STYLES.map((s) => [s, tasks.filter((t) => t.style === s).length]));
  console.log(`${tasks.length} tasks from ${used.filter((u) => u.tasks).length} packages -> ${path.relative(root, a.out)} (${(gz.length / 1e6).toFixed(2)} MB, ${(body.length / 1e6).toFixed(1)} MB unpacked)`);
  console.log(`per style: ${Object.entries(byStyle).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`fenced ${tasks.filter((t) => t.fenced).length}; edge markers ${['both', 'start', 'end', 'none'].map((k) => `${k} ${tasks.filter((t) => t.edge_markers === k).length}`).join(', ')}`);
  console.log('per package:');
  for (const u of used) console.log(`  ${`${u.name}@${u.from}..${u.to}`.padEnd(44)} ${String(u.files).padStart(2)} of ${String(u.candidates).padStart(3)} files  ${String(u.tasks).padStart(3)} tasks`);
  console.log(`dropped: ${Object.entries(dropped).map(([k, v]) => `${k} ${v}`).join('; ')}`);
}

main();

/**
 * The repair benchmark: blocks of 8 to 16 lines from files of packages reserved for evaluation (never
 * trained on), each with one seeded slip, go through `runRepair` (score every token with itself
 * hidden, re-mask the improbable, rank near alternatives); a repair counts when the exact original
 * comes back. Clean blocks measure how often repair changes correct code. Each block's workspace is
 * its package: the other reserved files of that package, as the editor's name index would see them.
 */
import { NameIndex, familyOfLanguage, type NameLookup } from '../../../src/core/names';
import type { SamplerOptions } from '../../../src/core/types';
import { runRepair, type RepairScorer } from '../../../src/engine/repair';
import { codeOffsets, corrupt, inTripleQuotes, KINDS, type CorruptionKind } from './corrupt';
import type { Doc } from './holdout';
import type { Engine } from './inproc';
import { exactMatch, mean, seeded, spread } from './stats';

export interface RepairBlock {
  readonly id: string;
  readonly lang: string;
  /** The package the file belongs to (its path up to the first `/`). */
  readonly pkg: string;
  readonly path: string;
  readonly docText: string;
  readonly start: number;
  readonly end: number;
  readonly original: string;
  readonly lines: number;
}

export interface RepairKindResult {
  readonly kind: CorruptionKind | 'clean';
  readonly blocks: number;
  /** Exact original restored (for clean blocks: left unchanged). */
  readonly repaired: number;
  /** Original restored up to whitespace. */
  readonly repairedWs: number;
  /** Any change made (for clean blocks this is the false-change rate). */
  readonly changed: number;
  readonly msMedian: number;
  readonly nfeMedian: number;
}

/** The package of a reserved file: `npm:eslint@9.39.1/lib/...` belongs to `npm:eslint@9.39.1`. */
export function packageOf(p: string): string {
  const i = p.indexOf('/');
  return i < 0 ? p : p.slice(0, i);
}

/**
 * `n` blocks of 8 to 16 whole lines, starting at the first line's first non-blank character and
 * ending before a line break, with at least 3 lines of the file before and after, no line over 120
 * characters, at least 6 lines with code, none beginning inside a docstring, and no two
 * overlapping. They rotate over the languages. Fewer than `n` when the files run out, never fewer
 * than `atLeast`.
 */
export function cutRepairBlocks(docs: readonly Doc[], n: number, seed: number, atLeast = n): RepairBlock[] {
  const rand = seeded(seed * 7919 + 16);
  const langs = [...new Set(docs.map((d) => d.lang))].sort();
  const byLang = new Map(langs.map((l) => [l, docs.filter((d) => d.lang === l)]));
  const taken = new Map<string, Array<[number, number]>>();
  const blocks: RepairBlock[] = [];
  for (let attempt = 0; blocks.length < n && attempt < n * 400; attempt++) {
    const pool = byLang.get(langs[blocks.length % langs.length])!;
    const doc = pool[Math.floor(rand() * pool.length)];
    const lines = doc.text.split('\n');
    const size = 8 + Math.floor(rand() * 9);
    if (lines.length < size + 6) continue;
    const i = 3 + Math.floor(rand() * (lines.length - size - 6));
    const j = i + size - 1;
    const body = lines.slice(i, j + 1);
    if (!body[0].trim() || body.some((l) => l.length > 120) || body.filter((l) => /[A-Za-z0-9]/.test(l) && !/^\s*(\/\/|#|\*|\/\*)/.test(l)).length < 6) continue;
    const lineStart = lines.slice(0, i).reduce((s, l) => s + l.length + 1, 0);
    // A block must not begin inside a docstring: its slips would fall in prose.
    if (inTripleQuotes(doc.text, lineStart)) continue;
    const spans = taken.get(doc.path) ?? [];
    if (spans.some(([a, b]) => a <= j && i <= b)) continue;
    spans.push([i, j]);
    taken.set(doc.path, spans);
    const start = lineStart + (body[0].length - body[0].trimStart().length);
    const end = lineStart + body.join('\n').length;
    blocks.push({ id: `${doc.path}:${i + 1}`, lang: doc.lang, pkg: packageOf(doc.path), path: doc.path, docText: doc.text, start, end, original: doc.text.slice(start, end), lines: size });
  }
  if (blocks.length < atLeast) throw new Error(`Only ${blocks.length} of ${atLeast} repair blocks of 8-16 lines could be cut`);
  return blocks;
}

/** Per package, an index of its files: the workspace a block's repair sees (its own file left out). */
export function packageNames(docs: readonly Doc[]): (b: RepairBlock) => NameLookup {
  const byPkg = new Map<string, NameIndex>();
  for (const d of docs) {
    const pkg = packageOf(d.path);
    const index = byPkg.get(pkg) ?? new NameIndex();
    index.set(d.path, d.text, familyOfLanguage(d.lang));
    byPkg.set(pkg, index);
  }
  return (b) => (byPkg.get(b.pkg) ?? new NameIndex()).except(b.path);
}

export interface RepairBenchOptions {
  /** The workspace's names for a block; without it a repair knows only its own file's names. */
  readonly names?: (b: RepairBlock) => NameLookup;
  /** Nats by which a change must beat the original (default: the engine's). */
  readonly margin?: number;
  /** The kinds to run (default all, and clean blocks). */
  readonly kinds?: readonly string[];
}

/**
 * The margin the first ranking of each block saw: per site, the best candidate's gain over the
 * original, and whether that candidate restores the original text. Logged to choose the margin.
 */
interface Ranked { gain: number; restores: boolean }

async function repairOnce(e: Engine, h: RepairBlock, block: string, sampler: SamplerOptions, o: RepairBenchOptions) {
  const docText = h.docText.slice(0, h.start) + block + h.docText.slice(h.end);
  const truth = h.docText;
  let first: Ranked[] | undefined;
  const scorer: RepairScorer = {
    score: e.scorer.score,
    rank: async (sites) => {
      const r = await e.scorer.rank(sites);
      first ??= sites.flatMap((s, i) => {
        const sc = r.scores[i];
        if (sc.length < 2) return [];
        let best = 1;
        for (let j = 2; j < sc.length; j++) if (sc[j] > sc[best]) best = j;
        return [{ gain: sc[best] - sc[0], restores: s.prefix + s.candidates[best] + s.suffix === truth }];
      });
      return r;
    },
  };
  const r = await runRepair(e.backend, scorer, { docText, range: { start: h.start, end: h.start + block.length }, languageId: h.lang, sampler, names: o.names?.(h), margin: o.margin });
  return { ...r, ranked: first ?? [] };
}

export async function runRepairBench(e: Engine, blocks: readonly RepairBlock[], perKind: number, sampler: SamplerOptions, seed: number, log: (s: string) => void, o: RepairBenchOptions = {}): Promise<RepairKindResult[]> {
  const rand = seeded(seed);
  const results: RepairKindResult[] = [];
  for (const kind of [...KINDS, 'clean'] as const) {
    if (o.kinds && !o.kinds.includes(kind)) continue;
    const rows: Array<{ ok: boolean; okWs: boolean; changed: boolean; ms: number; nfe: number }> = [];
    for (const h of blocks) {
      if (rows.length >= perKind) break;
      const bad = kind === 'clean' ? h.original : corrupt(h.original, kind, rand, codeOffsets(h.docText, h.lang, h.start, h.end));
      if (bad === undefined || bad === h.original && kind !== 'clean') continue;
      const r = await repairOnce(e, h, bad, sampler, o);
      rows.push({ ok: r.newText === h.original, okWs: exactMatch(r.newText, h.original), changed: r.changed, ms: r.ms, nfe: r.nfe });
      const what = r.newText === h.original ? (kind === 'clean' ? 'untouched' : 'restored') : r.changed ? 'changed, not restored' : 'unchanged';
      const gains = r.ranked.map((x) => `${x.gain.toFixed(2)}${x.restores ? '+' : ''}`).join(' ');
      log(`repair: ${kind} ${h.id}: ${what} (${Math.round(r.ms)} ms, ${r.nfe} calls) gains [${gains}]${r.newText !== h.original ? ` ${changeOf(h.original, bad, r.newText)}` : ''}`);
    }
    results.push({
      kind,
      blocks: rows.length,
      repaired: mean(rows.map((r) => (r.ok ? 1 : 0))),
      repairedWs: mean(rows.map((r) => (r.okWs ? 1 : 0))),
      changed: mean(rows.map((r) => (r.changed ? 1 : 0))),
      msMedian: spread(rows.map((r) => r.ms)).median,
      nfeMedian: spread(rows.map((r) => r.nfe)).median,
    });
    log(`repair: ${kind} done (${rows.length} blocks)`);
  }
  return results;
}

/** The first differing line of the original, the slip and the repair, for the log. */
function changeOf(original: string, bad: string, fixed: string): string {
  const o = original.split('\n');
  const b = bad.split('\n');
  const f = fixed.split('\n');
  // The line the repair changed, else the line of the slip.
  let k = f.findIndex((l, i) => l !== b[i]);
  if (k < 0) k = b.findIndex((l, i) => l !== o[i]);
  const at = Math.max(0, k);
  const line = (xs: string[]) => JSON.stringify((xs[at] ?? '').trim());
  return `[line ${at + 1}: wrote ${line(f)} for ${line(b)}; original ${line(o)}]`;
}

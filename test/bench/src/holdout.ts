/**
 * Held-out code and the holes cut from it. The model never trained on these files: the corpus
 * split's val.jsonl when it has been built, else the small committed set in test/bench/data/
 * (files of packages reserved for evaluation, never in the corpus).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { grammarFor } from '../../../src/syntax';
import { seeded } from './stats';

export interface Doc {
  readonly path: string;
  readonly lang: string;
  readonly text: string;
}

export interface Hole {
  readonly id: string;
  readonly lang: string;
  readonly docText: string;
  readonly start: number;
  readonly end: number;
  readonly original: string;
  readonly tokens: number;
}

export function loadHeldOut(root: string): { docs: Doc[]; source: string } {
  const candidates = [
    path.join(root, 'models', 'training', 'data', 'corpus', 'val.jsonl'),
    path.join(root, 'test', 'bench', 'data', 'holdout.jsonl'),
  ];
  const file = candidates.find((f) => fs.existsSync(f));
  if (!file) throw new Error(`No held-out code: build the corpus split (/usr/bin/python3 models/training/corpus.py) or restore test/bench/data/holdout.jsonl`);
  const docs = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Doc)
    .filter((d) => grammarFor(d.lang) !== undefined && d.text.length > 0);
  return { docs, source: path.relative(root, file) };
}

/** Offsets at which the text's lines start. */
export function lineStarts(text: string): number[] {
  const out = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') out.push(i + 1);
  return out;
}

/**
 * `n` holes of about `target` tokens: whole lines, starting at the first line's first non-blank
 * character (the edit pipeline's syntax-anchor convention) and ending before a line break. The
 * holes rotate over the languages so every size sees each of them; the seed fixes the cut.
 */
export function cutHoles(docs: readonly Doc[], count: (t: string) => number, target: number, n: number, seed: number): Hole[] {
  const rand = seeded(seed * 7919 + target);
  const langs = [...new Set(docs.map((d) => d.lang))].sort();
  const byLang = new Map(langs.map((l) => [l, docs.filter((d) => d.lang === l)]));
  const holes: Hole[] = [];
  const used = new Set<string>();
  for (let attempt = 0; holes.length < n && attempt < n * 400; attempt++) {
    const pool = byLang.get(langs[holes.length % langs.length])!;
    const doc = pool[Math.floor(rand() * pool.length)];
    const starts = lineStarts(doc.text);
    if (starts.length < 8) continue;
    // Leave a few lines of context before the hole.
    const first = 3 + Math.floor(rand() * Math.max(1, starts.length - 6));
    let start = starts[first];
    while (start < doc.text.length && (doc.text[start] === ' ' || doc.text[start] === '\t')) start++;
    if (start >= doc.text.length || doc.text[start] === '\n' || used.has(`${doc.path}:${first}`)) continue;
    const hole = growToTarget(doc.text, starts, first, start, count, target);
    if (!hole) continue;
    used.add(`${doc.path}:${first}`);
    holes.push({ id: `${doc.path}:${first + 1}`, lang: doc.lang, docText: doc.text, start, end: hole.end, original: doc.text.slice(start, hole.end), tokens: hole.tokens });
  }
  if (holes.length < n) throw new Error(`Only ${holes.length} of ${n} held-out holes of ~${target} tokens could be cut`);
  return holes;
}

function growToTarget(text: string, starts: readonly number[], first: number, start: number, count: (t: string) => number, target: number): { end: number; tokens: number } | undefined {
  for (let j = first; j < starts.length - 1; j++) {
    const end = starts[j + 1] - 1;
    const body = text.slice(start, end);
    if (j === first && body.trim().length === 0) return undefined;
    const tokens = count(body);
    if (tokens >= target * 0.85) {
      // The suffix must keep some code after the hole, and the hole must not overshoot much.
      return tokens <= target * 1.2 && starts.length - j > 3 ? { end, tokens } : undefined;
    }
  }
  return undefined;
}

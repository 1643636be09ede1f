/**
 * Seeded generators for the property tests: documents with mixed line endings, tabs and unicode
 * (surrogate pairs included), selections on character boundaries, and fills derived from the
 * selected text by the kinds of change a model makes (lines rewritten, dropped, added, endings
 * changed). The same seed always gives the same case, so a failure names a case to replay.
 */
import { Rng } from '../../../src/core/rng';
import type { OffsetRange } from '../../../src/core/types';

export class Gen {
  private readonly rng: Rng;

  constructor(readonly seed: number) {
    this.rng = new Rng(seed);
  }

  next(): number {
    return this.rng.next();
  }

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.rng.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.rng.next() < p;
  }

  /** A Fisher-Yates shuffle of a copy. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }
}

/** Pieces of a line: code, whitespace, tabs, accents, CJK, emoji and astral math letters (pairs). */
const PIECES = ['const', ' ', '  ', '\t', 'x', 'y1', '=', ';', '(', ')', '{', '}', '"', "'", '//', 'é', 'ü', '中文',
  '😀', '👍🏽', '𝒳', '🇫🇷', 'return', '.', ',', '0', '42', '\u00a0', 'ß'];
const EOLS = ['\n', '\r\n', '\r'] as const;

export function line(g: Gen): string {
  let s = '';
  const n = g.int(0, 8);
  for (let i = 0; i < n; i++) s += g.pick(PIECES);
  return s;
}

/** A document of 0..`maxLines` lines with random endings, maybe without a final one. */
export function document(g: Gen, maxLines = 12): string {
  const n = g.int(0, maxLines);
  let s = '';
  for (let i = 0; i < n; i++) s += line(g) + (i < n - 1 || g.chance(0.7) ? g.pick(EOLS) : '');
  return s;
}

/** True when `offset` falls between the two halves of a surrogate pair of `text`. */
export function splitsPair(text: string, offset: number): boolean {
  if (offset <= 0 || offset >= text.length) return false;
  const before = text.charCodeAt(offset - 1);
  const after = text.charCodeAt(offset);
  return before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff;
}

/** An offset on a character boundary (as an editor selection is), in [lo, hi]. */
export function boundary(g: Gen, text: string, lo = 0, hi = text.length): number {
  let at = g.int(lo, hi);
  if (splitsPair(text, at)) at += g.chance(0.5) ? 1 : -1;
  return at;
}

export function selection(g: Gen, text: string): OffsetRange {
  const a = boundary(g, text);
  const b = boundary(g, text);
  return { start: Math.min(a, b), end: Math.max(a, b) };
}

/** A fill for `original`: some lines kept, some rewritten, dropped or added, endings changed. */
export function fill(g: Gen, original: string): string {
  if (g.chance(0.05)) return original;
  if (g.chance(0.05)) return '';
  const lines = original.split(/(?<=\r\n|\n|\r(?!\n))/);
  const out: string[] = [];
  for (const l of lines) {
    const r = g.next();
    if (r < 0.5) out.push(l);
    else if (r < 0.65) continue;
    else if (r < 0.8) out.push(line(g) + g.pick(EOLS));
    else if (r < 0.9) out.push(l.replace(/\r\n|\n|\r$/, '') + g.pick(EOLS));
    else out.push(l, line(g) + g.pick(EOLS));
  }
  if (g.chance(0.3)) out.push(line(g));
  return out.join('');
}

/**
 * Splitting a region into chunks that each fit the model's canvas. Chunks are contiguous, cover the
 * region exactly and meet at syntax boundaries where the tree allows: between the children of the
 * smallest node holding the region (preferring children that start their own line), inside an
 * oversized child by the same rule, then at line breaks, and only for a single overlong line at
 * an arbitrary character (never inside a surrogate pair; a single character over budget, which
 * only a strange `measure` allows, goes out alone).
 */
import type { OffsetRange } from './types';
import type { SyntaxNode } from './syntaxTree';
import { pathTo } from './syntaxTree';
import { trimRange } from './anchor';
import { lineStartAt } from './indent';

export interface ChunkBudget {
  /** Largest allowed `measure(chunk)`. */
  readonly maxSize: number;
  /** Size of a piece of text: characters by default; the engine passes its tokenizer's count. */
  readonly measure?: (text: string) => number;
}

export const measureChars = (text: string): number => text.length;

export const measureLines = (text: string): number => {
  if (text === '') return 0;
  const breaks = text.split('\n').length - 1;
  return text.endsWith('\n') ? breaks : breaks + 1;
};

/**
 * Chunks of `region` (of `text`), each with `measure(text) <= maxSize`, in order, no gaps, no
 * overlaps. `root` may be undefined (no grammar): then the cuts are at line breaks.
 */
export function chunkRegion(text: string, root: SyntaxNode | undefined, region: OffsetRange, budget: ChunkBudget): OffsetRange[] {
  if (!(budget.maxSize >= 1)) throw new RangeError(`chunk budget must be at least 1, got ${budget.maxSize}`);
  if (region.start >= region.end) return [];
  const chunker = new Chunker(text, root, budget.maxSize, budget.measure ?? measureChars);
  return chunker.mergeSmall(chunker.chunks(region));
}

interface Atom extends OffsetRange {
  readonly size: number;
}

class Chunker {
  /** Sizes measured so far, by range: a piece over budget is measured again as the range it is then cut. */
  private readonly sizes = new Map<string, number>();

  constructor(
    private readonly text: string,
    private readonly root: SyntaxNode | undefined,
    private readonly max: number,
    private readonly measure: (text: string) => number,
  ) {}

  private size(r: OffsetRange): number {
    const key = `${r.start}:${r.end}`;
    let size = this.sizes.get(key);
    if (size === undefined) this.sizes.set(key, (size = this.measure(this.text.slice(r.start, r.end))));
    return size;
  }

  /**
   * Chunks of `range`: whole when it fits; else its pieces between syntax cuts, where runs of
   * pieces that fit are packed together and a piece over budget is chunked on its own (so a cut
   * between top-level nodes is never traded for one inside a node); else whole lines. A node's
   * header (`def f():`, `function f() {`) is not left alone: it joins the first chunk of the body
   * after it when that fits.
   */
  chunks(range: OffsetRange): OffsetRange[] {
    if (this.size(range) <= this.max) return [range];
    const split = this.syntaxCuts(range);
    if (!split) return this.pack(this.lineAtoms(range));
    const bounds = [range.start, ...split.cuts, range.end];
    const out: OffsetRange[] = [];
    let run: Atom[] = [];
    for (let i = 0; i + 1 < bounds.length; i++) {
      const piece = { start: bounds[i]!, end: bounds[i + 1]! };
      const size = this.size(piece);
      if (size <= this.max) {
        run.push({ ...piece, size });
        continue;
      }
      const inner = this.chunks(piece);
      const isHeader = out.length === 0 && run.length > 0 && split.inNode && (run.length === 1 || !split.ownLines);
      const joined = isHeader ? { start: range.start, end: inner[0]!.end } : undefined;
      if (joined && this.size(joined) <= this.max) inner[0] = joined;
      else out.push(...this.pack(run));
      out.push(...inner);
      run = [];
    }
    out.push(...this.pack(run));
    return out;
  }

  /**
   * Where `range` may be cut: before each child of the smallest node holding its content that
   * starts inside it — at the start of the child's line when only indentation precedes it; only
   * such line-start cuts when there are any (`ownLines`). `inNode`: that node is not the root.
   */
  private syntaxCuts(range: OffsetRange): { cuts: number[]; ownLines: boolean; inNode: boolean } | undefined {
    if (!this.root) return undefined;
    const content = trimRange(this.text, range);
    if (content.start === content.end) return undefined;
    const path = pathTo(this.root, content.start, content.end);
    const container = path[path.length - 1]!;
    const all: number[] = [];
    const own: number[] = [];
    for (const child of container.children) {
      if (child.start <= range.start || child.start >= range.end) continue;
      const lineStart = lineStartAt(this.text, child.start);
      const onOwnLine = /^[ \t]*$/.test(this.text.slice(lineStart, child.start));
      if (onOwnLine && lineStart <= range.start) continue;
      const cut = onOwnLine ? lineStart : child.start;
      if (all[all.length - 1] !== cut) all.push(cut);
      if (onOwnLine && own[own.length - 1] !== cut) own.push(cut);
    }
    if (all.length === 0) return undefined;
    const ownLines = own.length > 0;
    return { cuts: ownLines ? own : all, ownLines, inNode: container !== this.root };
  }

  private lineAtoms(range: OffsetRange): Atom[] {
    const out: Atom[] = [];
    let start = range.start;
    while (start < range.end) {
      const nl = this.text.indexOf('\n', start);
      const end = nl < 0 || nl + 1 > range.end ? range.end : nl + 1;
      const piece = { start, end };
      const size = this.size(piece);
      if (size <= this.max) out.push({ ...piece, size });
      else out.push(...this.hardAtoms(piece));
      start = end;
    }
    return out;
  }

  /** Longest prefixes that fit, for a single line over budget. */
  private hardAtoms(range: OffsetRange): Atom[] {
    const out: Atom[] = [];
    let start = range.start;
    while (start < range.end) {
      let lo = start + 1;
      let hi = range.end;
      while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2);
        if (this.size({ start, end: mid }) <= this.max) lo = mid;
        else hi = mid - 1;
      }
      let end = lo;
      // Never separate a surrogate pair; a pair alone over budget goes out whole.
      if (end < range.end && isLowSurrogate(this.text.charCodeAt(end))) end += end - 1 > start ? -1 : 1;
      out.push({ start, end, size: this.size({ start, end }) });
      start = end;
    }
    return out;
  }

  /**
   * Neighbouring chunks joined while the two fit one canvas together: the cuts inside an oversized
   * node leave small pieces (a lone `}`, a short member) that would each cost a canvas row of their
   * own. Joining only removes cuts, never moves one.
   */
  mergeSmall(chunks: readonly OffsetRange[]): OffsetRange[] {
    const out: OffsetRange[] = [];
    for (const c of chunks) {
      const last = out[out.length - 1];
      if (last && last.end === c.start && this.size({ start: last.start, end: c.end }) <= this.max) out[out.length - 1] = { start: last.start, end: c.end };
      else out.push(c);
    }
    return out;
  }

  /**
   * Greedy packing of consecutive atoms. Sizes are added up as an estimate (a tokenizer is not
   * exactly additive), so each chunk is measured once more and shrunk if the estimate was short.
   */
  pack(atoms: readonly Atom[]): OffsetRange[] {
    const chunks: OffsetRange[] = [];
    let i = 0;
    while (i < atoms.length) {
      let j = i + 1;
      let sum = atoms[i]!.size;
      while (j < atoms.length && sum + atoms[j]!.size <= this.max) sum += atoms[j++]!.size;
      while (j - i > 1 && this.size({ start: atoms[i]!.start, end: atoms[j - 1]!.end }) > this.max) j--;
      chunks.push({ start: atoms[i]!.start, end: atoms[j - 1]!.end });
      i = j;
    }
    return chunks;
  }
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

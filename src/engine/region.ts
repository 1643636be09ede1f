/**
 * The edited region as it stands during the repair rounds: the document with the fill in place,
 * where each chunk's text now lies, and the model's confidence in each character of it (NaN where
 * the model wrote nothing), kept up to date as spans of it are replaced.
 */
import type { OffsetRange } from '../core/types';

/** `chars` with [a, b) replaced by `insert` (NaN throughout when absent: no confidence). */
function splice(chars: Float32Array, a: number, b: number, length: number, insert?: Float32Array): Float32Array {
  const out = new Float32Array(chars.length - (b - a) + length);
  out.set(chars.subarray(0, a), 0);
  if (insert && insert.length === length) out.set(insert, a);
  else out.fill(NaN, a, a + length);
  out.set(chars.subarray(b), a + length);
  return out;
}

export class RegionText {
  private current: string;
  /** Chunk boundaries as offsets into the region text: chunk k is [bounds[k], bounds[k + 1]). */
  private readonly bounds: number[];
  private chars: Float32Array;

  /**
   * `pieces`: the fill of each chunk, in order, replacing `range` of `docText`; `confidence`: per
   * piece, the model's confidence in each of its characters (absent: none).
   */
  constructor(private readonly docText: string, private readonly range: OffsetRange, pieces: readonly string[], confidence?: ReadonlyArray<Float32Array | undefined>) {
    this.current = pieces.join('');
    this.bounds = [0];
    for (const p of pieces) this.bounds.push(this.bounds[this.bounds.length - 1] + p.length);
    this.chars = new Float32Array(this.current.length).fill(NaN);
    pieces.forEach((p, k) => {
      const c = confidence?.[k];
      if (c && c.length === p.length) this.chars.set(c, this.bounds[k]);
    });
  }

  /** Per character of `text`: the model's confidence in it when it was written, NaN where none. */
  get confidence(): Float32Array {
    return this.chars;
  }

  /** The region's text (what replaces `range`). */
  get text(): string {
    return this.current;
  }

  /** The whole document with the region's text in place. */
  get doc(): string {
    return this.docText.slice(0, this.range.start) + this.current + this.docText.slice(this.range.end);
  }

  /** Chunk k's place in the document as it now stands. */
  chunkSpan(k: number): OffsetRange {
    return { start: this.range.start + this.bounds[k], end: this.range.start + this.bounds[k + 1] };
  }

  chunkText(k: number): string {
    return this.current.slice(this.bounds[k], this.bounds[k + 1]);
  }

  /** The region's text if `span` (document offsets, inside the region) held `text`. */
  textWith(span: OffsetRange, text: string): string {
    const a = span.start - this.range.start;
    const b = span.end - this.range.start;
    return this.current.slice(0, a) + text + this.current.slice(b);
  }

  /**
   * Puts `texts[k]` in place of `spans[k]` (document offsets, inside the region, not overlapping);
   * an undefined text leaves its span as it is. Chunk boundaries move with the text: one inside a
   * replaced span stays at the same distance from the span's start, within the new text.
   * `confidence[k]`: the new text's per-character confidence (absent: none).
   */
  replaceAll(spans: readonly OffsetRange[], texts: ReadonlyArray<string | undefined>, confidence?: ReadonlyArray<Float32Array | undefined>): void {
    const order = spans.map((_, k) => k).sort((x, y) => spans[y].start - spans[x].start);
    for (const k of order) {
      const text = texts[k];
      if (text === undefined) continue;
      const a = spans[k].start - this.range.start;
      const b = spans[k].end - this.range.start;
      this.current = this.current.slice(0, a) + text + this.current.slice(b);
      this.chars = splice(this.chars, a, b, text.length, confidence?.[k]);
      const delta = text.length - (b - a);
      for (let i = 0; i < this.bounds.length; i++) {
        const at = this.bounds[i];
        if (at >= b && !(at === a && a === b)) this.bounds[i] = at + delta;
        else if (at > a) this.bounds[i] = a + Math.min(at - a, text.length);
      }
    }
  }

  /** Puts `texts[j]` in place of chunk `which[j]` (undefined: left as it is), even an empty chunk. */
  replaceChunks(which: readonly number[], texts: ReadonlyArray<string | undefined>, confidence?: ReadonlyArray<Float32Array | undefined>): void {
    which.forEach((k, j) => {
      const text = texts[j];
      if (text === undefined) return;
      const a = this.bounds[k];
      const b = this.bounds[k + 1];
      this.current = this.current.slice(0, a) + text + this.current.slice(b);
      this.chars = splice(this.chars, a, b, text.length, confidence?.[j]);
      for (let i = k + 1; i < this.bounds.length; i++) this.bounds[i] += text.length - (b - a);
    });
  }
}

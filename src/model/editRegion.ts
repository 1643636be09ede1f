/**
 * The edited region as it stands during the repair rounds: the document with the fill in place,
 * and where each chunk's text now lies, kept up to date as spans of it are replaced.
 */
import type { OffsetRange } from '../core/types';

export interface RegionState {
  readonly text: string;
  readonly bounds: readonly number[];
}

export class RegionText {
  private current: string;
  /** Chunk boundaries as offsets into the region text: chunk k is [bounds[k], bounds[k + 1]). */
  private readonly bounds: number[];

  /** `pieces`: the fill of each chunk, in order, replacing `range` of `docText`. */
  constructor(private readonly docText: string, private readonly range: OffsetRange, pieces: readonly string[]) {
    this.current = pieces.join('');
    this.bounds = [0];
    for (const p of pieces) this.bounds.push(this.bounds[this.bounds.length - 1] + p.length);
  }

  /** The text and chunk boundaries as they are now, for `restore`. */
  save(): RegionState {
    return { text: this.current, bounds: [...this.bounds] };
  }

  restore(state: RegionState): void {
    this.current = state.text;
    this.bounds.splice(0, this.bounds.length, ...state.bounds);
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
   */
  replaceAll(spans: readonly OffsetRange[], texts: ReadonlyArray<string | undefined>): void {
    const order = spans.map((_, k) => k).sort((x, y) => spans[y].start - spans[x].start);
    for (const k of order) {
      const text = texts[k];
      if (text === undefined) continue;
      const a = spans[k].start - this.range.start;
      const b = spans[k].end - this.range.start;
      this.current = this.current.slice(0, a) + text + this.current.slice(b);
      const delta = text.length - (b - a);
      for (let i = 0; i < this.bounds.length; i++) {
        const at = this.bounds[i];
        if (at >= b && !(at === a && a === b)) this.bounds[i] = at + delta;
        else if (at > a) this.bounds[i] = a + Math.min(at - a, text.length);
      }
    }
  }

  /** Puts `texts[j]` in place of chunk `which[j]` (undefined: left as it is), even an empty chunk. */
  replaceChunks(which: readonly number[], texts: ReadonlyArray<string | undefined>): void {
    which.forEach((k, j) => {
      const text = texts[j];
      if (text === undefined) return;
      const a = this.bounds[k];
      const b = this.bounds[k + 1];
      this.current = this.current.slice(0, a) + text + this.current.slice(b);
      for (let i = k + 1; i < this.bounds.length; i++) this.bounds[i] += text.length - (b - a);
    });
  }
}

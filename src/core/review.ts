/**
 * The review of one proposed edit, as a pure state machine. No `vscode`, no node builtins.
 *
 * The document holds the proposed text while the review is pending; each pending hunk knows where
 * its proposed text sits in the document now and what base text it replaced. Accepting keeps the
 * document as it is; rejecting yields the one replacement that puts the base text back. Document
 * edits move the hunks (`applyChanges`); an edit that touches a hunk ends that hunk's review, since
 * the user's own text wins over both versions.
 */
import { leastCertain, spansWithin } from './confidence';
import { computeHunks, offsetHunks, type Hunk, type HunkIdSource } from './hunks';
import { placeChange, changeDelta, sortBatch, type TextChange } from './rebase';
import type { OffsetRange, RootedEdit, TokenConfidence } from './types';

export interface PendingHunk {
  readonly id: string;
  /** Where the proposed text of this hunk is in the document now. */
  readonly range: OffsetRange;
  /** Base text that rejecting restores. */
  readonly removed: string;
  /** Proposed text that accepting keeps. */
  readonly added: string;
  /**
   * The model's confidence in the tokens of `added` it wrote, offsets into `added`; undefined when
   * the proposal came with none (a backend without probabilities, a snippet applied as written).
   */
  readonly confidence?: readonly TokenConfidence[];
}

/**
 * A hunk's confidence: the probability of its least certain token (a hunk is as trustworthy as its
 * weakest spot, and that spot is where to look); undefined when the hunk has no confidence or the
 * model wrote none of its text (a pure deletion).
 */
export function hunkConfidence(h: Pick<PendingHunk, 'confidence'>): number | undefined {
  return h.confidence && leastCertain(h.confidence)?.p;
}

/** Whether a hunk's confidence is known and below `threshold`. */
export function isLowConfidence(h: Pick<PendingHunk, 'confidence'>, threshold: number): boolean {
  const p = hunkConfidence(h);
  return p !== undefined && p < threshold;
}

/** A replacement to make in the document, in its current coordinates. */
export interface ReviewEdit {
  readonly range: OffsetRange;
  readonly text: string;
}

export type HunkOutcome = 'accepted' | 'rejected' | 'dropped';

/** What to insert to show a proposal, and the hunks that describe it. */
export interface ReviewPlan {
  /**
   * Hunks in base-document coordinates (`base`) and post-insertion coordinates (`proposed`), each
   * with the confidence of its added text when the edit has one.
   */
  readonly hunks: ReadonlyArray<Hunk & { readonly confidence?: readonly TokenConfidence[] }>;
  /** Replacements that turn the base document into the proposed one (base coordinates). */
  readonly insertion: readonly ReviewEdit[];
}

/**
 * Plans the review of a rooted edit. Hunks are computed over the edited range only, so nothing
 * outside `edit.range` can ever be touched; offsets are in document coordinates.
 */
export function planReview(edit: RootedEdit, nextId: HunkIdSource): ReviewPlan {
  const { start, end } = edit.range;
  if (start < 0 || end < start || end > edit.baseText.length) throw new Error('edit range outside the base text');
  const local = computeHunks(edit.baseText.slice(start, end), edit.newText, nextId);
  const confidence = edit.confidence;
  const hunks = offsetHunks(local, start, start).map((h, i) =>
    confidence ? { ...h, confidence: spansWithin(confidence, local[i].proposed.start, local[i].proposed.end) } : h);
  return { hunks, insertion: hunks.map(h => ({ range: h.base, text: h.added })) };
}

/** The plan's hunks as pending hunks, once its insertion is in the document. */
export function pendingHunks(plan: ReviewPlan): PendingHunk[] {
  return plan.hunks.map(h => ({ id: h.id, range: h.proposed, removed: h.removed, added: h.added, confidence: h.confidence }));
}

export class ReviewState {
  private readonly pendingById = new Map<string, PendingHunk>();
  private readonly outcomes = new Map<string, HunkOutcome>();

  constructor(hunks: readonly PendingHunk[]) {
    for (const h of hunks) {
      if (this.pendingById.has(h.id)) throw new Error(`duplicate hunk id ${h.id}`);
      this.pendingById.set(h.id, h);
    }
  }

  /** A review of a plan whose insertion has been applied to the document. */
  static fromPlan(plan: ReviewPlan): ReviewState {
    return new ReviewState(pendingHunks(plan));
  }

  /** Pending hunks in document order. */
  get pending(): readonly PendingHunk[] {
    return [...this.pendingById.values()].sort((a, b) => a.range.start - b.range.start || a.range.end - b.range.end);
  }

  get done(): boolean {
    return this.pendingById.size === 0;
  }

  get(id: string): PendingHunk | undefined {
    return this.pendingById.get(id);
  }

  outcome(id: string): HunkOutcome | undefined {
    return this.outcomes.get(id);
  }

  /** How many hunks ended each way so far. */
  tally(): Record<HunkOutcome, number> {
    const t: Record<HunkOutcome, number> = { accepted: 0, rejected: 0, dropped: 0 };
    for (const o of this.outcomes.values()) t[o]++;
    return t;
  }

  /** Keeps the proposed text of a hunk; false when it is not pending. */
  accept(id: string): boolean {
    return this.resolve(id, 'accepted') !== undefined;
  }

  /** Ends a hunk's review and returns the replacement that restores its base text. */
  reject(id: string): ReviewEdit | undefined {
    const h = this.resolve(id, 'rejected');
    return h && { range: h.range, text: h.removed };
  }

  acceptAll(): string[] {
    return this.pending.map(h => h.id).filter(id => this.accept(id));
  }

  /** Ends every pending hunk; the replacements are non-overlapping and in current coordinates. */
  rejectAll(): ReviewEdit[] {
    return this.rejectMany(this.pending.map(h => h.id));
  }

  /** Ends the pending hunks among `ids`; their replacements, non-overlapping, in current coordinates. */
  rejectMany(ids: readonly string[]): ReviewEdit[] {
    return ids.map(id => this.reject(id)).filter((e): e is ReviewEdit => e !== undefined);
  }

  /** The first pending hunk after `offset` whose confidence is below `threshold`, wrapping around. */
  nextBelow(offset: number, threshold: number): PendingHunk | undefined {
    const low = this.pending.filter(h => isLowConfidence(h, threshold));
    return low.find(h => h.range.start > offset) ?? low[0];
  }

  /**
   * Follows one batch of document changes (coordinates before the batch, as VS Code reports them).
   * Returns the ids of hunks the batch touched; those are dropped and the document keeps its text.
   */
  applyChanges(batch: readonly TextChange[]): string[] {
    const dropped: string[] = [];
    for (const change of sortBatch(batch)) {
      for (const h of [...this.pendingById.values()]) {
        const where = placeChange(h.range, change);
        if (where === 'overlap') {
          this.resolve(h.id, 'dropped');
          dropped.push(h.id);
        } else if (where === 'before') {
          const d = changeDelta(change);
          this.pendingById.set(h.id, { ...h, range: { start: h.range.start + d, end: h.range.end + d } });
        }
      }
    }
    return dropped;
  }

  /** The pending hunk at an offset (a hunk covers its range and its end, for a cursor after it). */
  hunkAt(offset: number): PendingHunk | undefined {
    return this.pending.find(h => offset >= h.range.start && offset <= h.range.end);
  }

  /** The first pending hunk starting after `offset`, wrapping to the first one. */
  next(offset: number): PendingHunk | undefined {
    const all = this.pending;
    return all.find(h => h.range.start > offset) ?? all[0];
  }

  /** The last pending hunk starting before `offset`, wrapping to the last one. */
  previous(offset: number): PendingHunk | undefined {
    const all = this.pending;
    return [...all].reverse().find(h => h.range.start < offset) ?? all[all.length - 1];
  }

  private resolve(id: string, outcome: HunkOutcome): PendingHunk | undefined {
    const h = this.pendingById.get(id);
    if (!h) return undefined;
    this.pendingById.delete(id);
    this.outcomes.set(id, outcome);
    return h;
  }
}

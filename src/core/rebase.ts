/**
 * Moving offset ranges across later document edits. Pure: no `vscode`, no node builtins.
 *
 * The rule shared by the review and by fills that finish after the user typed: an edit that touches
 * a range invalidates it (the user's text wins), an edit elsewhere only shifts it.
 */
import type { OffsetRange } from './types';

/** One replacement, in the coordinates of the text before the batch it belongs to. */
export interface TextChange {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

export type ChangePlacement = 'before' | 'after' | 'overlap';

/**
 * Where a change lies relative to a range. Typing at the very start of a non-empty range edits its
 * first line, so it counts as an overlap; typing at its end belongs to what follows (line ranges end
 * at the next line's start). An empty range (a pure deletion) is only touched by an edit that spans it.
 */
export function placeChange(range: OffsetRange, change: TextChange): ChangePlacement {
  const { start: rs, end: re } = range;
  const { start: cs, end: ce } = change;
  if (rs === re) {
    if (cs < rs && ce <= rs) return 'before';
    if (cs >= rs) return 'after';
    return 'overlap';
  }
  if (ce < rs || (ce === rs && cs < ce)) return 'before';
  if (cs >= re) return 'after';
  return 'overlap';
}

/** Length difference a change makes. */
export function changeDelta(change: TextChange): number {
  return change.text.length - (change.end - change.start);
}

/**
 * Orders the changes of one batch so each can be applied in turn without adjusting the others: VS
 * Code reports a batch in the coordinates of the text before it, so later ranges go first.
 */
export function sortBatch(batch: readonly TextChange[]): TextChange[] {
  return [...batch].sort((a, b) => b.start - a.start || b.end - a.end);
}

/** Moves `range` across one change; undefined when the change touches it. */
export function rebaseOverChange(range: OffsetRange, change: TextChange): OffsetRange | undefined {
  const where = placeChange(range, change);
  if (where === 'overlap') return undefined;
  if (where === 'after') return range;
  const d = changeDelta(change);
  return { start: range.start + d, end: range.end + d };
}

/** Moves `range` across batches of changes in order; undefined as soon as one touches it. */
export function rebaseRange(range: OffsetRange, batches: readonly (readonly TextChange[])[]): OffsetRange | undefined {
  let current: OffsetRange | undefined = range;
  for (const batch of batches) {
    for (const change of sortBatch(batch)) {
      current = rebaseOverChange(current, change);
      if (!current) return undefined;
    }
  }
  return current;
}

/** Applies one batch of changes (pre-batch coordinates) to a text. */
export function applyBatch(text: string, batch: readonly TextChange[]): string {
  let out = text;
  for (const c of sortBatch(batch)) out = out.slice(0, c.start) + c.text + out.slice(c.end);
  return out;
}

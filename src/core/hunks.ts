/**
 * Line-based hunks between a base text and a proposed text. Pure: no `vscode`, no node builtins.
 *
 * Lines are compared with their terminators attached, so CRLF, LF, CR, mixed endings and a missing
 * final newline survive byte for byte: a line that only changed its ending is a real change, and
 * applying any subset of hunks to the base never rewrites a line outside those hunks.
 */
import { diffArrays } from 'diff';
import type { OffsetRange } from './types';

/** One contiguous run of changed lines. Unchanged lines are never part of a hunk. */
export interface Hunk {
  /** Stable id, unique within one review; never an array index (indices shift after an accept). */
  readonly id: string;
  /** Replaced range of the base text (empty for a pure insertion). */
  readonly base: OffsetRange;
  /** Range of the replacement inside the proposed text (empty for a pure deletion). */
  readonly proposed: OffsetRange;
  /** 0-based line of the base text where the hunk starts, and how many base lines it removes. */
  readonly baseLine: number;
  readonly removedLines: number;
  /** 0-based line of the proposed text where the hunk starts, and how many lines it adds. */
  readonly proposedLine: number;
  readonly addedLines: number;
  /** base text inside `base` (what rejecting puts back). */
  readonly removed: string;
  /** Proposed text inside `proposed` (what accepting keeps). */
  readonly added: string;
}

/**
 * Rewrites every line ending of `text` to `eol`. Editors keep one line ending per document and
 * convert inserted text to it, so a proposal must use the document's ending before its hunks are
 * computed, or the offsets would not match the text the editor actually holds.
 */
export function normalizeEol(text: string, eol: '\n' | '\r\n'): string {
  return text.replace(/\r\n|\r|\n/g, eol);
}

/** Makes hunk ids; one per review so ids stay unique across the files of a session. */
export type HunkIdSource = () => string;

/** Returns an id source yielding `<prefix>1`, `<prefix>2`, ... */
export function counterIds(prefix = 'h'): HunkIdSource {
  let next = 0;
  return () => `${prefix}${++next}`;
}

/** Splits text into lines that keep their terminator (`\r\n`, `\n` or a lone `\r`). */
export function splitLinesKeepEnds(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 /* \n */) {
      lines.push(text.slice(start, i + 1));
      start = i + 1;
    } else if (c === 13 /* \r */) {
      const end = text.charCodeAt(i + 1) === 10 ? i + 2 : i + 1;
      lines.push(text.slice(start, end));
      start = end;
      i = end - 1;
    }
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

/**
 * Computes the hunks that turn `baseText` into `proposedText`. Offsets and lines are relative to the
 * two texts; add an origin with `offsetHunks` when the texts are slices of a document.
 */
export function computeHunks(baseText: string, proposedText: string, nextId: HunkIdSource): Hunk[] {
  const baseLines = splitLinesKeepEnds(baseText);
  const proposedLines = splitLinesKeepEnds(proposedText);
  const changes = diffArrays(baseLines, proposedLines);

  const hunks: Hunk[] = [];
  let baseOffset = 0;
  let proposedOffset = 0;
  let baseLine = 0;
  let proposedLine = 0;
  // The hunk being gathered: consecutive removed/added runs merge into one replacement.
  let open: { baseOffset: number; proposedOffset: number; baseLine: number; proposedLine: number;
    removed: string[]; added: string[] } | undefined;

  const close = (): void => {
    if (!open) return;
    const removed = open.removed.join('');
    const added = open.added.join('');
    hunks.push({
      id: nextId(),
      base: { start: open.baseOffset, end: open.baseOffset + removed.length },
      proposed: { start: open.proposedOffset, end: open.proposedOffset + added.length },
      baseLine: open.baseLine,
      removedLines: open.removed.length,
      proposedLine: open.proposedLine,
      addedLines: open.added.length,
      removed,
      added,
    });
    open = undefined;
  };

  for (const change of changes) {
    const lines = change.value;
    const length = lines.reduce((n, l) => n + l.length, 0);
    if (!change.added && !change.removed) {
      close();
      baseOffset += length;
      proposedOffset += length;
      baseLine += lines.length;
      proposedLine += lines.length;
      continue;
    }
    open ??= { baseOffset, proposedOffset, baseLine, proposedLine, removed: [], added: [] };
    if (change.removed) {
      open.removed.push(...lines);
      baseOffset += length;
      baseLine += lines.length;
    } else {
      open.added.push(...lines);
      proposedOffset += length;
      proposedLine += lines.length;
    }
  }
  close();
  return hunks;
}

/** Shifts hunk offsets (not lines) by `baseOrigin` / `proposedOrigin`, for slices of a document. */
export function offsetHunks(hunks: readonly Hunk[], baseOrigin: number, proposedOrigin: number): Hunk[] {
  return hunks.map(h => ({
    ...h,
    base: { start: h.base.start + baseOrigin, end: h.base.end + baseOrigin },
    proposed: { start: h.proposed.start + proposedOrigin, end: h.proposed.end + proposedOrigin },
  }));
}

/**
 * Applies the hunks whose ids are in `accepted` to `baseText` (the others stay as in the base).
 * Hunks must come from one `computeHunks` call over this base text; they never overlap.
 */
export function applyHunks(baseText: string, hunks: readonly Hunk[], accepted: ReadonlySet<string>): string {
  const chosen = hunks.filter(h => accepted.has(h.id)).sort((a, b) => a.base.start - b.base.start);
  let out = '';
  let at = 0;
  for (const h of chosen) {
    if (h.base.start < at || h.base.end > baseText.length || baseText.slice(h.base.start, h.base.end) !== h.removed) {
      throw new Error(`hunk ${h.id} does not match the base text`);
    }
    out += baseText.slice(at, h.base.start) + h.added;
    at = h.base.end;
  }
  return out + baseText.slice(at);
}

/**
 * The model's confidence in a proposal, for the CLI: the review's hunks with their confidence as
 * JSON (`--json`), and the unified diff with the low-confidence tokens marked for a reader
 * (`--annotate`). The hunks are the editor's (core/review planReview), so the CLI and the review
 * agree on what a hunk is and how sure the model was of it.
 */
import { percent } from '../core/confidence';
import { counterIds } from '../core/hunks';
import { hunkConfidence, planReview } from '../core/review';
import type { OffsetRange, TokenConfidence } from '../core/types';
import type { CliArgs } from './args';
import { filePatch, patchText, unifiedDiff } from './diffText';

/** A proposal for one file: `newText` replaces `range` of `before`; `confidence` spans `newText`. */
export interface Proposal {
  readonly file: string;
  readonly before: string;
  readonly range: OffsetRange;
  readonly newText: string;
  /** Absent when the backend gives none. */
  readonly confidence?: readonly TokenConfidence[];
}

/** A token of the new file: where it is (1-based line and column, UTF-16 units) and its probability. */
export interface TokenReport {
  readonly text: string;
  readonly line: number;
  readonly column: number;
  readonly p: number;
}

/** One hunk of the JSON output. */
export interface HunkReport {
  /** 1-based first line of the hunk in the original file (for a pure insertion: the line it goes before). */
  readonly old_start: number;
  /** Lines of the original the hunk replaces. */
  readonly old_lines: number;
  /** 1-based first line of the hunk in the new file (for a pure deletion: the line after it). */
  readonly new_start: number;
  readonly new_lines: number;
  /** The probability of its least certain token; null without confidence or model text. */
  readonly confidence: number | null;
  readonly least_certain: TokenReport | null;
  /** Every token of the hunk below the low-confidence threshold, in order. */
  readonly low_tokens: TokenReport[];
}

/** The file after the proposal. */
export function proposedText(p: Proposal): string {
  return p.before.slice(0, p.range.start) + p.newText + p.before.slice(p.range.end);
}

/** The review's hunks of the proposal with the model's confidence; tokens below `threshold` listed. */
export function proposalHunks(p: Proposal, threshold: number): HunkReport[] {
  const after = proposedText(p);
  const oldLines = new LineIndex(p.before);
  const newLines = new LineIndex(after);
  const plan = planReview({ docId: p.file, version: 0, baseText: p.before, range: p.range, newText: p.newText, confidence: p.confidence }, counterIds());
  return plan.hunks.map((h) => {
    // Spans of the hunk's added text, moved to offsets of the new file.
    const spans = (h.confidence ?? []).map((s) => ({ start: h.proposed.start + s.start, end: h.proposed.start + s.end, p: s.p }));
    const report = (s: TokenConfidence): TokenReport => ({ text: after.slice(s.start, s.end), ...newLines.position(s.start), p: s.p });
    const low = hunkConfidence(h);
    const least = low === undefined ? undefined : spans.find((s) => s.p === low);
    return {
      old_start: oldLines.position(h.base.start).line,
      old_lines: h.removedLines,
      new_start: newLines.position(h.proposed.start).line,
      new_lines: h.addedLines,
      confidence: low ?? null,
      least_certain: least ? report(least) : null,
      low_tokens: spans.filter((s) => s.p < threshold).map(report),
    };
  });
}

/** The JSON fields of a proposal's confidence: where it came from, the threshold used, the hunks. */
export function proposalJson(p: Proposal, threshold: number): { confidence_source: 'model' | null; low_confidence: number; hunks: HunkReport[] } {
  return { confidence_source: p.confidence ? 'model' : null, low_confidence: threshold, hunks: proposalHunks(p, threshold) };
}

/**
 * Prints the proposal's diff on stdout: annotated with --annotate (even with --write), plain
 * otherwise unless the file was written. Without confidence, --annotate says so on stderr.
 */
export function printProposal(p: Proposal, args: Pick<CliArgs, 'annotate' | 'write' | 'lowConfidence'>): void {
  if (args.annotate && !p.confidence) process.stderr.write('diffuse-edit: no confidence from this backend\n');
  if (!args.annotate || !p.confidence) {
    if (!args.write || args.annotate) process.stdout.write(unifiedDiff(p.file, p.before, proposedText(p)));
    return;
  }
  const a = annotatedDiff(p, args.lowConfidence);
  process.stdout.write(a.text);
  process.stderr.write(`diffuse-edit: ${a.tokens} token(s) below ${percent(args.lowConfidence)} on ${a.lines} added line(s)\n`);
}

/**
 * The unified diff of the proposal, each added line that holds a token below `threshold` followed
 * by a `?` line (as Python's difflib marks its hints) with a `^` under each such token and, after
 * them, the tokens and their probabilities. For a reader: the `?` lines make it no longer a valid
 * patch. Every token of the model's on an added line counts, whichever review hunk holds it (the
 * file's diff may align repeated lines unlike the review's diff of the edited range).
 */
export function annotatedDiff(p: Proposal, threshold: number): { text: string; tokens: number; lines: number } {
  const after = proposedText(p);
  const lines = new LineIndex(after);
  // Per 1-based line of the new file: the low tokens' pieces on it, [from, to) columns of the line.
  const marks = new Map<number, Array<{ from: number; to: number; p: number }>>();
  for (const t of p.confidence ?? []) {
    if (!(t.p < threshold)) continue;
    let at = p.range.start + t.start;
    const end = p.range.start + t.end;
    while (at < end) {
      const { line, column } = lines.position(at);
      const lineEnd = Math.min(end, lines.end(line));
      if (lineEnd > at) {
        const list = marks.get(line) ?? [];
        list.push({ from: column - 1, to: column - 1 + lineEnd - at, p: t.p });
        marks.set(line, list);
      }
      at = Math.max(lineEnd, lines.offset(line + 1, 1));
    }
  }
  const out: string[] = [];
  let tokens = 0;
  let marked = 0;
  let newLine = 0;
  let inHunk = false;
  for (const row of patchText(filePatch(p.file, p.before, after)).split('\n')) {
    out.push(row);
    const header = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/.exec(row);
    if (header) {
      inHunk = true;
      // A hunk that adds no line names the line before it.
      newLine = Number(header[1]) + (header[2] === '0' ? 1 : 0);
      continue;
    }
    if (!inHunk || !(row.startsWith('+') || row.startsWith(' '))) continue;
    const here = row.startsWith('+') ? marks.get(newLine) : undefined;
    if (here) {
      out.push(markerLine(lines.text(newLine), here));
      tokens += here.length;
      marked++;
    }
    newLine++;
  }
  return { text: out.join('\n'), tokens, lines: marked };
}

/** `?`, then `^` under each piece (tabs kept so the carets line up), then the first pieces and their probabilities. */
function markerLine(text: string, pieces: ReadonlyArray<{ from: number; to: number; p: number }>): string {
  const sorted = [...pieces].sort((a, b) => a.from - b.from);
  let row = '?';
  let col = 0;
  for (const m of sorted) {
    row += text.slice(col, m.from).replace(/[^\t]/g, ' ') + '^'.repeat(Math.max(1, m.to - m.from));
    col = m.to;
  }
  const labels = sorted.slice(0, MAX_LABELS).map((m) => `\`${shorten(text.slice(m.from, m.to))}\` ${percent(m.p)}`);
  if (sorted.length > MAX_LABELS) labels.push(`${sorted.length - MAX_LABELS} more`);
  return `${row}  ${labels.join(', ')}`;
}

/** Tokens named after the carets of one line; the carets show the rest. */
const MAX_LABELS = 8;

function shorten(s: string): string {
  return s.length > 24 ? `${s.slice(0, 23)}…` : s;
}

/** Line starts of a text, for offsets <-> 1-based line and column (UTF-16 units). */
class LineIndex {
  private readonly starts: number[] = [0];

  constructor(private readonly source: string) {
    for (let i = 0; i < source.length; i++) {
      const c = source[i];
      if (c === '\n' || (c === '\r' && source[i + 1] !== '\n')) this.starts.push(i + 1);
    }
  }

  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.starts[lo] + 1 };
  }

  offset(line: number, column: number): number {
    return line - 1 < this.starts.length ? this.starts[line - 1] + column - 1 : this.source.length;
  }

  /** Where line `line`'s text ends (before its terminator). */
  end(line: number): number {
    let e = line < this.starts.length ? this.starts[line] : this.source.length;
    if (e > this.starts[line - 1] && this.source[e - 1] === '\n') e--;
    if (e > this.starts[line - 1] && this.source[e - 1] === '\r') e--;
    return e;
  }

  text(line: number): string {
    return this.source.slice(this.starts[line - 1] ?? this.source.length, this.end(line));
  }
}

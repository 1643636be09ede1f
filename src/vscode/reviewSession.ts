import * as vscode from 'vscode';
import { percent } from '../core/confidence';
import { hunkConfidence, ReviewState, type PendingHunk, type ReviewEdit } from '../core/review';
import type { TextChange } from '../core/rebase';
import type { OffsetRange } from '../core/types';
import { confidenceLevel, summarizeRemoved, type DiffuseDecorations } from './decorations';

/** What one render drew, for the in-host tests (decorations cannot be read back from VS Code). */
export interface ReviewMarks {
  /** Proposed tokens marked as low confidence: document offsets, probability, mark level (0 = strongest). */
  readonly tokens: ReadonlyArray<{ readonly range: OffsetRange; readonly p: number; readonly level: number }>;
  /** Lines with a removed-lines marker in the gutter. */
  readonly removedLines: readonly number[];
}

/**
 * The review of one document.
 *
 * Why the proposed text goes into the document (and removed lines are decorations), not the
 * inverse: the proposal is what the user is asked to judge, so it gets real syntax highlighting,
 * real lines and the user can edit it in place; the removed lines live only in injected decoration
 * text, which VS Code never writes to disk, so saving during a review can never put a removed-line
 * preview in the file. The insertion is ONE edit with undo stops around it, so a single Undo after
 * accepting brings back the original; accept changes nothing in the document (byte-exact by
 * construction) and reject replaces the hunk's current range with the exact base text it replaced.
 * Every edit the user makes is followed (`ReviewState.applyChanges`): an edit inside a hunk ends
 * that hunk's review with the user's text, an edit elsewhere moves the hunks.
 */
export class ReviewSession {
  private readonly state: ReviewState;

  constructor(
    readonly document: vscode.TextDocument,
    hunks: readonly PendingHunk[],
  ) {
    this.state = new ReviewState(hunks);
  }

  get uri(): string {
    return this.document.uri.toString();
  }

  get pending(): readonly PendingHunk[] {
    return this.state.pending;
  }

  get done(): boolean {
    return this.state.done;
  }

  tally(): ReturnType<ReviewState['tally']> {
    return this.state.tally();
  }

  get(id: string): PendingHunk | undefined {
    return this.state.get(id);
  }

  hunkAt(position: vscode.Position): PendingHunk | undefined {
    return this.state.hunkAt(this.document.offsetAt(position));
  }

  next(position: vscode.Position): PendingHunk | undefined {
    return this.state.next(this.document.offsetAt(position));
  }

  previous(position: vscode.Position): PendingHunk | undefined {
    return this.state.previous(this.document.offsetAt(position));
  }

  accept(id: string): boolean {
    return this.state.accept(id);
  }

  acceptAll(): string[] {
    return this.state.acceptAll();
  }

  reject(id: string): ReviewEdit | undefined {
    return this.state.reject(id);
  }

  rejectAll(): ReviewEdit[] {
    return this.state.rejectAll();
  }

  /** Follows a document change; returns the ids of the hunks the user edited. */
  follow(event: vscode.TextDocumentChangeEvent): string[] {
    const batch: TextChange[] = event.contentChanges.map(c => ({
      start: c.rangeOffset,
      end: c.rangeOffset + c.rangeLength,
      text: c.text,
    }));
    return this.state.applyChanges(batch);
  }

  /** The document as rejecting every pending hunk would leave it (the left side of the diff). */
  originalText(): string {
    let text = this.document.getText();
    for (const h of [...this.state.pending].reverse()) {
      text = text.slice(0, h.range.start) + h.removed + text.slice(h.range.end);
    }
    return text;
  }

  /** The range of a hunk as a vscode.Range, for reveal and selection. */
  rangeOf(h: PendingHunk): vscode.Range {
    return new vscode.Range(this.document.positionAt(h.range.start), this.document.positionAt(h.range.end));
  }

  /** Lines of the document that hold a hunk's proposed text (none for a pure deletion). */
  addedLines(h: PendingHunk): { first: number; last: number } | undefined {
    if (h.range.start === h.range.end) return undefined;
    const first = this.document.positionAt(h.range.start).line;
    const end = this.document.positionAt(h.range.end);
    const last = end.character === 0 ? end.line - 1 : end.line;
    return { first, last: Math.max(first, last) };
  }

  /** The line a hunk's CodeLens and removed preview attach to. */
  anchorLine(h: PendingHunk): number {
    return Math.min(this.document.positionAt(h.range.start).line, this.document.lineCount - 1);
  }

  /** The first low-confidence hunk after `position`, wrapping around. */
  nextBelow(position: vscode.Position, threshold: number): PendingHunk | undefined {
    return this.state.nextBelow(this.document.offsetAt(position), threshold);
  }

  rejectMany(ids: readonly string[]): ReviewEdit[] {
    return this.state.rejectMany(ids);
  }

  /** Where a hunk's least certain token is in the document now (undefined: no confidence). */
  leastCertainRange(h: PendingHunk): vscode.Range | undefined {
    const p = hunkConfidence(h);
    const t = p === undefined ? undefined : h.confidence!.find(s => s.p === p);
    return t && new vscode.Range(this.document.positionAt(h.range.start + t.start), this.document.positionAt(h.range.start + t.end));
  }

  /**
   * Draws the review: added lines, removed-line previews (a gutter marker, a short summary, the
   * whole block in the hover) and the proposed tokens the model was less sure of than `threshold`,
   * marked more strongly the less sure it was, each with its probability in a hover.
   */
  render(editor: vscode.TextEditor, decorations: DiffuseDecorations, threshold: number): ReviewMarks {
    const added: vscode.Range[] = [];
    const removed: vscode.DecorationOptions[] = [];
    const gutter: vscode.Range[] = [];
    const marks = decorations.confidence.map((): vscode.DecorationOptions[] => []);
    const tokens: Array<ReviewMarks['tokens'][number]> = [];
    for (const h of this.state.pending) {
      const lines = this.addedLines(h);
      if (lines) added.push(new vscode.Range(lines.first, 0, lines.last, 0));
      const least = hunkConfidence(h);
      for (const t of h.confidence ?? []) {
        const level = confidenceLevel(t.p, threshold);
        if (level === undefined) continue;
        const range = { start: h.range.start + t.start, end: h.range.start + t.end };
        tokens.push({ range, p: t.p, level });
        const hover = new vscode.MarkdownString(`**Diffuse:** the model was **${percent(t.p)}** sure of this token`
          + (least !== undefined && least < t.p ? ` (the least certain in this hunk: ${percent(least)})` : '')
          + '. Marked below `diffuse.review.lowConfidence`.');
        marks[level].push({ range: new vscode.Range(this.document.positionAt(range.start), this.document.positionAt(range.end)), hoverMessage: hover });
      }
      if (!h.removed) continue;
      // The preview trails the hunk's last added line, or for a pure deletion the line above it,
      // so the proposed code keeps its alignment.
      const line = lines ? lines.last : Math.max(0, this.document.positionAt(h.range.start).line - 1);
      const end = this.document.lineAt(line).range.end;
      gutter.push(new vscode.Range(line, 0, line, 0));
      const hover = new vscode.MarkdownString();
      hover.appendMarkdown('**Removed by this hunk** (Reject puts it back)\n\n');
      hover.appendCodeblock(h.removed, this.document.languageId);
      removed.push({
        range: new vscode.Range(end, end),
        hoverMessage: hover,
        renderOptions: { after: { contentText: summarizeRemoved(h.removed) } },
      });
    }
    editor.setDecorations(decorations.added, added);
    editor.setDecorations(decorations.removed, removed);
    editor.setDecorations(decorations.removedGutter, gutter);
    decorations.confidence.forEach((type, level) => editor.setDecorations(type, marks[level]));
    return { tokens, removedLines: gutter.map(r => r.start.line) };
  }

  static clear(editor: vscode.TextEditor, decorations: DiffuseDecorations): void {
    for (const type of decorations.review) editor.setDecorations(type, []);
  }
}

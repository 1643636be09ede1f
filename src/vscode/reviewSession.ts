import * as vscode from 'vscode';
import { ReviewState, type PendingHunk, type ReviewEdit } from '../core/review';
import type { TextChange } from '../core/rebase';
import { summarizeRemoved, type DiffuseDecorations } from './decorations';

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

  render(editor: vscode.TextEditor, decorations: DiffuseDecorations): void {
    const added: vscode.Range[] = [];
    const removed: vscode.DecorationOptions[] = [];
    for (const h of this.state.pending) {
      const lines = this.addedLines(h);
      if (lines) added.push(new vscode.Range(lines.first, 0, lines.last, 0));
      if (!h.removed) continue;
      // The preview trails the hunk's last added line, or for a pure deletion the line above it,
      // so the proposed code keeps its alignment.
      const line = lines ? lines.last : Math.max(0, this.document.positionAt(h.range.start).line - 1);
      const end = this.document.lineAt(line).range.end;
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
  }

  static clear(editor: vscode.TextEditor, decorations: DiffuseDecorations): void {
    editor.setDecorations(decorations.added, []);
    editor.setDecorations(decorations.removed, []);
  }
}

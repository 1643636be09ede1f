import * as vscode from 'vscode';
import { notify } from './notify';
import { grammarFor } from '../syntax/languages';
import type { OffsetRange } from '../core/types';
import type { FillRecord } from './fillRecord';
import type { FillRunner } from './fillRunner';
import type { Settings } from './settings';

/** The button that confirms rewriting a file without a grammar. */
export const REWRITE_ANYWAY = 'Rewrite Anyway';

/** Why a document cannot be edited at all, in words for the user; undefined when it can. */
export function refuseDocument(doc: vscode.TextDocument, maxFileBytes: number): string | undefined {
  const text = doc.getText();
  // Decoded binary files carry NUL characters; no source file does.
  if (text.includes('\u0000')) return 'This file looks binary; Diffuse edits text files only.';
  // VS Code shows bytes it could not decode as U+FFFD; saving an edit would write that character
  // over the original bytes for good.
  if (text.includes('\ufffd')) {
    return 'This file has bytes that are not valid in its encoding (shown as \ufffd); reopen it with the right encoding ("Reopen with Encoding") first, or saving an edit would lose them.';
  }
  if (text.trim() === '') return 'This file is empty; there is no code to rewrite.';
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > maxFileBytes) {
    return `This file is ${bytes.toLocaleString()} bytes, above "diffuse.maxFileBytes" (${maxFileBytes.toLocaleString()}).`;
  }
  return undefined;
}

function selectionRange(editor: vscode.TextEditor): OffsetRange {
  const doc = editor.document;
  return { start: doc.offsetAt(editor.selection.start), end: doc.offsetAt(editor.selection.end) };
}

/** The commands that start a fill: `diffuse.edit` and `diffuse.quickRewrite`. */
export class EditCommands {
  constructor(private readonly settings: Settings, private readonly runner: FillRunner) {}

  /**
   * Edits the selection, or the whole file when nothing is selected (asking first above
   * `diffuse.wholeFileConfirmLines`). Resolves to what the fill did (undefined if not started).
   * `instruction` is passed to backends that follow one (Diffuse Edit…).
   */
  async edit(token?: vscode.CancellationToken, instruction?: string): Promise<FillRecord | undefined> {
    const editor = editableEditor(instruction ? 'Diffuse Edit…' : 'Diffuse Edit', this.settings.get('maxFileBytes'));
    if (!editor) return undefined;
    const doc = editor.document;
    if (!grammarFor(doc.languageId)) {
      // No parser checks what comes back, and the model writes code: ask before rewriting prose.
      const answer = await notify.warn(
        `Diffuse: there is no grammar for "${doc.languageId}" files, so a rewrite of this text cannot be checked, and the model writes code, not prose. Rewrite it anyway?`,
        { modal: true, detail: 'Every change is shown for review first; the review will say "syntax not checked".' },
        REWRITE_ANYWAY,
      );
      if (answer !== REWRITE_ANYWAY) return undefined;
    }
    let target = selectionRange(editor);
    if (target.start === target.end) {
      const limit = this.settings.get('wholeFileConfirmLines');
      if (doc.lineCount > limit) {
        const go = 'Edit Whole File';
        const answer = await notify.warn(
          `Nothing is selected: rewrite all ${doc.lineCount.toLocaleString()} lines of this file?`,
          { modal: true, detail: 'Select a region to edit only that part. Every change is shown for review first.' },
          go,
        );
        if (answer !== go) return undefined;
      }
      target = { start: 0, end: doc.getText().length };
    } else if (doc.getText(editor.selection).trim() === '') {
      void notify.info('Diffuse: the selection holds only whitespace; select the code to rewrite.');
      return undefined;
    }
    return this.runner.fill(doc, target, this.settings.get('anchoring'), token, instruction);
  }

  /**
   * Rewrites the selection, or with none the syntax node at the cursor: the cursor's line is sent
   * with syntax anchoring, which the pipeline widens to the enclosing statement or member. On a
   * blank line it fills that line: the model's fill and the file's lines whose neighbours look like
   * this line's are weighed by the model (engine/analogFill), and the best is offered for review.
   */
  async quickRewrite(token?: vscode.CancellationToken): Promise<FillRecord | undefined> {
    const editor = editableEditor('Quick Rewrite', this.settings.get('maxFileBytes'));
    if (!editor) return undefined;
    const doc = editor.document;
    let target = selectionRange(editor);
    let anchoring = this.settings.get('anchoring');
    if (target.start === target.end) {
      const line = doc.lineAt(editor.selection.active.line);
      if (line.isEmptyOrWhitespace) {
        // After the line's indentation, as a line typed there would start.
        const at = doc.offsetAt(line.range.end);
        return this.runner.fill(doc, { start: at, end: at }, 'exact', token, undefined, true);
      }
      target = { start: doc.offsetAt(line.range.start), end: doc.offsetAt(line.rangeIncludingLineBreak.end) };
      anchoring = 'syntax';
    }
    return this.runner.fill(doc, target, anchoring, token);
  }

}

/**
 * The active editor when its document can be edited; otherwise the user is told why (`what`:
 * the command, for "open a file first") and the answer is undefined.
 */
export function editableEditor(what: string, maxFileBytes: number): vscode.TextEditor | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void notify.info(`${what}: open a file first.`);
    return undefined;
  }
  const why = refuseDocument(editor.document, maxFileBytes);
  if (why) {
    void notify.warn(`Diffuse: ${why}`);
    return undefined;
  }
  return editor;
}

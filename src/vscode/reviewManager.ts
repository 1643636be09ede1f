import * as vscode from 'vscode';
import { notify } from './notify';
import { carrySpans } from '../core/confidence';
import { counterIds, normalizeEol } from '../core/hunks';
import { rebaseRange, type TextChange } from '../core/rebase';
import { isLowConfidence, pendingHunks, planReview, type PendingHunk, type ReviewEdit } from '../core/review';
import type { RootedEdit } from '../core/types';
import type { DiffuseDecorations } from './decorations';
import { asExtensionEdit } from './editHistory';
import { hasTab } from './documentJobs';
import type { DiffuseLog } from './log';
import { closeDiffs, inDiffEditor, ORIGINAL_SCHEME, OriginalContent, showDiff } from './reviewDiff';
import { ReviewLenses, type ReviewOrigin } from './reviewLenses';
import { ReviewSession, type ReviewMarks } from './reviewSession';

const CONTEXT_KEY = 'diffuse.reviewVisible';

export type StartResult =
  | { readonly kind: 'review'; readonly hunks: number }
  | { readonly kind: 'no-change' }
  | { readonly kind: 'refused'; readonly message: string };

/** Applies replacements as one undoable step, with undo stops before and after. */
export async function applyReplacements(doc: vscode.TextDocument, edits: readonly ReviewEdit[]): Promise<boolean> {
  if (edits.length === 0) return true;
  const ranges = edits.map(e => new vscode.Range(doc.positionAt(e.range.start), doc.positionAt(e.range.end)));
  const editor = vscode.window.visibleTextEditors.find(e => e.document === doc);
  // The extension's edit, not the user's: the next-edit history leaves it out.
  if (editor) {
    return asExtensionEdit(() => editor.edit(b => edits.forEach((e, i) => b.replace(ranges[i], e.text)), { undoStopBefore: true, undoStopAfter: true }));
  }
  const we = new vscode.WorkspaceEdit();
  edits.forEach((e, i) => we.replace(doc.uri, ranges[i], e.text));
  return asExtensionEdit(() => vscode.workspace.applyEdit(we));
}

/**
 * All reviews of the window, one per document and independent of each other. Owns the listeners
 * that keep them in step with the documents, the context key, the CodeLens (reviewLenses) and the
 * side-by-side view (reviewDiff).
 */
export class ReviewManager implements vscode.Disposable {
  private readonly sessions = new Map<string, ReviewSession>();
  /** Per review: the text before the proposal went in, when the document was saved (clean) then. */
  private readonly cleanBefore = new Map<string, string>();
  /**
   * Per review, what its CodeLens says beside the hunks: why it has no confidence (the backend gives
   * none, the text is a snippet's), and where text taken from existing code came from.
   */
  private readonly notes = new Map<string, { readonly noConfidence?: string; readonly origin?: ReviewOrigin }>();
  /** Per document: what the last render drew (for the in-host tests). */
  private readonly drawn = new Map<string, ReviewMarks>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<string>();
  private readonly lenses: ReviewLenses;
  private readonly originals: OriginalContent;
  private reviewSerial = 0;

  /** Fires the document URI whenever a review starts, moves, resolves a hunk or ends. */
  readonly onDidChange = this.changed.event;

  /** `lowConfidence`: the threshold below which tokens are marked and hunks are low-confidence. */
  constructor(private readonly decorations: DiffuseDecorations, private readonly log: DiffuseLog, private readonly lowConfidence: () => number = () => 0.5) {
    const lookup = (uri: string): ReviewSession | undefined => this.sessions.get(uri);
    this.lenses = new ReviewLenses(lookup, uri => this.notes.get(uri)?.noConfidence, lowConfidence, uri => this.notes.get(uri)?.origin);
    this.originals = new OriginalContent(lookup);
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration(e => {
        if (e.affectsConfiguration('diffuse.review.lowConfidence')) {
          this.renderAll();
          this.lenses.refresh();
        }
      }),
      this.changed, this.lenses, this.originals,
      vscode.workspace.onDidChangeTextDocument(e => this.onDocumentChanged(e)),
      vscode.workspace.onDidCloseTextDocument(doc => this.end(doc.uri.toString(), 'document closed')),
      // Closing the last tab of a file does not close its document (VS Code keeps it a while); a
      // review nobody can see must not come back, hunks and all, when the file is opened again.
      vscode.window.tabGroups.onDidChangeTabs(() => {
        for (const uri of [...this.sessions.keys()]) if (!hasTab(uri)) this.end(uri, 'tab closed');
      }),
      vscode.window.onDidChangeVisibleTextEditors(() => this.renderAll()),
      vscode.window.onDidChangeActiveTextEditor(() => this.updateContextKey()),
      // Reviews can be of any document (a file, an untitled editor, a virtual file system): every scheme.
      vscode.languages.registerCodeLensProvider({ scheme: '*' }, this.lenses),
      vscode.workspace.registerTextDocumentContentProvider(ORIGINAL_SCHEME, this.originals),
    );
  }

  has(uri: string): boolean {
    return this.sessions.has(uri);
  }

  pending(uri: string): readonly PendingHunk[] {
    return this.sessions.get(uri)?.pending ?? [];
  }

  /**
   * Shows a fill result for review. `since` holds the changes made to the document after the
   * edit's version: the edit is moved across them, or refused when one touched its range, and its
   * base text is checked against the document so it can never land on the wrong text.
   * `noConfidence`: why an edit without confidence has none, for the CodeLens; `origin`: where
   * text taken from existing code came from, for the CodeLens too.
   */
  async start(doc: vscode.TextDocument, edit: RootedEdit, since: readonly (readonly TextChange[])[], noConfidence = 'no confidence from this backend', origin?: ReviewOrigin): Promise<StartResult> {
    const uri = doc.uri.toString();
    if (doc.isClosed) return { kind: 'refused', message: 'The document was closed before the fill finished.' };
    if (this.sessions.has(uri)) return { kind: 'refused', message: 'This file already has a pending review.' };
    const range = rebaseRange(edit.range, since);
    const expected = edit.baseText.slice(edit.range.start, edit.range.end);
    if (!range || doc.getText(this.toRange(doc, range)) !== expected) {
      return { kind: 'refused', message: 'The text being rewritten was edited while the fill ran; the result was discarded.' };
    }
    const eol = doc.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
    const newText = normalizeEol(edit.newText, eol);
    const confidence = newText === edit.newText ? edit.confidence : carrySpans(edit.newText, edit.confidence, newText);
    const current: RootedEdit = { ...edit, version: doc.version, baseText: doc.getText(), range, newText, confidence };
    const plan = planReview(current, counterIds(`r${++this.reviewSerial}h`));
    if (plan.hunks.length === 0) return { kind: 'no-change' };

    const versionBefore = doc.version;
    const textBefore = doc.isDirty ? undefined : doc.getText();
    if (!(await applyReplacements(doc, plan.insertion))) {
      return { kind: 'refused', message: 'The document changed while the edit was applied; nothing was changed.' };
    }
    const hunks = pendingHunks(plan);
    // A change that lands between our edit and this point would leave the hunk offsets stale.
    const intact = doc.version === versionBefore + 1
      || hunks.every(h => doc.getText(this.toRange(doc, h.range)) === h.added);
    if (!intact) {
      return { kind: 'refused', message: 'The document changed while the edit was applied; use Undo to revert it.' };
    }
    this.sessions.set(uri, new ReviewSession(doc, hunks));
    if (textBefore !== undefined) this.cleanBefore.set(uri, textBefore);
    else this.cleanBefore.delete(uri);
    this.notes.set(uri, { noConfidence: confidence ? undefined : noConfidence, origin });
    this.refresh(uri);
    return { kind: 'review', hunks: hunks.length };
  }

  accept(uri: string, id: string): boolean {
    const session = this.sessions.get(uri);
    if (!session?.accept(id)) return false;
    this.afterResolve(session);
    return true;
  }

  async reject(uri: string, id: string): Promise<boolean> {
    const session = this.sessions.get(uri);
    const edit = session?.reject(id);
    if (!session || !edit) return false;
    this.afterResolve(session);
    const ok = await applyReplacements(session.document, [edit]);
    if (!ok) void notify.warn('Diffuse: the document changed; the hunk could not be rejected. Use Undo to revert it.');
    else await this.cleanIfRestored(session);
    return ok;
  }

  acceptAll(uri: string): number {
    const session = this.sessions.get(uri);
    if (!session) return 0;
    const n = session.acceptAll().length;
    this.afterResolve(session);
    return n;
  }

  /** Rejects every pending hunk in one edit (one Undo brings the proposal back). */
  async rejectAll(uri: string): Promise<number> {
    const session = this.sessions.get(uri);
    if (!session) return 0;
    const edits = session.rejectAll();
    this.afterResolve(session);
    if (!(await applyReplacements(session.document, edits))) {
      void notify.warn('Diffuse: the document changed; the review could not be rejected. Use Undo to revert it.');
      return 0;
    }
    await this.cleanIfRestored(session);
    return edits.length;
  }

  /**
   * After the last hunk is rejected: a document that was saved before the proposal and now holds
   * exactly that text again is the file on disk, so its tab is made clean again (reverted to the
   * disk's identical content) instead of asking to save.
   */
  private async cleanIfRestored(session: ReviewSession): Promise<void> {
    const before = this.cleanBefore.get(session.uri);
    if (!session.done || before === undefined) return;
    this.cleanBefore.delete(session.uri);
    const doc = session.document;
    if (doc.isClosed || !doc.isDirty || doc.getText() !== before || doc.uri.scheme !== 'file') return;
    try {
      const disk = new TextDecoder().decode(await vscode.workspace.fs.readFile(doc.uri));
      if (disk.replace(/\r\n/g, '\n') !== before.replace(/\r\n/g, '\n')) return;
    } catch {
      return;
    }
    const editor = vscode.window.visibleTextEditors.find(e => e.document === doc);
    if (editor && vscode.window.activeTextEditor?.document !== doc) await vscode.window.showTextDocument(doc, editor.viewColumn);
    if (vscode.window.activeTextEditor?.document === doc) await vscode.commands.executeCommand('workbench.action.files.revert');
  }

  /** The session and hunk at the cursor of the active editor. */
  atCursor(): { uri: string; hunk: PendingHunk } | undefined {
    const editor = vscode.window.activeTextEditor;
    const session = editor && this.sessions.get(editor.document.uri.toString());
    const hunk = session?.hunkAt(editor!.selection.active);
    return session && hunk ? { uri: session.uri, hunk } : undefined;
  }

  /** Moves the cursor to the next (or previous) pending hunk of the active editor. */
  navigate(direction: 1 | -1): boolean {
    const editor = vscode.window.activeTextEditor;
    const session = editor && this.sessions.get(editor.document.uri.toString());
    if (!editor || !session) return false;
    const at = editor.selection.active;
    const hunk = direction === 1 ? session.next(at) : session.previous(at);
    if (!hunk) return false;
    const range = session.rangeOf(hunk);
    editor.selection = new vscode.Selection(range.start, range.start);
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    return true;
  }

  /**
   * Moves the cursor to the next pending hunk whose confidence is below the threshold and selects
   * its least certain token; false when the active editor has none.
   */
  nextLowConfidence(): boolean {
    const editor = vscode.window.activeTextEditor;
    const session = editor && this.sessions.get(editor.document.uri.toString());
    const hunk = session?.nextBelow(editor!.selection.active, this.lowConfidence());
    if (!editor || !session || !hunk) return false;
    this.reveal(editor, session, hunk);
    return true;
  }

  /** Selects a hunk's least certain token (or its start) and scrolls to it. */
  revealLeastCertain(uri: string, id: string): boolean {
    const session = this.sessions.get(uri);
    const hunk = session?.get(id);
    const editor = vscode.window.visibleTextEditors.find(e => e.document.uri.toString() === uri);
    if (!session || !hunk || !editor) return false;
    this.reveal(editor, session, hunk);
    return true;
  }

  private reveal(editor: vscode.TextEditor, session: ReviewSession, hunk: PendingHunk): void {
    const range = session.leastCertainRange(hunk) ?? session.rangeOf(hunk).with({ end: session.rangeOf(hunk).start });
    editor.selection = new vscode.Selection(range.start, range.end);
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  /**
   * Rejects, in one edit, every pending hunk of the document whose confidence is below the
   * threshold; hunks without confidence stay. Returns how many were rejected and how many remain.
   */
  async rejectBelow(uri: string): Promise<{ rejected: number; remaining: number }> {
    const session = this.sessions.get(uri);
    if (!session) return { rejected: 0, remaining: 0 };
    const low = session.pending.filter(h => isLowConfidence(h, this.lowConfidence())).map(h => h.id);
    const edits = session.rejectMany(low);
    this.afterResolve(session);
    if (edits.length && !(await applyReplacements(session.document, edits))) {
      void notify.warn('Diffuse: the document changed; the hunks could not be rejected. Use Undo to revert them.');
      return { rejected: 0, remaining: session.pending.length };
    }
    await this.cleanIfRestored(session);
    return { rejected: edits.length, remaining: session.pending.length };
  }

  /** What the last render drew in the document's editor (for the in-host tests). */
  marks(uri: string): ReviewMarks | undefined {
    return this.drawn.get(uri);
  }

  /** Opens the original (every pending hunk rejected) beside the document under review. */
  async showDiff(uri: string): Promise<boolean> {
    const session = this.sessions.get(uri);
    if (!session) return false;
    await showDiff(session);
    return true;
  }

  /** Ends a review, leaving the document as it is (closing a file, a cancelled command). */
  end(uri: string, why: string): void {
    const session = this.sessions.get(uri);
    if (!session) return;
    this.sessions.delete(uri);
    this.notes.delete(uri);
    this.log.info(`review ended (${why}) uri=${uri}`);
    this.refresh(uri);
  }

  private onDocumentChanged(e: vscode.TextDocumentChangeEvent): void {
    const uri = e.document.uri.toString();
    const session = this.sessions.get(uri);
    if (!session || e.contentChanges.length === 0) return;
    const dropped = session.follow(e);
    if (dropped.length) this.log.info(`review: ${dropped.length} hunk(s) edited by the user, kept as typed uri=${uri}`);
    this.afterResolve(session);
  }

  private afterResolve(session: ReviewSession): void {
    if (session.done) {
      const t = session.tally();
      this.sessions.delete(session.uri);
      this.notes.delete(session.uri);
      void closeDiffs(session.uri);
      this.log.info(`review done uri=${session.uri} accepted=${t.accepted} rejected=${t.rejected} edited=${t.dropped}`);
    }
    this.refresh(session.uri);
  }

  private refresh(uri: string): void {
    this.renderAll();
    this.updateContextKey();
    this.lenses.refresh();
    this.originals.refresh(uri);
    this.changed.fire(uri);
  }

  private renderAll(): void {
    for (const editor of vscode.window.visibleTextEditors) {
      const session = this.sessions.get(editor.document.uri.toString());
      // The side-by-side diff shows the removed lines itself: nothing is drawn over it.
      const uri = editor.document.uri.toString();
      if (session && !inDiffEditor(editor)) this.drawn.set(uri, session.render(editor, this.decorations, this.lowConfidence()));
      else {
        ReviewSession.clear(editor, this.decorations);
        if (!session) this.drawn.delete(uri);
      }
    }
  }

  private updateContextKey(): void {
    const active = vscode.window.activeTextEditor;
    const visible = !!active && (this.sessions.get(active.document.uri.toString())?.pending.length ?? 0) > 0;
    void vscode.commands.executeCommand('setContext', CONTEXT_KEY, visible);
  }

  private toRange(doc: vscode.TextDocument, r: { start: number; end: number }): vscode.Range {
    return new vscode.Range(doc.positionAt(r.start), doc.positionAt(r.end));
  }

  dispose(): void {
    this.sessions.clear();
    void vscode.commands.executeCommand('setContext', CONTEXT_KEY, false);
    for (const d of this.disposables) d.dispose();
  }
}

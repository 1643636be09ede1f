import { structuredPatch } from 'diff';
import * as vscode from 'vscode';

/** Recent edits kept per document, the oldest dropped first. */
export const HISTORY_EDITS = 5;
/** Documents followed at most (the least recently edited dropped first). */
const HISTORY_DOCUMENTS = 20;
/** Larger documents are not followed: every keystroke would copy them. */
const HISTORY_MAX_CHARS = 300_000;
/** An edit's diff longer than this is left out (a paste of a whole file says little about intent). */
const HISTORY_MAX_DIFF = 4_000;
/** Changes closer together than this (ms) are one edit. */
const EDIT_PAUSE_MS = 1_500;

interface DocHistory {
  /** The text when the open edit began. */
  base: string;
  current: string;
  lastAt: number;
  diffs: string[];
}

let extensionEdits = 0;

/**
 * Runs `edit` (an edit the extension makes: a review going in, a hunk rejected) so that the
 * history does not take it for the user's.
 */
export async function asExtensionEdit<T>(edit: () => Thenable<T>): Promise<T> {
  extensionEdits++;
  try {
    return await edit();
  } finally {
    extensionEdits--;
  }
}

/**
 * The user's recent edits per document, for the next-edit API (`diffuse.remote.api: "edit"`):
 * changes a short pause apart are one edit, each kept as a unified diff, at most HISTORY_EDITS per
 * document and HISTORY_DOCUMENTS documents. Held in memory only: never written anywhere, and sent
 * only with a request to that API. The extension's own edits (reviews) are not the user's.
 */
export class EditHistory implements vscode.Disposable {
  private readonly docs = new Map<string, DocHistory>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly now: () => number = Date.now) {
    this.subscriptions = [
      vscode.workspace.onDidOpenTextDocument(doc => this.start(doc)),
      vscode.workspace.onDidChangeTextDocument(e => this.follow(e)),
      vscode.workspace.onDidCloseTextDocument(doc => this.docs.delete(doc.uri.toString())),
    ];
    for (const doc of vscode.workspace.textDocuments) this.start(doc);
  }

  /** Follows a document from its text now (the text before its first change is needed for that change's diff). */
  private start(doc: vscode.TextDocument): DocHistory | undefined {
    if (doc.uri.scheme !== 'file' && doc.uri.scheme !== 'untitled') return undefined;
    const text = doc.getText();
    if (text.length > HISTORY_MAX_CHARS) return undefined;
    const h: DocHistory = { base: text, current: text, lastAt: 0, diffs: [] };
    this.docs.set(doc.uri.toString(), h);
    if (this.docs.size > HISTORY_DOCUMENTS) this.docs.delete(this.docs.keys().next().value!);
    return h;
  }

  private follow(e: vscode.TextDocumentChangeEvent): void {
    const doc = e.document;
    if (e.contentChanges.length === 0 || (doc.uri.scheme !== 'file' && doc.uri.scheme !== 'untitled')) return;
    const uri = doc.uri.toString();
    const text = doc.getText();
    if (text.length > HISTORY_MAX_CHARS) {
      this.docs.delete(uri);
      return;
    }
    const h = this.docs.get(uri);
    if (!h) {
      // Not followed (dropped, or too large before): the history starts from here.
      this.start(doc);
      return;
    }
    // Most recently edited last.
    this.docs.delete(uri);
    this.docs.set(uri, h);
    if (extensionEdits > 0) {
      // Not the user's edit: what the user did before it is closed, and the history goes on from here.
      this.close(h, doc);
      h.base = h.current = text;
      return;
    }
    if (this.now() - h.lastAt > EDIT_PAUSE_MS) this.close(h, doc);
    h.current = text;
    h.lastAt = this.now();
  }

  /** Ends the open edit, keeping its diff. */
  private close(h: DocHistory, doc: vscode.TextDocument): void {
    const diff = unifiedDiff(relativePath(doc), h.base, h.current);
    if (diff && diff.length <= HISTORY_MAX_DIFF) h.diffs.push(diff);
    if (h.diffs.length > HISTORY_EDITS) h.diffs.splice(0, h.diffs.length - HISTORY_EDITS);
    h.base = h.current;
  }

  /** The document's recent edits as unified diffs, oldest first, the one in progress included. */
  recent(doc: vscode.TextDocument): string[] {
    const h = this.docs.get(doc.uri.toString());
    if (!h) return [];
    const open = unifiedDiff(relativePath(doc), h.base, h.current);
    return [...h.diffs, ...(open && open.length <= HISTORY_MAX_DIFF ? [open] : [])].slice(-HISTORY_EDITS);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.docs.clear();
  }
}

/** The document's path as the user knows it: relative to its workspace folder, else its file name. */
export function relativePath(doc: vscode.TextDocument): string {
  return vscode.workspace.asRelativePath(doc.uri, false);
}

/** `before` -> `after` as a unified diff (`--- path`, `+++ path`, hunks), or '' when they are equal. */
export function unifiedDiff(path: string, before: string, after: string): string {
  if (before === after) return '';
  const patch = structuredPatch(path, path, before, after, undefined, undefined, { context: 2 });
  const lines = [`--- ${path}`, `+++ ${path}`];
  for (const h of patch.hunks) lines.push(`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`, ...h.lines);
  return lines.join('\n');
}

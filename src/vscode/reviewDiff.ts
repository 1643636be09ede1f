/**
 * The side-by-side view of a review: the original (every pending hunk rejected) as a read-only
 * document of its own scheme, opened in VS Code's diff editor beside the document under review,
 * and closed when the review ends.
 */
import * as vscode from 'vscode';
import type { ReviewSession } from './reviewSession';

export const ORIGINAL_SCHEME = 'diffuse-original';

/** The original's URI of the review of document `uri`. */
function originalUri(uri: string): vscode.Uri {
  return vscode.Uri.parse(uri).with({ scheme: ORIGINAL_SCHEME, query: encodeURIComponent(uri) });
}

/** Serves the originals of the reviews `lookup` finds, and says when one changed. */
export class OriginalContent implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly lookup: (uri: string) => ReviewSession | undefined) {}

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.lookup(decodeURIComponent(uri.query))?.originalText() ?? '';
  }

  /** The review of document `uri` moved, resolved a hunk or ended. */
  refresh(uri: string): void {
    this.changed.fire(originalUri(uri));
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** Opens the original beside the document under review. */
export async function showDiff(session: ReviewSession): Promise<void> {
  const name = session.document.uri.path.split('/').pop() ?? 'file';
  await vscode.commands.executeCommand('vscode.diff', originalUri(session.uri), session.document.uri, `${name} (original \u2194 Diffuse proposal)`);
}

/** Closes the side-by-side views of a review that has ended: they would show nothing true any more. */
export async function closeDiffs(uri: string): Promise<void> {
  const tabs = vscode.window.tabGroups.all.flatMap(g => g.tabs).filter(t => t.input instanceof vscode.TabInputTextDiff
    && t.input.original.scheme === ORIGINAL_SCHEME && decodeURIComponent(t.input.original.query) === uri);
  if (tabs.length) await vscode.window.tabGroups.close(tabs, true);
}

/**
 * Whether `editor` is the right side of a diff editor: the editors inside a diff have no view
 * column of their own, and an open diff tab shows this document on its right.
 */
export function inDiffEditor(editor: vscode.TextEditor): boolean {
  if (editor.viewColumn !== undefined) return false;
  const uri = editor.document.uri.toString();
  return vscode.window.tabGroups.all.some(g => g.tabs.some(t => t.input instanceof vscode.TabInputTextDiff && t.input.modified.toString() === uri));
}

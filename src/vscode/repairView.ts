import * as vscode from 'vscode';
import type { OffsetRange } from '../core/types';

/**
 * The live view of Diffuse Repair: the tokens the model found improbable are outlined (and marked in
 * the overview ruler) from the moment they are scored until their fill is shown for review, so the
 * user sees what is about to be rewritten. Decorations only: the document is untouched.
 */
export class RepairView implements vscode.Disposable {
  private readonly type = vscode.window.createTextEditorDecorationType({
    backgroundColor: new vscode.ThemeColor('editorWarning.background'),
    border: '1px dashed',
    borderColor: new vscode.ThemeColor('editorWarning.foreground'),
    overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.warningForeground'),
    overviewRulerLane: vscode.OverviewRulerLane.Right,
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });

  /** Outlines `spans` (offsets of the base text, moved into the document as it is now by `rebase`). */
  show(doc: vscode.TextDocument, spans: readonly OffsetRange[], rebase: (r: OffsetRange) => OffsetRange | undefined): void {
    if (doc.isClosed) return;
    const ranges = spans
      .map(rebase)
      .filter((r): r is OffsetRange => r !== undefined)
      .map(r => new vscode.Range(doc.positionAt(r.start), doc.positionAt(r.end)));
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document === doc) editor.setDecorations(this.type, ranges);
    }
  }

  clear(doc: vscode.TextDocument): void {
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document === doc) editor.setDecorations(this.type, []);
    }
  }

  dispose(): void {
    this.type.dispose();
  }
}

import * as vscode from 'vscode';

/** Confidence marks from the least sure up: below a third, two thirds and all of the threshold. */
export const CONFIDENCE_LEVELS = 3;
/** The theme colour of each confidence mark's background, the least sure first. */
export const CONFIDENCE_BACKGROUNDS = ['diffuse.confidenceLowBackground', 'diffuse.confidenceMediumBackground', 'diffuse.confidenceSlightBackground'] as const;

function confidenceMark(background: string): vscode.TextEditorDecorationType {
  return vscode.window.createTextEditorDecorationType({
    backgroundColor: new vscode.ThemeColor(background),
    borderColor: new vscode.ThemeColor('diffuse.confidenceUnderline'),
    borderStyle: 'none none dotted none',
    borderWidth: '0 0 1px 0',
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
}

/**
 * Which confidence mark a token gets under `threshold` (0 the strongest), or undefined for none:
 * the strength follows the probability.
 */
export function confidenceLevel(p: number, threshold: number): number | undefined {
  if (!(p < threshold)) return undefined;
  return Math.min(CONFIDENCE_LEVELS - 1, Math.floor((p / threshold) * CONFIDENCE_LEVELS));
}

/** The decoration types of the review and the live view; created once, disposed with the extension. */
export class DiffuseDecorations implements vscode.Disposable {
  /** Proposed tokens below the confidence threshold, the least sure first (see confidenceLevel). */
  readonly confidence: readonly vscode.TextEditorDecorationType[] = CONFIDENCE_BACKGROUNDS.map(confidenceMark);

  /** A marker in the gutter where a hunk removes lines (their text is in the hover and the preview). */
  readonly removedGutter: vscode.TextEditorDecorationType;

  constructor(extensionUri?: vscode.Uri) {
    this.removedGutter = vscode.window.createTextEditorDecorationType({
      gutterIconPath: extensionUri && vscode.Uri.joinPath(extensionUri, 'media', 'removed-lines.svg'),
      gutterIconSize: 'contain',
    });
  }

  readonly added = vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    backgroundColor: new vscode.ThemeColor('diffEditor.insertedLineBackground'),
    overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.addedForeground'),
    overviewRulerLane: vscode.OverviewRulerLane.Left,
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });

  /** The removed text of a hunk, shown as injected text: it is never part of the document. */
  readonly removed = vscode.window.createTextEditorDecorationType({
    overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.deletedForeground'),
    overviewRulerLane: vscode.OverviewRulerLane.Left,
    after: {
      backgroundColor: new vscode.ThemeColor('diffEditor.removedTextBackground'),
      color: new vscode.ThemeColor('editorGhostText.foreground'),
      textDecoration: 'line-through',
      margin: '0 0 0 2ch',
    },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });

  /** Hides the text a fill is rewriting, so the canvas drawn over it reads cleanly. */
  readonly liveHidden = vscode.window.createTextEditorDecorationType({ opacity: '0' });

  /** The canvas of the running fill, one line of it injected before each target line. */
  readonly liveCanvas = vscode.window.createTextEditorDecorationType({
    before: {
      color: new vscode.ThemeColor('editor.foreground'),
      backgroundColor: new vscode.ThemeColor('diffEditor.insertedTextBackground'),
    },
  });

  /** Every type the review draws, for clearing an editor. */
  get review(): readonly vscode.TextEditorDecorationType[] {
    return [this.added, this.removed, this.removedGutter, ...this.confidence];
  }

  dispose(): void {
    for (const t of this.confidence) t.dispose();
    this.removedGutter.dispose();
    this.added.dispose();
    this.removed.dispose();
    this.liveHidden.dispose();
    this.liveCanvas.dispose();
  }
}

/**
 * Injected text collapses runs of spaces and cannot hold a line break, so indentation becomes
 * no-break spaces and an empty line a zero-width space (an empty contentText renders nothing).
 */
export function injectable(line: string): string {
  const text = line.replace(/\t/g, '    ').replace(/ /g, '\u00a0');
  return text.length ? text : '\u200b';
}

/**
 * Short summary of removed lines for an inline preview, kept short so that it never runs off the
 * edge: the count, the first non-blank line cut to `max` characters, and how many more there are.
 * The hover shows them in full, syntax-highlighted.
 */
export function summarizeRemoved(removed: string, max = 60): string {
  const lines = removed.split(/\r\n|\n|\r/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  const first = lines.find(l => l.trim() !== '')?.trim() ?? '';
  const shown = first.length > max ? `${first.slice(0, max - 1)}\u2026` : first;
  const more = lines.length > 1 ? ` (+${lines.length - 1} more, hover to see)` : '';
  return injectable(`\u2212${lines.length} ${shown}${more}`);
}

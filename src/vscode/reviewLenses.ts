/**
 * The review's CodeLens: Accept and Reject on each pending hunk, the hunk's confidence (its least
 * certain token's probability, which selects that token on a click) or why it has none, and where
 * a proposal taken from existing code came from (a click opens it there).
 */
import * as vscode from 'vscode';
import { percent } from '../core/confidence';
import { hunkConfidence, isLowConfidence, type PendingHunk } from '../core/review';
import type { ReviewSession } from './reviewSession';

/** Where a review's text was taken from: a line of the document, or of another file. */
export interface ReviewOrigin {
  /** What the lens says after "from": `line 22`, `src/other.ts:12`. */
  readonly label: string;
  /** The document the line is in, and the line (0-based). */
  readonly uri: string;
  readonly line: number;
  readonly tooltip: string;
}

export class ReviewLenses implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  /**
   * `lookup`: the review of a document; `noConfidence`: why a review's proposal carries no
   * confidence; `lowConfidence`: the threshold below which a hunk is low-confidence.
   */
  constructor(
    private readonly lookup: (uri: string) => ReviewSession | undefined,
    private readonly noConfidence: (uri: string) => string | undefined,
    private readonly lowConfidence: () => number,
    private readonly origin: (uri: string) => ReviewOrigin | undefined = () => undefined,
  ) {}

  refresh(): void {
    this.changed.fire();
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const session = this.lookup(document.uri.toString());
    if (!session) return [];
    const origin = this.origin(session.uri);
    return session.pending.flatMap(h => {
      const line = new vscode.Range(session.anchorLine(h), 0, session.anchorLine(h), 0);
      const args = [session.uri, h.id];
      return [
        new vscode.CodeLens(line, { title: '$(check) Accept', command: 'diffuse.acceptHunk', arguments: args, tooltip: 'Keep this change' }),
        new vscode.CodeLens(line, { title: '$(close) Reject', command: 'diffuse.rejectHunk', arguments: args, tooltip: 'Restore the original lines' }),
        ...this.confidenceLens(session, h, line),
        ...(origin && h.added.trim() ? [new vscode.CodeLens(line, {
          title: `\u00b7 from ${origin.label}`,
          command: 'vscode.open',
          arguments: [vscode.Uri.parse(origin.uri), { selection: new vscode.Range(origin.line, 0, origin.line, 0), preview: true, viewColumn: vscode.ViewColumn.Beside }],
          tooltip: origin.tooltip,
        })] : []),
      ];
    });
  }

  /** The hunk's confidence as a CodeLens (`· 62%`, `⚠ 31% low confidence`), or why there is none. */
  private confidenceLens(session: ReviewSession, h: PendingHunk, line: vscode.Range): vscode.CodeLens[] {
    if (!h.added.trim()) return [];
    const p = hunkConfidence(h);
    if (p === undefined) {
      const why = this.noConfidence(session.uri);
      return why ? [new vscode.CodeLens(line, { title: `\u00b7 ${why}`, command: '', tooltip: 'Confidence comes from the model\'s probabilities; this proposal has none.' })] : [];
    }
    const low = isLowConfidence(h, this.lowConfidence());
    const least = h.confidence!.find(t => t.p === p)!;
    return [new vscode.CodeLens(line, {
      title: `${low ? '$(warning) ' : '\u00b7 '}${percent(p)}${low ? ' low confidence' : ''}`,
      command: 'diffuse.revealLeastCertain',
      arguments: [session.uri, h.id],
      tooltip: `The model's least certain token in this hunk: \`${h.added.slice(least.start, least.end)}\` at ${percent(p)}. Click to select it.`,
    })];
  }

  dispose(): void {
    this.changed.dispose();
  }
}

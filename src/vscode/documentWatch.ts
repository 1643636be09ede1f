import * as vscode from 'vscode';
import { rebaseRange, type TextChange } from '../core/rebase';
import type { OffsetRange } from '../core/types';
import type { DocumentJob } from './documentJobs';
import type { FillRecord } from './fillRecord';

/**
 * A fill's or a repair's hold on its document while it runs: the text and version it read, every
 * change made since (to rebase its result across), and one cancellation for all its causes — the
 * command's token, the progress notification's Cancel, the job registry (file closed), and typing
 * inside the watched range, which stops the job at once rather than when its result is ready.
 */
export class DocumentWatch implements DocumentJob, vscode.Disposable {
  readonly cts = new vscode.CancellationTokenSource();
  /** Aborted with `cts`: the engine and the model worker take an AbortSignal. */
  readonly signal: AbortSignal;
  readonly baseText: string;
  readonly version: number;
  /** The document's changes since `version`, one batch per change event. */
  readonly since: TextChange[][] = [];
  private typedInside = false;
  private readonly disposables: vscode.Disposable[];

  /**
   * `watched`: the range of the text read now that must stay untouched; `refusal`: the record's
   * message when the user types inside it.
   */
  constructor(
    private readonly doc: vscode.TextDocument,
    private watched: OffsetRange,
    private readonly refusal: string,
    token?: vscode.CancellationToken,
  ) {
    // The text, version and change listener are taken in the same tick, so no edit can slip between.
    this.baseText = doc.getText();
    this.version = doc.version;
    const abort = new AbortController();
    this.signal = abort.signal;
    this.disposables = [
      this.cts,
      this.cts.token.onCancellationRequested(() => abort.abort()),
      vscode.workspace.onDidChangeTextDocument(e => this.changed(e)),
    ];
    if (token) this.cancelWith(token);
  }

  /** Moves a range of `baseText` into the document as it is now; undefined when it was typed over. */
  rebase(range: OffsetRange): OffsetRange | undefined {
    return rebaseRange(range, this.since);
  }

  /** Widens the watched range to cover `ranges` too (what the job has decided to rewrite). */
  watch(ranges: readonly OffsetRange[]): void {
    this.watched = ranges.reduce((a, b) => ({ start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) }), this.watched);
  }

  /** Runs `task` under a cancellable progress notification whose Cancel cancels this job. */
  withProgress<R>(title: string, task: (progress: vscode.Progress<{ message?: string; increment?: number }>) => Promise<R>): Thenable<R> {
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      (progress, progressToken) => {
        this.cancelWith(progressToken);
        return task(progress);
      },
    );
  }

  /**
   * The record of a cancelled job after `steps` denoising steps, or undefined while it runs on:
   * refused when the user typed inside the watched range, cancelled otherwise.
   */
  stopped(steps: number): FillRecord | undefined {
    if (!this.cts.token.isCancellationRequested) return undefined;
    const uri = this.doc.uri.toString();
    return this.typedInside
      ? { uri, outcome: 'refused', steps, message: this.refusal }
      : { uri, outcome: 'cancelled', steps };
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  private cancelWith(token: vscode.CancellationToken): void {
    this.disposables.push(token.onCancellationRequested(() => this.cts.cancel()));
  }

  private changed(e: vscode.TextDocumentChangeEvent): void {
    if (e.document !== this.doc || e.contentChanges.length === 0) return;
    this.since.push(e.contentChanges.map(c => ({ start: c.rangeOffset, end: c.rangeOffset + c.rangeLength, text: c.text })));
    // Typing inside the watched range makes the result useless: stop now, not at the end.
    if (!rebaseRange(this.watched, this.since)) {
      this.typedInside = true;
      this.cts.cancel();
    }
  }
}

import * as vscode from 'vscode';
import { DocumentJobs, hasTab } from './documentJobs';
import { rebaseRange, type TextChange } from '../core/rebase';
import type { OffsetRange, RootedEdit } from '../core/types';
import type { BackendService } from './backendService';
import type { DiffuseDecorations } from './decorations';
import type { Anchoring, EditStep } from './engine';
import type { FillRecord } from './fillRecord';
import { LiveView } from './liveView';
import type { DiffuseLog } from './log';
import type { ReviewManager } from './reviewManager';
import type { Settings } from './settings';
import type { DiffuseStatusBar } from './statusBar';

/** A step as the test API reports it: the document and the canvas text so far. */
export interface LiveStep {
  readonly uri: string;
  readonly step: number;
  readonly totalSteps: number;
  readonly canvas: string;
  /** Positions still masked, over all chunks. */
  readonly masked: number;
}

interface Running {
  readonly cts: vscode.CancellationTokenSource;
  typedInside: boolean;
}

/**
 * Runs fills: one at a time per document, each with a live view, a cancellable progress
 * notification and a check of the document before its result is shown for review.
 */
export class FillRunner implements vscode.Disposable {
  private readonly running = new DocumentJobs<Running>();
  private readonly stepped = new vscode.EventEmitter<LiveStep>();
  private readonly finished = new vscode.EventEmitter<FillRecord>();
  /** Test seam: runs after the engine answered and before the document is checked and edited. */
  beforeApply: ((uri: string) => Promise<void> | void) | undefined;
  lastFill: FillRecord | undefined;

  readonly onDidStep = this.stepped.event;
  readonly onDidFinish = this.finished.event;

  constructor(
    private readonly settings: Settings,
    private readonly backends: BackendService,
    private readonly reviews: ReviewManager,
    private readonly decorations: DiffuseDecorations,
    private readonly log: DiffuseLog,
    private readonly status: DiffuseStatusBar,
  ) {}

  isRunning(uri: string): boolean {
    return this.running.has(uri);
  }

  /** Cancels the fill of one document, or every fill; true when one was running. */
  cancel(uri?: string): boolean {
    return this.running.cancel(uri);
  }

  /** `instruction`: what the user asked for (Diffuse Edit…), for backends that follow instructions. */
  async fill(doc: vscode.TextDocument, target: OffsetRange, anchoring: Anchoring, token?: vscode.CancellationToken, instruction?: string): Promise<FillRecord> {
    const uri = doc.uri.toString();
    if (this.running.has(uri)) return this.finish({ uri, outcome: 'refused', steps: 0, message: 'A fill is already running in this file.' });
    if (this.reviews.has(uri)) {
      return this.finish({ uri, outcome: 'refused', steps: 0, message: 'Accept or reject the pending changes in this file first.' });
    }

    // The text, version and change listener are taken in the same tick, so no edit can slip between.
    const baseText = doc.getText();
    const version = doc.version;
    const since: TextChange[][] = [];
    const cts = new vscode.CancellationTokenSource();
    const run: Running = { cts, typedInside: false };
    const disposables: vscode.Disposable[] = [cts];
    disposables.push(vscode.workspace.onDidChangeTextDocument(e => {
      if (e.document !== doc || e.contentChanges.length === 0) return;
      since.push(e.contentChanges.map(c => ({ start: c.rangeOffset, end: c.rangeOffset + c.rangeLength, text: c.text })));
      // Typing inside the target makes the result useless: stop denoising now, not at the end.
      if (!rebaseRange(target, since)) {
        run.typedInside = true;
        cts.cancel();
      }
    }));
    if (token) disposables.push(token.onCancellationRequested(() => cts.cancel()));
    this.running.set(uri, run);

    const live = this.settings.get('liveView') ? new LiveView(doc, this.decorations, target, r => rebaseRange(r, since)) : undefined;
    let steps = 0;
    const onStep = (e: EditStep): void => {
      steps++;
      live?.push(e);
      this.stepped.fire({ uri, step: e.step, totalSteps: e.totalSteps, canvas: e.canvases.join(''),
        masked: e.masked.reduce((a, b) => a + b, 0) });
    };
    const cancelled = (): FillRecord | undefined => {
      if (!cts.token.isCancellationRequested) return undefined;
      return run.typedInside
        ? { uri, outcome: 'refused', steps, message: 'The text being rewritten was edited while the fill ran; the result was discarded.' }
        : { uri, outcome: 'cancelled', steps };
    };

    this.status.busy('Diffuse: filling…');
    try {
      const answer = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Diffuse', cancellable: true },
        async (progress, progressToken) => {
          disposables.push(progressToken.onCancellationRequested(() => cts.cancel()));
          const abort = new AbortController();
          disposables.push(cts.token.onCancellationRequested(() => abort.abort()));
          progress.report({ message: 'denoising…' });
          return this.backends.runEdit({
            docText: baseText,
            range: target,
            languageId: doc.languageId,
            anchoring,
            sampler: this.settings.sampler(),
            maxTokens: this.settings.get('maxTokens'),
            onStep: e => {
              onStep(e);
              progress.report({ message: `step ${e.step}/${e.totalSteps}` });
            },
            signal: abort.signal,
            instruction,
          });
        },
      );
      live?.dispose();
      const { result, backend } = answer;
      if (result.notice) this.log.info(result.notice);
      const base: FillRecord = {
        uri, outcome: 'review', range: result.range, model: modelLabel(backend.describe(), backend.provider), provider: backend.provider,
        steps, nfe: result.nfe, ms: result.ms, syntaxOk: result.syntaxOk, repairRounds: result.repairRounds,
      };
      await this.beforeApply?.(uri);
      const stop = cancelled();
      if (stop) return this.finish({ ...base, ...stop });
      if (!hasTab(uri)) return this.finish({ ...base, outcome: 'cancelled', message: CLOSED });

      const edit: RootedEdit = { docId: uri, version, baseText, range: result.range, newText: result.newText };
      return await this.present(doc, edit, since, base);
    } catch (err) {
      const stop = cancelled();
      if (stop) return this.finish(stop);
      this.log.error('fill failed', err);
      return this.finish({ uri, outcome: 'failed', steps, message: err instanceof Error ? err.message : String(err) });
    } finally {
      live?.dispose();
      this.running.delete(uri);
      for (const d of disposables) d.dispose();
    }
  }

  /**
   * Shows `newText` over `range` of the document as it is now, through the same path as a
   * finished fill (rooted edit, then review): for the in-host tests, which need known proposals
   * to check the review byte for byte whatever the model would propose.
   */
  propose(doc: vscode.TextDocument, range: OffsetRange, newText: string): Promise<FillRecord> {
    const uri = doc.uri.toString();
    const edit: RootedEdit = { docId: uri, version: doc.version, baseText: doc.getText(), range, newText };
    return this.present(doc, edit, [], { uri, outcome: 'review', range, steps: 0 });
  }

  /**
   * The one path from a finished fill to a review: the edit is moved across `since` (the changes
   * made after its version) or refused, then shown as hunks; `base` is the record of the fill.
   */
  private async present(doc: vscode.TextDocument, edit: RootedEdit, since: readonly (readonly TextChange[])[], base: FillRecord): Promise<FillRecord> {
    const started = await this.reviews.start(doc, edit, since);
    const content = this.settings.get('debugLogContent')
      ? { before: edit.baseText.slice(edit.range.start, edit.range.end), after: edit.newText }
      : undefined;
    if (started.kind === 'refused') return this.finish({ ...base, outcome: 'refused', message: started.message }, content);
    if (started.kind === 'no-change') return this.finish({ ...base, outcome: 'no-change', hunks: 0 }, content);
    if (base.syntaxOk === false) {
      void vscode.window.showWarningMessage('Diffuse: the proposed code still has syntax errors after repair; review it carefully.');
    }
    return this.finish({ ...base, outcome: 'review', hunks: started.hunks }, content);
  }

  private finish(record: FillRecord, content?: { before: string; after: string }): FillRecord {
    this.lastFill = record;
    this.log.fill(record, content);
    this.status.update(record);
    if (record.outcome === 'refused' || record.outcome === 'failed') {
      void vscode.window.showWarningMessage(`Diffuse: ${record.message ?? 'the fill failed.'}`, 'Show Log').then(choice => {
        if (choice) this.log.channel.show(true);
      });
    } else if (record.outcome === 'no-change') {
      void vscode.window.showInformationMessage('Diffuse: the model proposed no change.');
    }
    this.finished.fire(record);
    return record;
  }

  dispose(): void {
    this.running.dispose();
    this.stepped.dispose();
    this.finished.dispose();
  }
}

export const CLOSED = 'The file was closed before the fill finished; nothing was changed.';

/** The backend's description without the provider, which the status bar shows on its own. */
function modelLabel(description: string, provider: string): string {
  const suffix = ` (${provider})`;
  return description.endsWith(suffix) ? description.slice(0, -suffix.length) : description;
}

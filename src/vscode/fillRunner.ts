import * as vscode from 'vscode';
import { notify } from './notify';
import { DocumentJobs, hasTab, whyBusy, type DocumentJob } from './documentJobs';
import type { TextChange } from '../core/rebase';
import { runApply, type ApplyOutcome } from '../engine/apply';
import { LINE_FILL_TOKENS } from '../engine/defaults';
import type { OffsetRange, RootedEdit, TokenConfidence } from '../core/types';
import type { OtherFiles } from '../core/lineIndex';
import type { BackendService } from './backendService';
import type { DiffuseDecorations } from './decorations';
import { DocumentWatch } from './documentWatch';
import type { Anchoring, EditResult, EditStep } from './engine';
import type { FillRecord } from './fillRecord';
import { LiveView } from './liveView';
import type { StarterNotice } from './starterNotice';
import { relativePath, type EditHistory } from './editHistory';
import type { DiffuseLog } from './log';
import type { ReviewManager } from './reviewManager';
import type { ReviewOrigin } from './reviewLenses';
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

/**
 * Runs fills: one at a time per document, each with a live view, a cancellable progress
 * notification and a check of the document before its result is shown for review.
 */
export class FillRunner implements vscode.Disposable {
  /** The fills in flight, one per document: cancelled by Cancel Fill and on closing their file. */
  readonly jobs = new DocumentJobs<DocumentWatch>();
  /** Other jobs that hold a document (repairs): a fill waits for them too. */
  private readonly others: DocumentJobs<DocumentJob>[] = [];
  private readonly stepped = new vscode.EventEmitter<LiveStep>();
  private readonly finished = new vscode.EventEmitter<FillRecord>();
  private readonly phases = new vscode.EventEmitter<{ readonly uri: string; readonly phase: string }>();
  /** Each phase a fill enters after its first denoising (checking syntax, repairing, ...). */
  readonly onDidEnterPhase = this.phases.event;
  /** The one-time word about the bundled starter model, shown as a large rewrite starts. */
  starterNotice: StarterNotice | undefined;
  /** The user's recent edits per document, sent with a fill only to a next-edit backend. */
  editHistory: EditHistory | undefined;
  /** The workspace's other files of a document's language, whose lines a blank line may be filled with. */
  workspaceLines: ((doc: vscode.TextDocument) => OtherFiles) | undefined;
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

  /** A document with a job in `jobs` (a repair, say) is busy for fills as well. */
  shareBusyWith(jobs: DocumentJobs<DocumentJob>): void {
    this.others.push(jobs);
  }

  /**
   * `instruction`: what the user asked for (Diffuse Edit…), for backends that follow instructions.
   * `blankLine`: the empty `target` is a blank line's end, and the fill is that line (a canvas of
   * LINE_FILL_TOKENS, one line kept).
   */
  async fill(doc: vscode.TextDocument, target: OffsetRange, anchoring: Anchoring, token?: vscode.CancellationToken, instruction?: string, blankLine = false): Promise<FillRecord> {
    const uri = doc.uri.toString();
    const busy = whyBusy(uri, [this.jobs, ...this.others], this.reviews);
    if (busy) return this.finish({ uri, outcome: 'refused', steps: 0, message: busy });
    this.starterNotice?.maybeShow(this.backends.isBundled(), doc.positionAt(target.end).line - doc.positionAt(target.start).line + 1);

    const job = new DocumentWatch(doc, target, blankLine ? 'The line being filled was edited while the fill ran; the result was discarded.'
      : 'The text being rewritten was edited while the fill ran; the result was discarded.', token);
    // The blank line is the fill's: typing anywhere on it, its end included, makes the fill moot.
    if (blankLine) {
      const line = doc.lineAt(doc.positionAt(target.start));
      job.watch([{ start: doc.offsetAt(line.range.start), end: doc.offsetAt(line.rangeIncludingLineBreak.end) }]);
    }
    this.jobs.set(uri, job);

    const live = this.settings.get('liveView') ? new LiveView(doc, this.decorations, target, r => job.rebase(r), this.settings.get('review.lowConfidence')) : undefined;
    // The selection highlight would cover the live view: collapsed while the fill runs, given back
    // afterwards unless the document changed (a review went in, or the user typed).
    const held = live ? holdSelection(doc) : undefined;
    let steps = 0;
    const onStep = (e: EditStep): void => {
      steps++;
      live?.push(e);
      this.stepped.fire({ uri, step: e.step, totalSteps: e.totalSteps, canvas: e.canvases.join(''),
        masked: e.masked.reduce((a, b) => a + b, 0) });
    };

    const remote = this.settings.get('backend') === 'remote';
    this.status.busy(remote ? 'Diffuse: requesting…' : 'Diffuse: filling…');
    try {
      const answer = await job.withProgress('Diffuse', async progress => {
        // The toast names the phase and the time so far, refreshed every second: never a frozen step.
        const started = Date.now();
        let phase = remote ? 'requesting…' : 'denoising…';
        let step = '';
        const show = (): void => progress.report({ message: `${[step, phase].filter(Boolean).join(' · ')} · ${Math.round((Date.now() - started) / 1000)} s` });
        show();
        const timer = setInterval(show, 1000);
        try {
          return await this.backends.runEdit({
            docText: job.baseText,
            range: target,
            languageId: doc.languageId,
            anchoring,
            sampler: this.settings.userSampler(),
            maxTokens: blankLine ? LINE_FILL_TOKENS : this.settings.get('maxTokens'),
            oneLine: blankLine,
            elsewhere: blankLine ? this.workspaceLines?.(doc) : undefined,
            repairEffort: this.settings.get('repair.effort'),
            onStep: e => {
              onStep(e);
              step = remote ? `${e.step} piece${e.step === 1 ? '' : 's'} received` : `step ${e.step}/${e.totalSteps}`;
              show();
            },
            onPhase: p => {
              phase = p;
              this.phases.fire({ uri, phase: p });
              show();
            },
            signal: job.signal,
            instruction,
            // Only a next-edit backend is sent the user's recent edits.
            editContext: this.editHistory && this.backends.capabilities().nextEdit
              ? { history: this.editHistory.recent(doc), filePath: relativePath(doc) } : undefined,
          });
        } finally {
          clearInterval(timer);
        }
      });
      live?.dispose();
      const { result, backend } = answer;
      if (result.notice) this.log.info(result.notice);
      const base: FillRecord = {
        uri, outcome: 'review', range: result.range, model: modelLabel(backend.describe(), backend.provider), source: backend.source, provider: backend.provider,
        steps, nfe: result.nfe, ms: result.ms, syntaxOk: result.syntaxChecked === false ? undefined : result.syntaxOk, repairRounds: result.repairRounds,
        variantFills: result.variantFills, recovered: result.recovered, analogLine: result.analog && result.analog.line + 1, analogFile: result.analog?.file, analogAdapted: result.analog?.adapted,
      };
      await this.beforeApply?.(uri);
      const stop = job.stopped(steps);
      if (stop) return this.finish({ ...base, ...stop });
      if (!hasTab(uri)) return this.finish({ ...base, outcome: 'cancelled', message: CLOSED });

      const edit: RootedEdit = { docId: uri, version: job.version, baseText: job.baseText, range: result.range, newText: result.newText, confidence: result.confidence };
      return await this.present(doc, edit, job.since, base, result.syntaxChecked === false
        ? `Diffuse: syntax not checked: there is no grammar for "${doc.languageId}" files, so nothing checked the proposal; review it carefully.` : undefined,
      backend.givesConfidence ? 'no confidence: the server\'s answer carried none' : undefined, result.analog && analogOrigin(uri, result.analog));
    } catch (err) {
      const stop = job.stopped(steps);
      if (stop) return this.finish(stop);
      this.log.error('fill failed', err);
      return this.finish({ uri, outcome: 'failed', steps, message: err instanceof Error ? err.message : String(err) });
    } finally {
      held?.restore();
      live?.dispose();
      this.jobs.delete(uri);
      job.dispose();
    }
  }

  /**
   * Diffuse Apply: `snippet` placed in the document by alignment (engine/apply), then the same
   * review as a fill. A piece that cannot be placed refuses the whole apply, naming the snippet's
   * lines and why; nothing is changed.
   */
  async apply(doc: vscode.TextDocument, snippet: string, source: string): Promise<FillRecord> {
    const uri = doc.uri.toString();
    const busy = whyBusy(uri, [this.jobs, ...this.others], this.reviews);
    if (busy) return this.finish({ uri, outcome: 'refused', steps: 0, message: busy });
    const version = doc.version;
    const baseText = doc.getText();
    // The server merges only when its apply API is chosen; otherwise alignment, here, with no model.
    const viaServer = this.settings.get('backend') === 'remote' && this.settings.get('remote.api') === 'apply';
    this.status.busy(viaServer ? 'Diffuse: requesting the merge…' : 'Diffuse: applying…');
    let r: ApplyOutcome;
    // A local apply runs no model: the status bar keeps naming the one in use.
    let model: string | undefined;
    try {
      const server = viaServer ? await this.backends.get() : undefined;
      if (server) model = server.describe();
      const merge = server?.applySnippet;
      r = await runApply({ docText: baseText, snippet, languageId: doc.languageId, remote: server && merge && ((original, s) => merge.call(server, original, s)) });
    } catch (err) {
      this.log.error('apply failed', err);
      return this.finish({ uri, outcome: 'failed', steps: 0, model, message: err instanceof Error ? err.message : String(err) });
    }
    const base: FillRecord = {
      uri, outcome: 'review', range: r.range, model, source, steps: 0, nfe: r.modelCalls, ms: r.ms,
      syntaxOk: r.syntax === 'unchecked' ? undefined : r.syntax === 'ok', unplaced: r.unplaced.length,
    };
    if (r.unplaced.length) {
      const which = r.unplaced.map(u => `snippet lines ${u.snippetLines[0]}-${u.snippetLines[1]}: ${u.reason}`).join('; ');
      return this.finish({ ...base, outcome: 'refused', message: `Apply: ${r.unplaced.length} of ${r.pieces} piece(s) could not be placed, so nothing was changed (${which}).` });
    }
    if (!r.changed) return this.finish({ ...base, outcome: 'no-change', hunks: 0, message: 'the snippet changes nothing: the file already reads that way.' });
    if (doc.version !== version) {
      return this.finish({ ...base, outcome: 'refused', message: 'The document changed while the snippet was applied; run Diffuse Apply again.' });
    }
    const edit: RootedEdit = { docId: uri, version, baseText, range: r.range, newText: r.newText };
    return this.present(doc, edit, [], base, r.syntax === 'broken'
      ? 'Diffuse Apply: the merged file has more syntax errors than before; review it carefully.' : undefined,
    viaServer ? 'no confidence from this backend' : 'no confidence: the snippet\'s own text');
  }

  /**
   * Shows `newText` over `range` of the document as it is now, through the same path as a
   * finished fill (rooted edit, then review): for the in-host tests, which need known proposals
   * to check the review byte for byte whatever the model would propose.
   */
  propose(doc: vscode.TextDocument, range: OffsetRange, newText: string, confidence?: readonly TokenConfidence[]): Promise<FillRecord> {
    const uri = doc.uri.toString();
    const edit: RootedEdit = { docId: uri, version: doc.version, baseText: doc.getText(), range, newText, confidence };
    return this.present(doc, edit, [], { uri, outcome: 'review', range, steps: 0 });
  }

  /**
   * The one path from a finished fill to a review: the edit is moved across `since` (the changes
   * made after its version) or refused, then shown as hunks; `base` is the record of the fill.
   */
  private async present(doc: vscode.TextDocument, edit: RootedEdit, since: readonly (readonly TextChange[])[], base: FillRecord,
    syntaxWarning = base.syntaxOk === false
      ? `Diffuse: the proposed code has syntax errors${base.repairRounds ? ' after repair' : ''}; review it carefully.` : undefined,
    noConfidence?: string, origin?: ReviewOrigin): Promise<FillRecord> {
    const started = await this.reviews.start(doc, edit, since, noConfidence, origin);
    const content = this.settings.get('debugLogContent')
      ? { before: edit.baseText.slice(edit.range.start, edit.range.end), after: edit.newText }
      : undefined;
    if (started.kind === 'refused') return this.finish({ ...base, outcome: 'refused', message: started.message }, content);
    if (started.kind === 'no-change') return this.finish({ ...base, outcome: 'no-change', hunks: 0 }, content);
    if (syntaxWarning) void notify.warn(syntaxWarning);
    return this.finish({ ...base, outcome: 'review', hunks: started.hunks }, content);
  }

  private finish(record: FillRecord, content?: { before: string; after: string }): FillRecord {
    this.lastFill = record;
    this.log.fill(record, content);
    this.status.update(record);
    if (record.outcome === 'refused' || record.outcome === 'failed') {
      this.log.warnUser(`Diffuse: ${record.message ?? 'the fill failed.'}`);
    } else if (record.outcome === 'no-change') {
      void notify.info(`Diffuse: ${record.message ?? 'the model proposed no change.'}`);
    } else if (record.outcome === 'cancelled' && !record.message) {
      void notify.info('Diffuse: fill cancelled; nothing was changed.');
    }
    this.finished.fire(record);
    return record;
  }

  dispose(): void {
    this.jobs.dispose();
    this.stepped.dispose();
    this.finished.dispose();
    this.phases.dispose();
  }
}

export const CLOSED = 'The file was closed before the fill finished; nothing was changed.';

/** The backend's description without the provider, which the status bar shows on its own. */
export function modelLabel(description: string, provider: string): string {
  const suffix = ` (${provider})`;
  return description.endsWith(suffix) ? description.slice(0, -suffix.length) : description;
}

/** Collapses the selections of the document's editors to their starts; `restore` gives them back while the text is unchanged. */
function holdSelection(doc: vscode.TextDocument): { restore(): void } {
  const version = doc.version;
  const held = vscode.window.visibleTextEditors.filter(e => e.document === doc && e.selections.some(s => !s.isEmpty))
    .map(e => ({ editor: e, selections: e.selections }));
  for (const { editor } of held) editor.selections = editor.selections.map(s => new vscode.Selection(s.start, s.start));
  return {
    restore: () => {
      if (doc.isClosed || doc.version !== version) return;
      for (const { editor, selections } of held) editor.selections = [...selections];
    },
  };
}

/** Where a blank line's text came from (engine/analogFill), for the review's CodeLens. */
function analogOrigin(uri: string, analog: NonNullable<EditResult['analog']>): ReviewOrigin {
  const where = analog.file ? `${vscode.workspace.asRelativePath(vscode.Uri.parse(analog.file))}:${analog.line + 1}` : `line ${analog.line + 1}`;
  return {
    label: where,
    uri: analog.file ?? uri,
    line: analog.line,
    tooltip: `This line is the text of ${analog.file ? where : `${where} of this file`}${analog.adapted ? ', with the names its neighbours differ in changed to this line\'s' : ''}: `
      + `its neighbours match this line's (${analog.score.toFixed(2)} of 2), and the model preferred it to its own line. Click to open it.`,
  };
}

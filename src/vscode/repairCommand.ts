import * as vscode from 'vscode';
import { notify } from './notify';
import type { OffsetRange, RootedEdit } from '../core/types';
import { runRepair, type RepairResult } from '../engine/repair';
import type { BackendService } from './backendService';
import { editableEditor } from './editCommands';
import type { Backend } from './engine';
import type { FillRecord } from './fillRecord';
import { CLOSED, modelLabel, type FillRunner } from './fillRunner';
import { DocumentJobs, hasTab, whyBusy } from './documentJobs';
import { DocumentWatch } from './documentWatch';
import type { DiffuseLog } from './log';
import type { ReviewManager } from './reviewManager';
import { RepairView } from './repairView';
import type { Settings } from './settings';
import type { DiffuseStatusBar } from './statusBar';
import { WorkspaceIndex } from './workspaceIndex';

/** What one repair did: a fill record plus the spans the model found improbable. */
export type RepairRecord = FillRecord & {
  /** Tokens re-masked over all rounds. */
  readonly suspects?: number;
  /** Spans highlighted before the first fill, in the document as it was when the repair began. */
  readonly suspectRanges?: readonly OffsetRange[];
};

/** What the in-host tests reach of the repair command (through the activation's exports). */
export interface RepairTestApi {
  setBeforeApply(hook: ((uri: string) => Promise<void> | void) | undefined): void;
  /** How often the workspace name index counts `name` (in `uri` alone, when given). */
  nameOccurrences(name: string, uri?: string): number;
  /** Settles when the index's first scan of the workspace folders ended. */
  namesReady(): Promise<void>;
  /** Whether the workspace's line index holds `uri` (the lines a blank line may take). */
  linesIndexed(uri: string): boolean;
}

/** The "nothing to repair" message: whether the model suspected nothing, or had nothing better. */
export function nothingToRepair(suspects: number): string {
  return suspects === 0
    ? 'Nothing to repair: the model finds this code plausible.'
    : `Nothing to repair: the model doubted ${suspects} token${suspects === 1 ? '' : 's'} but has no replacement for them that parses as well.`;
}
const NEEDS_LOCAL = 'Diffuse Repair needs a model on this machine: it scores every token of the code, which a remote server does not offer. Choose Model switches to the bundled starter or a model folder (or set "diffuse.backend" to "local").';

/**
 * `diffuse.repair`: re-masks only what the model finds improbable in the selection (or, with none,
 * the syntax node at the cursor), fills it, and shows the result in the same review as Diffuse Edit.
 * Like a fill, it is one per document, cancellable, and refused when the user edits the code it is
 * repairing; the document is never touched before the review.
 */
export class RepairCommand implements vscode.Disposable {
  /** The repairs in flight, one per document: cancelled by Cancel Fill and on closing their file. */
  readonly jobs = new DocumentJobs<DocumentWatch>();
  private readonly view = new RepairView();
  /**
   * The workspace's names and lines, indexed in the background from activation on: real names are
   * never replaced, and a blank line may take another file's line (FillRunner.workspaceLines).
   */
  readonly names: WorkspaceIndex;
  /** Test seam: runs after the engine answered and before the document is checked and edited. */
  beforeApply: ((uri: string) => Promise<void> | void) | undefined;

  constructor(
    private readonly settings: Settings,
    private readonly backends: BackendService,
    private readonly reviews: ReviewManager,
    private readonly runner: FillRunner,
    private readonly log: DiffuseLog,
    private readonly status: DiffuseStatusBar,
  ) {
    runner.shareBusyWith(this.jobs);
    this.names = new WorkspaceIndex((message, err) => this.log.error(message, err));
  }

  /** Resolves to what the repair did, or undefined when there was nothing to start it on. */
  async repair(token?: vscode.CancellationToken): Promise<RepairRecord | undefined> {
    const editor = editableEditor('Diffuse Repair', this.settings.get('maxFileBytes'));
    if (!editor) return undefined;
    const doc = editor.document;
    const target = { start: doc.offsetAt(editor.selection.start), end: doc.offsetAt(editor.selection.end) };
    const nothing = target.start === target.end
      ? doc.lineAt(editor.selection.active.line).isEmptyOrWhitespace && 'Diffuse Repair: put the cursor in some code or select what to repair.'
      : doc.getText(editor.selection).trim() === '' && 'Diffuse Repair: the selection holds only whitespace; select some code.';
    if (nothing) {
      void notify.info(nothing);
      return undefined;
    }
    return this.run(doc, target, token);
  }

  private async run(doc: vscode.TextDocument, target: OffsetRange, token?: vscode.CancellationToken): Promise<RepairRecord> {
    const uri = doc.uri.toString();
    const busy = whyBusy(uri, [this.jobs, this.runner.jobs], this.reviews);
    if (busy) return this.finish({ uri, outcome: 'refused', steps: 0, message: busy });

    const job = new DocumentWatch(doc, target, 'The code being repaired was edited while the repair ran; the result was discarded.', token);
    this.jobs.set(uri, job);

    let suspectRanges: OffsetRange[] | undefined;
    this.status.busy('Diffuse: repairing…');
    try {
      const { result, backend } = await job.withProgress('Diffuse Repair', async progress => {
        progress.report({ message: 'loading the model…' });
        const backend = await this.backends.get();
        const score = backend.scorer?.(job.signal);
        if (!score) throw new Error(NEEDS_LOCAL);
        progress.report({ message: 'scoring every token…' });
        const result = await runRepair(backend, score, {
          docText: job.baseText,
          range: target,
          languageId: doc.languageId,
          sampler: this.settings.sampler(backend.samplerDefaults),
          select: { threshold: this.settings.get('repair.threshold'), maxShare: this.settings.get('repair.maxShare') },
          margin: this.settings.get('repair.margin'),
          names: this.names.lookup(doc),
          signal: job.signal,
          onSuspects: spans => {
            suspectRanges ??= [...spans];
            // Typing inside what is about to be rewritten discards the result, as with a fill.
            job.watch(spans);
            if (this.settings.get('liveView')) this.view.show(doc, spans, r => job.rebase(r));
            progress.report({ message: `filling ${spans.length} suspicious span${spans.length === 1 ? '' : 's'}…` });
          },
        });
        return { result, backend };
      });
      this.view.clear(doc);
      await this.beforeApply?.(uri);
      const base = this.record(uri, result, backend, suspectRanges);
      const stop = job.stopped(0);
      if (stop) return this.finish({ ...base, ...stop });
      if (!hasTab(uri)) return this.finish({ ...base, outcome: 'cancelled', message: CLOSED });
      if (!result.changed) return this.finish({ ...base, outcome: 'no-change', hunks: 0, message: nothingToRepair(result.suspects) });

      const edit: RootedEdit = { docId: uri, version: job.version, baseText: job.baseText, range: result.range, newText: result.newText, confidence: result.confidence };
      const started = await this.reviews.start(doc, edit, job.since);
      const content = this.settings.get('debugLogContent')
        ? { before: job.baseText.slice(result.range.start, result.range.end), after: result.newText }
        : undefined;
      if (started.kind === 'refused') return this.finish({ ...base, outcome: 'refused', message: started.message }, content);
      if (started.kind === 'no-change') return this.finish({ ...base, outcome: 'no-change', hunks: 0, message: nothingToRepair(result.suspects) }, content);
      return this.finish({ ...base, hunks: started.hunks }, content);
    } catch (err) {
      const stop = job.stopped(0);
      if (stop) return this.finish({ ...stop, suspectRanges });
      this.log.error('repair failed', err);
      return this.finish({ uri, outcome: 'failed', steps: 0, message: err instanceof Error ? err.message : String(err) });
    } finally {
      this.view.clear(doc);
      this.jobs.delete(uri);
      job.dispose();
    }
  }

  private record(uri: string, r: RepairResult, backend: Backend, suspectRanges: OffsetRange[] | undefined): RepairRecord {
    return {
      uri, outcome: 'review', range: r.range, provider: backend.provider, steps: 0, nfe: r.nfe, ms: r.ms,
      model: modelLabel(backend.describe(), backend.provider),
      repairRounds: r.rounds, suspects: r.suspects, suspectRanges,
    };
  }

  private finish(record: RepairRecord, content?: { before: string; after: string }): RepairRecord {
    this.log.fill(record, content);
    this.log.info(`repair: suspects=${record.suspects ?? 0} spans=${record.suspectRanges?.length ?? 0} uri=${record.uri}`);
    this.status.update(record);
    if (record.outcome === 'refused' || record.outcome === 'failed') {
      this.log.warnUser(`Diffuse: ${record.message ?? 'the repair failed.'}`);
    } else if (record.outcome === 'no-change') {
      void notify.info(`Diffuse: ${record.message ?? nothingToRepair(0)}`);
    } else if (record.outcome === 'cancelled' && !record.message) {
      void notify.info('Diffuse: repair cancelled; nothing was changed.');
    }
    return record;
  }

  testApi(): RepairTestApi {
    return {
      setBeforeApply: hook => { this.beforeApply = hook; },
      nameOccurrences: (name, uri) => (uri === undefined ? this.names.index.occurrences(name) : this.names.index.occurrencesIn(uri, name)),
      namesReady: () => this.names.ready,
      linesIndexed: uri => this.names.lines.has(uri),
    };
  }

  dispose(): void {
    this.jobs.dispose();
    this.view.dispose();
    this.names.dispose();
  }
}

import * as vscode from 'vscode';
import { rebaseRange, type TextChange } from '../core/rebase';
import type { OffsetRange, RootedEdit } from '../core/types';
import type { LocalBackend } from '../model/localBackend';
import { runRepair, type RepairResult, type RepairScorer } from '../model/repairPipeline';
import type { BackendService } from './backendService';
import { refuseDocument } from './editCommands';
import type { Backend } from './engine';
import type { FillRecord } from './fillRecord';
import { CLOSED, type FillRunner } from './fillRunner';
import { DocumentJobs, hasTab } from './documentJobs';
import type { DiffuseLog } from './log';
import type { ReviewManager } from './reviewManager';
import { RepairView } from './repairView';
import type { Settings } from './settings';
import type { DiffuseStatusBar } from './statusBar';

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
}

/** The "nothing to repair" message: whether the model suspected nothing, or had nothing better. */
export function nothingToRepair(suspects: number): string {
  return suspects === 0
    ? 'Nothing to repair: the model finds this code plausible.'
    : `Nothing to repair: the model doubted ${suspects} token${suspects === 1 ? '' : 's'} but has no replacement for them that parses as well.`;
}
const NEEDS_LOCAL = 'Diffuse Repair needs the local model: it scores every token of the code, which a remote server does not offer. Set "diffuse.backend" to "local".';

interface Running {
  readonly cts: vscode.CancellationTokenSource;
  typedInside: boolean;
}

/** Per-token scores of the backend, when it has them (the local model in its worker). */
function scorerOf(backend: Backend, signal: AbortSignal): RepairScorer | undefined {
  const client = (backend as Partial<Pick<LocalBackend, 'client'>>).client;
  if (!client || typeof client.score !== 'function') return undefined;
  return {
    score: (text, prefix, suffix, passes, seed) => client.score({ text, prefix, suffix, passes, seed }, signal),
    rank: (sites) => client.rank(sites, signal),
  };
}

/**
 * `diffuse.repair`: re-masks only what the model finds improbable in the selection (or, with none,
 * the syntax node at the cursor), fills it, and shows the result in the same review as Diffuse Edit.
 * Like a fill, it is one per document, cancellable, and refused when the user edits the code it is
 * repairing; the document is never touched before the review.
 */
export class RepairCommand implements vscode.Disposable {
  private readonly running = new DocumentJobs<Running>();
  private readonly view = new RepairView();
  /** Test seam: runs after the engine answered and before the document is checked and edited. */
  beforeApply: ((uri: string) => Promise<void> | void) | undefined;

  constructor(
    private readonly settings: Settings,
    private readonly backends: BackendService,
    private readonly reviews: ReviewManager,
    private readonly runner: FillRunner,
    private readonly log: DiffuseLog,
    private readonly status: DiffuseStatusBar,
  ) {}

  isRunning(uri: string): boolean {
    return this.running.has(uri);
  }

  /** Cancels the repair of one document, or every repair; true when one was running. */
  cancel(uri?: string): boolean {
    return this.running.cancel(uri);
  }

  /** Resolves to what the repair did, or undefined when there was nothing to start it on. */
  async repair(token?: vscode.CancellationToken): Promise<RepairRecord | undefined> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showInformationMessage('Diffuse Repair: open a file first.');
      return undefined;
    }
    const doc = editor.document;
    const refused = refuseDocument(doc, this.settings.get('maxFileBytes'));
    if (refused) {
      void vscode.window.showWarningMessage(`Diffuse: ${refused}`);
      return undefined;
    }
    const target = { start: doc.offsetAt(editor.selection.start), end: doc.offsetAt(editor.selection.end) };
    const nothing = target.start === target.end
      ? doc.lineAt(editor.selection.active.line).isEmptyOrWhitespace && 'Diffuse Repair: put the cursor in some code or select what to repair.'
      : doc.getText(editor.selection).trim() === '' && 'Diffuse Repair: the selection holds only whitespace; select some code.';
    if (nothing) {
      void vscode.window.showInformationMessage(nothing);
      return undefined;
    }
    return this.run(doc, target, token);
  }

  private async run(doc: vscode.TextDocument, target: OffsetRange, token?: vscode.CancellationToken): Promise<RepairRecord> {
    const uri = doc.uri.toString();
    if (this.running.has(uri) || this.runner.isRunning(uri)) {
      return this.finish({ uri, outcome: 'refused', steps: 0, message: 'A fill is already running in this file.' });
    }
    if (this.reviews.has(uri)) {
      return this.finish({ uri, outcome: 'refused', steps: 0, message: 'Accept or reject the pending changes in this file first.' });
    }

    // Text, version and listener in the same tick, so no edit slips between them (as in FillRunner).
    const baseText = doc.getText();
    const version = doc.version;
    const since: TextChange[][] = [];
    const cts = new vscode.CancellationTokenSource();
    const run: Running = { cts, typedInside: false };
    const abort = new AbortController();
    let watched: OffsetRange = target;
    const disposables: vscode.Disposable[] = [cts, cts.token.onCancellationRequested(() => abort.abort())];
    disposables.push(vscode.workspace.onDidChangeTextDocument(e => {
      if (e.document !== doc || e.contentChanges.length === 0) return;
      since.push(e.contentChanges.map(c => ({ start: c.rangeOffset, end: c.rangeOffset + c.rangeLength, text: c.text })));
      if (!rebaseRange(watched, since)) {
        run.typedInside = true;
        cts.cancel();
      }
    }));
    if (token) disposables.push(token.onCancellationRequested(() => cts.cancel()));
    this.running.set(uri, run);

    let suspectRanges: OffsetRange[] | undefined;
    const stopped = (): RepairRecord | undefined => {
      if (!cts.token.isCancellationRequested) return undefined;
      return run.typedInside
        ? { uri, outcome: 'refused', steps: 0, message: 'The code being repaired was edited while the repair ran; the result was discarded.' }
        : { uri, outcome: 'cancelled', steps: 0 };
    };

    this.status.busy('Diffuse: repairing…');
    try {
      const { result, backend } = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Diffuse Repair', cancellable: true },
        async (progress, progressToken) => {
          disposables.push(progressToken.onCancellationRequested(() => cts.cancel()));
          progress.report({ message: 'loading the model…' });
          const backend = await this.backends.get();
          const score = scorerOf(backend, abort.signal);
          if (!score) throw new Error(NEEDS_LOCAL);
          progress.report({ message: 'scoring every token…' });
          const result = await runRepair(backend, score, {
            docText: baseText,
            range: target,
            languageId: doc.languageId,
            sampler: this.settings.sampler(),
            select: { threshold: this.settings.get('repair.threshold'), maxShare: this.settings.get('repair.maxShare') },
            margin: this.settings.get('repair.margin'),
            signal: abort.signal,
            onSuspects: spans => {
              suspectRanges ??= [...spans];
              // Typing inside what is about to be rewritten discards the result, as with a fill.
              watched = spans.reduce((a, b) => ({ start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) }), watched);
              if (this.settings.get('liveView')) this.view.show(doc, spans, r => rebaseRange(r, since));
              progress.report({ message: `filling ${spans.length} suspicious span${spans.length === 1 ? '' : 's'}…` });
            },
          });
          return { result, backend };
        },
      );
      this.view.clear(doc);
      await this.beforeApply?.(uri);
      const base = this.record(uri, result, backend, suspectRanges);
      const stop = stopped();
      if (stop) return this.finish({ ...base, ...stop });
      if (!hasTab(uri)) return this.finish({ ...base, outcome: 'cancelled', message: CLOSED });
      if (!result.changed) return this.finish({ ...base, outcome: 'no-change', hunks: 0, message: nothingToRepair(result.suspects) });

      const edit: RootedEdit = { docId: uri, version, baseText, range: result.range, newText: result.newText };
      const started = await this.reviews.start(doc, edit, since);
      const content = this.settings.get('debugLogContent')
        ? { before: baseText.slice(result.range.start, result.range.end), after: result.newText }
        : undefined;
      if (started.kind === 'refused') return this.finish({ ...base, outcome: 'refused', message: started.message }, content);
      if (started.kind === 'no-change') return this.finish({ ...base, outcome: 'no-change', hunks: 0, message: nothingToRepair(result.suspects) }, content);
      return this.finish({ ...base, hunks: started.hunks }, content);
    } catch (err) {
      const stop = stopped();
      if (stop) return this.finish({ ...stop, suspectRanges });
      this.log.error('repair failed', err);
      return this.finish({ uri, outcome: 'failed', steps: 0, message: err instanceof Error ? err.message : String(err) });
    } finally {
      this.view.clear(doc);
      this.running.delete(uri);
      for (const d of disposables) d.dispose();
    }
  }

  private record(uri: string, r: RepairResult, backend: Backend, suspectRanges: OffsetRange[] | undefined): RepairRecord {
    const suffix = ` (${backend.provider})`;
    const description = backend.describe();
    return {
      uri, outcome: 'review', range: r.range, provider: backend.provider, steps: 0, nfe: r.nfe, ms: r.ms,
      model: description.endsWith(suffix) ? description.slice(0, -suffix.length) : description,
      repairRounds: r.rounds, suspects: r.suspects, suspectRanges,
    };
  }

  private finish(record: RepairRecord, content?: { before: string; after: string }): RepairRecord {
    this.log.fill(record, content);
    this.log.info(`repair: suspects=${record.suspects ?? 0} spans=${record.suspectRanges?.length ?? 0} uri=${record.uri}`);
    this.status.update(record);
    if (record.outcome === 'refused' || record.outcome === 'failed') {
      void vscode.window.showWarningMessage(`Diffuse: ${record.message ?? 'the repair failed.'}`, 'Show Log').then(choice => {
        if (choice) this.log.channel.show(true);
      });
    } else if (record.outcome === 'no-change') {
      void vscode.window.showInformationMessage(`Diffuse: ${record.message ?? nothingToRepair(0)}`);
    }
    return record;
  }

  testApi(): RepairTestApi {
    return { setBeforeApply: hook => { this.beforeApply = hook; } };
  }

  dispose(): void {
    this.running.dispose();
    this.view.dispose();
  }
}

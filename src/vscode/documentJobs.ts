import * as vscode from 'vscode';

/** A running job on one document (a fill or a repair) that can be cancelled. */
export interface DocumentJob {
  readonly cts: vscode.CancellationTokenSource;
}

/**
 * At most one job per document, cancelled when its document closes, or its last tab does (VS Code
 * keeps a document in memory a while after its last tab is closed).
 */
/** Context key, true while any fill or repair runs: Cancel Fill is offered only then. */
export const RUNNING_CONTEXT_KEY = 'diffuse.jobRunning';
/** Jobs running in every registry together. */
let running = 0;

function setRunning(delta: number): void {
  const was = running > 0;
  running = Math.max(0, running + delta);
  if (was !== running > 0) void vscode.commands.executeCommand('setContext', RUNNING_CONTEXT_KEY, running > 0);
}

export class DocumentJobs<J extends DocumentJob> implements vscode.Disposable {
  private readonly jobs = new Map<string, J>();
  private readonly closeListener = vscode.Disposable.from(
    vscode.workspace.onDidCloseTextDocument(doc => this.cancel(doc.uri.toString())),
    vscode.window.tabGroups.onDidChangeTabs(() => {
      for (const uri of this.jobs.keys()) if (!hasTab(uri)) this.cancel(uri);
    }),
  );

  has(uri: string): boolean {
    return this.jobs.has(uri);
  }

  set(uri: string, job: J): void {
    if (!this.jobs.has(uri)) setRunning(1);
    this.jobs.set(uri, job);
  }

  delete(uri: string): void {
    if (this.jobs.delete(uri)) setRunning(-1);
  }

  /** Cancels the job of one document, or every job; true when one was running. */
  cancel(uri?: string): boolean {
    const targets = uri ? [this.jobs.get(uri)].filter((j): j is J => j !== undefined) : [...this.jobs.values()];
    for (const j of targets) j.cts.cancel();
    return targets.length > 0;
  }

  dispose(): void {
    this.cancel();
    setRunning(-this.jobs.size);
    this.jobs.clear();
    this.closeListener.dispose();
  }
}

/**
 * Why a new fill or repair of `uri` cannot start, or undefined when it can: one job at a time per
 * document (across the registries given), and none while the document has a review pending.
 */
export function whyBusy(uri: string, registries: readonly DocumentJobs<DocumentJob>[], reviews: { has(uri: string): boolean }): string | undefined {
  if (registries.some(r => r.has(uri))) return 'A fill or repair is already running in this file.';
  if (reviews.has(uri)) return 'Accept or reject the pending changes in this file first.';
  return undefined;
}

function tabUri(tab: vscode.Tab): string | undefined {
  const input = tab.input;
  if (input instanceof vscode.TabInputText) return input.uri.toString();
  if (input instanceof vscode.TabInputTextDiff) return input.modified.toString();
  return undefined;
}

/** Whether a file is still open in some tab (a document outlives its last tab for a while). */
export function hasTab(uri: string): boolean {
  return vscode.window.tabGroups.all.some(g => g.tabs.some(t => tabUri(t) === uri));
}

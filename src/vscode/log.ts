import * as vscode from 'vscode';
import { CHOOSE_MODEL } from './starterNotice';
import type { FillRecord } from './fillRecord';
import { notify } from './notify';

/** Errors that say what went wrong in words (a server, a model folder, the worker): no stack trace. */
const EXPECTED_ERRORS = new Set(['RemoteError', 'ModelPackageError', 'WorkerError', 'AbortError']);

/** The button that opens the Settings editor at the setting a message names. */
export const OPEN_SETTINGS = 'Open Settings';

/**
 * The "Diffuse Edit" output channel. Fills are logged by their shape (range, model, steps, timing),
 * never by their code unless the user opted in with `diffuse.debugLogContent`: logs get pasted into
 * bug reports, and the code is not ours to paste.
 */
export class DiffuseLog implements vscode.Disposable {
  readonly channel = vscode.window.createOutputChannel('Diffuse Edit', { log: true });

  fill(record: FillRecord, content?: { before: string; after: string }): void {
    const parts = [
      `fill ${record.outcome}`,
      `uri=${record.uri}`,
      record.range ? `range=${record.range.start}-${record.range.end}` : undefined,
      record.model ? `model=${record.model}` : undefined,
      record.provider ? `ep=${record.provider}` : undefined,
      `steps=${record.steps}`,
      record.nfe !== undefined ? `nfe=${record.nfe}` : undefined,
      record.ms !== undefined ? `ms=${Math.round(record.ms)}` : undefined,
      record.syntaxOk !== undefined ? `syntax=${record.syntaxOk ? 'ok' : 'errors'}` : record.outcome === 'review' || record.outcome === 'no-change' ? 'syntax=not-checked' : undefined,
      record.repairRounds !== undefined ? `repairRounds=${record.repairRounds}` : undefined,
      record.variantFills ? `variantFills=${record.variantFills}` : undefined,
      record.recovered ? 'recovered' : undefined,
      record.hunks !== undefined ? `hunks=${record.hunks}` : undefined,
      record.analogLine !== undefined ? `analog=line ${record.analogLine}${record.analogFile ? ` of ${vscode.workspace.asRelativePath(vscode.Uri.parse(record.analogFile))}` : ''}${record.analogAdapted ? ' (adapted)' : ''}` : undefined,
      record.message ? `message=${JSON.stringify(record.message)}` : undefined,
    ].filter(Boolean);
    const line = parts.join(' ');
    if (record.outcome === 'failed') this.channel.error(line);
    else if (record.outcome === 'refused') this.channel.warn(line);
    else this.channel.info(line);
    if (content) {
      this.channel.debug(`before:\n${content.before}`);
      this.channel.debug(`after:\n${content.after}`);
    }
  }

  /**
   * Shows `message` as a warning that offers this log, where the details are, Choose Model when
   * the message says another model is the fix, and the setting it names (`"diffuse.…"`) when a
   * setting is.
   */
  warnUser(message: string): void {
    const setting = /"(diffuse\.[\w.]+)"/.exec(message)?.[1];
    const actions = [...(message.includes(CHOOSE_MODEL) ? [CHOOSE_MODEL] : []), ...(setting ? [OPEN_SETTINGS] : []), 'Show Log'];
    void notify.warn(message, ...actions).then(choice => {
      if (choice === 'Show Log') this.channel.show(true);
      else if (choice === CHOOSE_MODEL) void vscode.commands.executeCommand('diffuse.chooseModel');
      else if (choice === OPEN_SETTINGS) void vscode.commands.executeCommand('workbench.action.openSettings', setting);
    });
  }

  info(message: string): void {
    this.channel.info(message);
  }

  /** One line for an expected failure (a server, a model folder, the worker); the stack only for a bug. */
  error(message: string, err?: unknown): void {
    if (!(err instanceof Error)) this.channel.error(err === undefined ? message : `${message}: ${String(err)}`);
    else if (EXPECTED_ERRORS.has(err.name)) this.channel.error(`${message}: ${err.message}`);
    else this.channel.error(`${message}: ${err.stack ?? err.message}`);
  }

  dispose(): void {
    this.channel.dispose();
  }
}

import * as vscode from 'vscode';
import { notify } from './notify';
import { ApplyCommand } from './applyCommand';
import { BackendService } from './backendService';
import { DiffuseDecorations } from './decorations';
import { ModelPicker } from './modelPicker';
import { StarterNotice } from './starterNotice';
import { EditHistory } from './editHistory';
import { percent } from '../core/confidence';
import { EditCommands } from './editCommands';
import { FillRunner } from './fillRunner';
import { DiffuseLog } from './log';
import { RemoteCommands } from './remoteCommands';
import { RepairCommand, type RepairTestApi } from './repairCommand';
import { registerPreload } from './preload';
import { ReviewManager } from './reviewManager';
import { Settings } from './settings';
import { DiffuseStatusBar } from './statusBar';
import { createTestApi, type DiffuseTestApi } from './testApi';

/** Every command id the extension contributes (package.json `contributes.commands`). */
export const COMMAND_IDS = [
  'diffuse.edit',
  'diffuse.editWithInstruction',
  'diffuse.quickRewrite',
  'diffuse.repair',
  'diffuse.apply',
  'diffuse.applyFromEditor',
  'diffuse.acceptHunk',
  'diffuse.rejectHunk',
  'diffuse.acceptAll',
  'diffuse.rejectAll',
  'diffuse.nextHunk',
  'diffuse.previousHunk',
  'diffuse.showDiff',
  'diffuse.nextLowConfidenceHunk',
  'diffuse.rejectLowConfidenceHunks',
  'diffuse.revealLeastCertain',
  'diffuse.cancel',
  'diffuse.setApiKey',
  'diffuse.chooseModel',
  'diffuse.showLog',
] as const;

export type CommandId = (typeof COMMAND_IDS)[number];

/** SecretStorage key of the remote backend's API key. */
export { API_KEY_SECRET } from './backendService';

/**
 * Composes the VS Code adapter and registers every command; every disposable goes to
 * `context.subscriptions`. Returns the test API, which `activate` may hand back as its exports.
 */
export function registerDiffuse(context: vscode.ExtensionContext): DiffuseTestApi & { readonly repair: RepairTestApi } {
  const settings = new Settings(vscode.workspace);
  const log = new DiffuseLog();
  const decorations = new DiffuseDecorations(context.extensionUri);
  const status = new DiffuseStatusBar();
  const backends = new BackendService(context, settings, log);
  const reviews = new ReviewManager(decorations, log, () => settings.get('review.lowConfidence'));
  const runner = new FillRunner(settings, backends, reviews, decorations, log, status);
  const edits = new EditCommands(settings, runner);
  const remote = new RemoteCommands(context, backends, edits, log);
  const applies = new ApplyCommand(settings, runner);
  const repairs = new RepairCommand(settings, backends, reviews, runner, log, status);
  const picker = new ModelPicker(context, settings, backends, log);
  runner.starterNotice = new StarterNotice(context.globalState, () => vscode.commands.executeCommand('diffuse.chooseModel'));
  runner.editHistory = new EditHistory();
  runner.workspaceLines = (doc) => repairs.names.linesOutside(doc);
  context.subscriptions.push(runner.editHistory);
  context.subscriptions.push(log, decorations, status, backends, reviews, runner, repairs);
  context.subscriptions.push(registerPreload(backends));
  status.setBackend(backends.configured(), backends.capabilities());
  context.subscriptions.push(vscode.workspace.onDidChangeConfiguration(e => {
    if (e.affectsConfiguration('diffuse')) status.setBackend(backends.configured(), backends.capabilities());
  }));

  const activeUri = (): string | undefined => vscode.window.activeTextEditor?.document.uri.toString();
  /** Command arguments (uri string, hunk id) from a CodeLens, or the hunk at the cursor. */
  const hunkTarget = (uri?: unknown, id?: unknown): { uri: string; id: string } | undefined => {
    if (typeof uri === 'string' && typeof id === 'string') return { uri, id };
    const at = reviews.atCursor();
    if (!at) void notify.info('Diffuse: the cursor is not on a pending change.');
    return at && { uri: at.uri, id: at.hunk.id };
  };
  const needsReview = (): string | undefined => {
    const uri = activeUri();
    if (uri && reviews.has(uri)) return uri;
    void notify.info('Diffuse: this file has no pending changes.');
    return undefined;
  };

  const handlers: Record<CommandId, (...args: unknown[]) => unknown> = {
    'diffuse.edit': () => edits.edit(),
    'diffuse.quickRewrite': () => edits.quickRewrite(),
    'diffuse.editWithInstruction': (instruction) => remote.editWithInstruction(instruction),
    'diffuse.repair': () => repairs.repair(),
    'diffuse.apply': (snippet) => applies.fromClipboard(snippet),
    'diffuse.applyFromEditor': (uri) => applies.fromEditor(uri),
    'diffuse.acceptHunk': (uri, id) => {
      const t = hunkTarget(uri, id);
      return t ? reviews.accept(t.uri, t.id) : false;
    },
    'diffuse.rejectHunk': (uri, id) => {
      const t = hunkTarget(uri, id);
      return t ? reviews.reject(t.uri, t.id) : false;
    },
    'diffuse.acceptAll': (uri) => {
      const target = typeof uri === 'string' ? uri : needsReview();
      return target ? reviews.acceptAll(target) : 0;
    },
    'diffuse.rejectAll': (uri) => {
      const target = typeof uri === 'string' ? uri : needsReview();
      return target ? reviews.rejectAll(target) : 0;
    },
    'diffuse.nextHunk': () => reviews.navigate(1),
    'diffuse.previousHunk': () => reviews.navigate(-1),
    'diffuse.showDiff': (uri) => {
      const target = typeof uri === 'string' ? uri : needsReview();
      return target ? reviews.showDiff(target) : false;
    },
    'diffuse.nextLowConfidenceHunk': () => {
      if (!needsReview()) return false;
      const found = reviews.nextLowConfidence();
      if (!found) void notify.info(`Diffuse: no pending hunk is below ${percent(settings.get('review.lowConfidence'))} confidence (diffuse.review.lowConfidence).`);
      return found;
    },
    'diffuse.rejectLowConfidenceHunks': async (uri) => {
      const target = typeof uri === 'string' ? uri : needsReview();
      if (!target) return 0;
      const { rejected, remaining } = await reviews.rejectBelow(target);
      const below = `below ${percent(settings.get('review.lowConfidence'))} confidence`;
      void notify.info(rejected
        ? `Diffuse: rejected ${rejected} hunk${rejected === 1 ? '' : 's'} ${below}; ${remaining} still pending.`
        : `Diffuse: no pending hunk is ${below} (diffuse.review.lowConfidence).`);
      return rejected;
    },
    'diffuse.revealLeastCertain': (uri, id) => {
      const t = hunkTarget(uri, id);
      return t ? reviews.revealLeastCertain(t.uri, t.id) : false;
    },
    'diffuse.cancel': () => {
      const uri = activeUri();
      const only = uri && (runner.jobs.has(uri) || repairs.jobs.has(uri)) ? uri : undefined;
      const fills = runner.jobs.cancel(only);
      return repairs.jobs.cancel(only) || fills;
    },
    'diffuse.setApiKey': (key) => remote.setApiKey(key),
    'diffuse.chooseModel': () => picker.choose(),
    'diffuse.showLog': () => log.channel.show(),
  };

  for (const id of COMMAND_IDS) {
    context.subscriptions.push(vscode.commands.registerCommand(id, handlers[id]));
  }
  return Object.assign(createTestApi(reviews, runner, status, picker, backends), { repair: repairs.testApi() });
}

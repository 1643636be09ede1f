import * as vscode from 'vscode';

/** Every command id the extension contributes (package.json `contributes.commands`). */
export const COMMAND_IDS = [
  'diffuse.edit',
  'diffuse.editWithInstruction',
  'diffuse.quickRewrite',
  'diffuse.repair',
  'diffuse.acceptHunk',
  'diffuse.rejectHunk',
  'diffuse.acceptAll',
  'diffuse.rejectAll',
  'diffuse.nextHunk',
  'diffuse.previousHunk',
  'diffuse.showDiff',
  'diffuse.cancel',
  'diffuse.setApiKey',
  'diffuse.showLog',
] as const;

/** Registers the Diffuse commands; every disposable goes to `context.subscriptions`. */
export function registerDiffuse(context: vscode.ExtensionContext): void {
  for (const id of COMMAND_IDS) {
    context.subscriptions.push(
      vscode.commands.registerCommand(id, () => {
        void vscode.window.showInformationMessage(`Diffuse: "${id}" is not available yet.`);
      }),
    );
  }
}

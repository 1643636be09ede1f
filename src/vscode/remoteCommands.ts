import * as vscode from 'vscode';
import { notify } from './notify';
import { API_KEY_SECRET, type BackendService } from './backendService';
import type { EditCommands } from './editCommands';
import type { FillRecord } from './fillRecord';
import type { DiffuseLog } from './log';

const RUN_PLAIN = 'Run Diffuse Edit';
const CHOOSE_MODEL = 'Choose Model';

/** `diffuse.editWithInstruction` (Diffuse Edit…) and `diffuse.setApiKey`. */
export class RemoteCommands {
  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly backends: BackendService,
    private readonly edits: EditCommands,
    private readonly log: DiffuseLog,
  ) {}

  /**
   * Asks what should change (optional) and rewrites the selection accordingly. Only the remote chat
   * API follows instructions; otherwise the user is told so plainly and offered a plain Diffuse Edit,
   * rather than having the instruction silently ignored. A string argument (a keybinding's `args`)
   * is taken as the instruction without asking.
   */
  async editWithInstruction(arg?: unknown): Promise<FillRecord | undefined> {
    const support = this.backends.instructionSupport();
    if (!support.ok) {
      const choice = await notify.info(`Diffuse: ${support.reason} Run a plain Diffuse Edit instead, or choose a model that follows instructions (Inception Mercury's chat model, or a server's chat API)?`, RUN_PLAIN, CHOOSE_MODEL);
      if (choice === CHOOSE_MODEL) {
        void vscode.commands.executeCommand('diffuse.chooseModel');
        return undefined;
      }
      return choice === RUN_PLAIN ? this.edits.edit() : undefined;
    }
    const instruction = typeof arg === 'string' ? arg : await vscode.window.showInputBox({
      title: 'Diffuse Edit…',
      prompt: 'What should change in the selection? Leave empty for a plain rewrite.',
      placeHolder: 'e.g. use async/await; validate the arguments; rename count to total',
      ignoreFocusOut: true,
    });
    if (instruction === undefined) return undefined;
    return this.edits.edit(undefined, instruction.trim() || undefined);
  }

  /**
   * Stores the API key in SecretStorage (never in settings, never in the log). An empty answer
   * deletes it. A string argument is stored without asking (for automation: it can replace the key,
   * never read it).
   */
  async setApiKey(arg?: unknown): Promise<boolean> {
    const key = typeof arg === 'string' ? arg : await vscode.window.showInputBox({
      title: 'Diffuse: API key of the remote backend',
      prompt: 'Stored in VS Code\'s secret storage; sent only to the endpoint in "diffuse.remote.endpoint". Leave empty to delete it.',
      password: true,
      ignoreFocusOut: true,
    });
    if (key === undefined) return false;
    if (key.trim()) await this.context.secrets.store(API_KEY_SECRET, key.trim());
    else await this.context.secrets.delete(API_KEY_SECRET);
    // The change event also resets it, but a fill started right now must already use the new key.
    this.backends.reset();
    this.log.info(key.trim() ? 'API key saved to secret storage' : 'API key deleted from secret storage');
    if (typeof arg !== 'string') {
      void notify.info(key.trim() ? 'Diffuse: API key saved.' : 'Diffuse: API key deleted.');
    }
    return true;
  }
}

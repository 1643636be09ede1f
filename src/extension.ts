import type * as vscode from 'vscode';
import { registerDiffuse } from './vscode/register';

/**
 * Activated by any Diffuse command (VS Code infers the events from `contributes.commands`), and
 * when a file of a language the model writes opens, so that the local model can load before the
 * first fill (`diffuse.worker.preload`, vscode/preload.ts).
 * Returns what `registerDiffuse` exposes, so the in-host tests can read the state behind the UI
 * through `vscode.extensions.getExtension(...).exports`.
 */
export function activate(context: vscode.ExtensionContext): ReturnType<typeof registerDiffuse> {
  return registerDiffuse(context);
}

/** Everything is released through `context.subscriptions`; nothing else to tear down. */
export function deactivate(): void {
  // Intentionally empty.
}

import type * as vscode from 'vscode';
import { registerDiffuse } from './vscode/register';

/** Activated by any Diffuse command (VS Code infers the events from `contributes.commands`). */
export function activate(context: vscode.ExtensionContext): void {
  registerDiffuse(context);
}

/** Everything is released through `context.subscriptions`; nothing else to tear down. */
export function deactivate(): void {
  // Intentionally empty.
}

// Helpers shared by the in-host test files (bundled into each of them).
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';

/** `publisher.name` from package.json. */
export const EXTENSION_ID = 'diffuse-edit.diffuse-edit';

/** The bundles run from out/test/suite/, three levels below the repository root. */
export const repoRoot = path.resolve(__dirname, '..', '..', '..');

export function getExtension(): vscode.Extension<unknown> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not loaded in this extension host`);
  return extension;
}

export async function activateExtension(): Promise<vscode.Extension<unknown>> {
  const extension = getExtension();
  await extension.activate();
  return extension;
}

/** Typed view of the parts of package.json the tests read. */
export interface Manifest {
  activationEvents?: string[];
  extensionKind?: string[];
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    menus: Record<string, { command: string; when?: string; group?: string }[]>;
    keybindings: { command: string; key: string; mac?: string; when?: string }[];
    configuration: { properties: Record<string, { type?: string | string[]; default?: unknown; scope?: string; enum?: string[]; markdownDescription?: string }> };
  };
}

export function manifest(): Manifest {
  return getExtension().packageJSON as Manifest;
}

/**
 * Waits until `condition` holds, polling; fails with `what` after `timeoutMs`. For outcomes that
 * VS Code delivers asynchronously (a closed tab, a disposed document); never a timing assert.
 */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting until: ${what}`);
    await new Promise(resolve => setTimeout(resolve, 50));
  }
}

type MessageWindow = Record<'showInformationMessage' | 'showWarningMessage', (...args: unknown[]) => Thenable<unknown>>;

/** Runs `body` with the messages shown to the user captured (and dismissed). */
export async function captureMessages<T>(body: () => Thenable<T> | Promise<T>): Promise<{ result: T; shown: string[] }> {
  const window = vscode.window as unknown as MessageWindow;
  const originals = { info: window.showInformationMessage, warn: window.showWarningMessage };
  const shown: string[] = [];
  window.showInformationMessage = async (message: unknown) => void shown.push(String(message));
  window.showWarningMessage = async (message: unknown) => void shown.push(String(message));
  try {
    return { result: await body(), shown };
  } finally {
    window.showInformationMessage = originals.info;
    window.showWarningMessage = originals.warn;
  }
}

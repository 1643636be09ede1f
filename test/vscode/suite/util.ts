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

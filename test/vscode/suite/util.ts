// Helpers shared by the in-host test files (bundled into each of them).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DiffuseTestApi } from '../../../src/vscode/testApi';

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

/** Activates the extension and returns what `activate` must return: the test API. */
export async function activateTestApi<T extends DiffuseTestApi = DiffuseTestApi>(): Promise<T> {
  const exported = (await activateExtension()).exports as T | undefined;
  assert.ok(exported?.reviews && exported.proposeForTest, 'activate() must return registerDiffuse(context) (the test API)');
  return exported;
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


/** Runs `body` with the messages shown to the user captured (and dismissed). */
export async function captureMessages<T>(
  body: () => Thenable<T> | Promise<T>,
  answer: (message: string, items: readonly string[]) => string | undefined = () => undefined,
): Promise<{ result: T; shown: string[]; offered: string[][] }> {
  // Through the extension's test API: VS Code gives each extension its own `vscode.window`, and the
  // suite may run beside an installed copy (test:vsix), whose messages it could not see otherwise.
  const api = await activateTestApi();
  const shown: string[] = [];
  const offered: string[][] = [];
  api.setMessageResponder(async (_kind, message, items) => {
    shown.push(message);
    offered.push([...items]);
    return answer(message, items);
  });
  try {
    return { result: await body(), shown, offered };
  } finally {
    api.setMessageResponder(undefined);
  }
}

/** The first function of the sample files, clean code that the suites edit around. */
export const TOTAL_FUNCTION: readonly string[] = [
  'export function total(items: number[]): number {',
  '  let sum = 0;',
  '  for (const item of items) sum += item;',
  '  return sum;',
  '}',
];

let counter = 0;

/**
 * Writes `content` to a new file `<stem>-<pid>-<n>.<ext>` of the workspace folder and opens it in a
 * pinned tab: each test gets a file of its own, on disk, as a user's file would be.
 */
export async function openNewFile(stem: string, content: string | Buffer, options: { ext?: string; column?: vscode.ViewColumn } = {}): Promise<vscode.TextEditor> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the suite runs with a workspace folder');
  const file = path.join(folder.uri.fsPath, `${stem}-${process.pid}-${++counter}.${options.ext ?? 'ts'}`);
  fs.writeFileSync(file, content);
  return vscode.window.showTextDocument(vscode.Uri.file(file), { viewColumn: options.column, preview: false });
}

/** Each pending hunk of `doc` stands in the document as its added text. */
export function assertHunksInPlace(api: Pick<DiffuseTestApi, 'reviews'>, doc: vscode.TextDocument): void {
  const text = doc.getText();
  for (const h of api.reviews(doc.uri)) assert.equal(text.slice(h.range.start, h.range.end), h.added, `hunk ${h.id}`);
}

/**
 * Between tests: rejects every pending review (so that no proposal is saved), then saves and closes
 * every editor, leaving the next test a workbench with no dirty file to ask about.
 */
export async function rejectReviewsAndCloseEditors(api: Pick<DiffuseTestApi, 'reviews'>): Promise<void> {
  for (const doc of vscode.workspace.textDocuments) {
    if (api.reviews(doc.uri).length) await vscode.commands.executeCommand('diffuse.rejectAll', doc.uri.toString());
  }
  await vscode.commands.executeCommand('workbench.action.files.saveAll');
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

import * as vscode from 'vscode';

export type MessageKind = 'info' | 'warning' | 'error';

/** Answers a message in place of the window: resolves to the chosen item, or undefined. */
export type MessageResponder = (kind: MessageKind, message: string, items: readonly string[]) => Promise<string | undefined>;

let responder: MessageResponder | undefined;

/**
 * Every notification the extension shows goes through here, so the in-host tests (through the
 * test API) can read and answer them. VS Code gives each extension its own `vscode.window`, so a
 * test suite running beside an installed copy cannot intercept the extension's messages itself.
 */
export function setMessageResponder(r: MessageResponder | undefined): void {
  responder = r;
}

function show(kind: MessageKind, message: string, rest: readonly (string | vscode.MessageOptions)[]): Thenable<string | undefined> {
  const items = rest.filter((r): r is string => typeof r === 'string');
  if (responder) return responder(kind, message, items);
  const options = rest.find((r): r is vscode.MessageOptions => typeof r === 'object');
  const args: [string, vscode.MessageOptions, ...string[]] = [message, options ?? {}, ...items];
  if (kind === 'error') return vscode.window.showErrorMessage(...args);
  if (kind === 'warning') return vscode.window.showWarningMessage(...args);
  return vscode.window.showInformationMessage(...args);
}

export const notify = {
  info: (message: string, ...rest: (string | vscode.MessageOptions)[]) => show('info', message, rest),
  warn: (message: string, ...rest: (string | vscode.MessageOptions)[]) => show('warning', message, rest),
  error: (message: string, ...rest: (string | vscode.MessageOptions)[]) => show('error', message, rest),
};

import * as vscode from 'vscode';
import { CODE_LANGUAGE_IDS } from '../syntax/languages';
import { preloadSyntax } from '../syntax';
import type { BackendService } from './backendService';

/** Documents of the editor's own panes (output, settings, git views) are never a fill's target. */
const EDITABLE_SCHEMES = new Set(['file', 'untitled', 'vscode-remote']);

function codeEditor(editor: vscode.TextEditor | undefined): boolean {
  return !!editor && EDITABLE_SCHEMES.has(editor.document.uri.scheme) && CODE_LANGUAGE_IDS.includes(editor.document.languageId);
}

/**
 * Loads the local model before the user's first fill needs it (`diffuse.worker.preload`), and the
 * language's parser. The extension activates when a file of a language it writes opens
 * (package.json activationEvents); the model then loads once that file's editor is shown, once per
 * window. After a command has used the model in the window, selecting code (what Diffuse Edit and
 * Quick Rewrite start from) starts a worker released after its idle time again; a window where
 * Diffuse is not used keeps no worker past its idle time (about 150 MB). Switching editors alone
 * starts nothing.
 */
export function registerPreload(backends: BackendService): vscode.Disposable {
  let started = false;
  const warm = (editor: vscode.TextEditor): void => {
    started = true;
    void backends.warm();
    // The language's parser too, which every fill's anchoring needs first.
    void preloadSyntax(editor.document.languageId);
  };
  const active = vscode.window.activeTextEditor;
  if (active && codeEditor(active)) warm(active);
  return vscode.Disposable.from(
    vscode.window.onDidChangeActiveTextEditor(editor => {
      if (!started && editor && codeEditor(editor)) warm(editor);
    }),
    vscode.window.onDidChangeTextEditorSelection(e => {
      if ((!started || backends.used) && e.selections.some(s => !s.isEmpty) && codeEditor(e.textEditor)) warm(e.textEditor);
    }),
  );
}

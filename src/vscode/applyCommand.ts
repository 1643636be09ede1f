import * as vscode from 'vscode';
import { notify } from './notify';
import { editableEditor } from './editCommands';
import type { FillRecord } from './fillRecord';
import type { FillRunner } from './fillRunner';
import type { Settings } from './settings';

/** Largest snippet taken (characters): a clipboard holding more is not a snippet. */
const MAX_SNIPPET_CHARS = 2_000_000;

/** Whether clipboard text looks like code to apply: not empty, not one short word or a URL. */
export function looksLikeCode(text: string): boolean {
  const t = text.trim();
  if (!t || t.length > MAX_SNIPPET_CHARS || t.includes('\u0000')) return false;
  if (!t.includes('\n') && (/^\S+:\/\/\S+$/.test(t) || !/[(){};=:<>[\]]/.test(t))) return false;
  return true;
}

/**
 * Diffuse Apply: a chat assistant's edit snippet (the changed code, `// ... existing code ...`
 * for the rest) applied to the active editor and shown for review. The snippet comes from the
 * clipboard, a paste into an input box when the clipboard holds no code, or another open editor.
 */
export class ApplyCommand {
  constructor(private readonly settings: Settings, private readonly runner: FillRunner) {}

  /** `snippet`: the text to apply (tests, keybinding args); else the clipboard, else an input box. */
  async fromClipboard(snippet?: unknown): Promise<FillRecord | undefined> {
    const target = editableEditor('Diffuse Apply', this.settings.get('maxFileBytes'));
    if (!target) return undefined;
    let text = typeof snippet === 'string' ? snippet : await vscode.env.clipboard.readText();
    if (!looksLikeCode(text)) {
      const pasted = await vscode.window.showInputBox({
        title: 'Diffuse: Apply Snippet',
        prompt: 'The clipboard holds no code. Paste the snippet to apply (its "... existing code ..." comments stand for the rest of the file).',
        ignoreFocusOut: true,
      });
      if (!pasted?.trim()) return undefined;
      text = pasted;
    }
    return this.runner.apply(target.document, text, 'clipboard');
  }

  /** The snippet is another open editor's text (its selection, when it has one). */
  async fromEditor(uri?: unknown): Promise<FillRecord | undefined> {
    const target = editableEditor('Diffuse Apply', this.settings.get('maxFileBytes'));
    if (!target) return undefined;
    const others = vscode.workspace.textDocuments.filter(d => d.uri.toString() !== target.document.uri.toString()
      && !d.isClosed && d.uri.scheme !== 'output' && d.uri.scheme !== 'vscode-userdata' && d.getText().trim() !== '');
    let source: vscode.TextDocument | undefined;
    if (typeof uri === 'string') source = others.find(d => d.uri.toString() === uri);
    else {
      if (others.length === 0) {
        void notify.info('Diffuse: open the snippet in another editor first (or copy it and run Diffuse: Apply Snippet).');
        return undefined;
      }
      const pick = await vscode.window.showQuickPick(others.map(d => ({
        label: vscode.workspace.asRelativePath(d.uri),
        description: `${d.lineCount} line${d.lineCount === 1 ? '' : 's'}${d.isUntitled ? ' · unsaved' : ''}`,
        doc: d,
      })), { title: 'Diffuse: Apply Snippet from Editor', placeHolder: `Which editor holds the snippet to apply to ${vscode.workspace.asRelativePath(target.document.uri)}?` });
      source = pick?.doc;
    }
    if (!source) return undefined;
    const editor = vscode.window.visibleTextEditors.find(e => e.document === source);
    const text = editor && !editor.selection.isEmpty ? source.getText(editor.selection) : source.getText();
    return this.runner.apply(target.document, text, vscode.workspace.asRelativePath(source.uri));
  }
}

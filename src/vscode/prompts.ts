import * as vscode from 'vscode';

/** What the extension asks the user: a pick from a list, a line of text, a folder. */
export type PromptKind = 'pick' | 'input' | 'folder';

/**
 * Answers a prompt in place of the window: a pick answers with an item's label, an input with its
 * text, a folder with its path; undefined is Escape.
 */
export type PromptResponder = (kind: PromptKind, title: string, items: readonly string[]) => Promise<string | undefined>;

let responder: PromptResponder | undefined;

/**
 * Every quick pick, input box and folder dialog of a flow that the in-host tests drive (Choose
 * Model) goes through here, like notifications go through notify.ts: VS Code gives each extension
 * its own `vscode.window`, so a test cannot answer them otherwise.
 */
export function setPromptResponder(r: PromptResponder | undefined): void {
  responder = r;
}

export const prompt = {
  async pick<T extends vscode.QuickPickItem>(items: readonly T[], options: vscode.QuickPickOptions & { title: string }): Promise<T | undefined> {
    if (responder) {
      const label = await responder('pick', options.title, items.map(i => i.label));
      return items.find(i => i.label === label);
    }
    return vscode.window.showQuickPick(items, { ignoreFocusOut: true, ...options });
  },

  async input(options: vscode.InputBoxOptions & { title: string }): Promise<string | undefined> {
    if (responder) {
      const answer = await responder('input', options.title, []);
      // The input box would not accept what its validator refuses: neither does the responder.
      if (answer !== undefined && options.validateInput && await options.validateInput(answer)) return undefined;
      return answer;
    }
    return vscode.window.showInputBox({ ignoreFocusOut: true, ...options });
  },

  async folder(title: string): Promise<string | undefined> {
    if (responder) return responder('folder', title, []);
    const picked = await vscode.window.showOpenDialog({ title, canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Use This Model' });
    return picked?.[0]?.fsPath;
  },
};

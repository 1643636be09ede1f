// The extension as VS Code sees it: activation, registered commands and manifest contributions.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, activateTestApi, manifest, openNewFile, TOTAL_FUNCTION } from './util';
import type { FillRecord } from '../../../src/vscode/fillRecord';

/** Command ids and titles fixed by the product's command contract. */
const COMMANDS: Record<string, string> = {
  'diffuse.edit': 'Edit Selection',
  'diffuse.editWithInstruction': 'Edit with Instruction…',
  'diffuse.quickRewrite': 'Quick Rewrite',
  'diffuse.repair': 'Repair',
  'diffuse.apply': 'Apply Snippet',
  'diffuse.applyFromEditor': 'Apply Snippet from Editor…',
  'diffuse.acceptHunk': 'Accept Hunk',
  'diffuse.rejectHunk': 'Reject Hunk',
  'diffuse.acceptAll': 'Accept All',
  'diffuse.rejectAll': 'Reject All',
  'diffuse.nextHunk': 'Next Hunk',
  'diffuse.previousHunk': 'Previous Hunk',
  'diffuse.showDiff': 'Show Side-by-Side Diff',
  'diffuse.nextLowConfidenceHunk': 'Go to Next Low-Confidence Hunk',
  'diffuse.rejectLowConfidenceHunks': 'Reject Hunks Below Confidence',
  'diffuse.revealLeastCertain': 'Go to Least Certain Token',
  'diffuse.cancel': 'Cancel Fill',
  'diffuse.chooseModel': 'Choose Model',
  'diffuse.setApiKey': 'Set API Key',
  'diffuse.showLog': 'Show Log',
};

const REVIEW = 'editorTextFocus && diffuse.reviewVisible';
const KEYBINDINGS = [
  { command: 'diffuse.edit', key: 'ctrl+alt+e', mac: 'cmd+alt+e', when: 'editorTextFocus && !editorReadonly' },
  { command: 'diffuse.quickRewrite', key: 'ctrl+alt+d', mac: 'cmd+alt+d', when: 'editorTextFocus' },
  { command: 'diffuse.repair', key: 'ctrl+alt+r', mac: 'cmd+alt+r', when: 'editorTextFocus' },
  { command: 'diffuse.apply', key: 'ctrl+alt+a', mac: 'cmd+alt+a', when: 'editorTextFocus && !editorReadonly' },
  { command: 'diffuse.acceptHunk', key: 'ctrl+alt+y', mac: 'cmd+alt+y', when: REVIEW },
  { command: 'diffuse.rejectHunk', key: 'ctrl+alt+n', mac: 'cmd+alt+n', when: REVIEW },
  { command: 'diffuse.acceptAll', key: 'ctrl+shift+enter', mac: 'cmd+shift+enter', when: REVIEW },
  { command: 'diffuse.rejectAll', key: 'ctrl+shift+backspace', mac: 'cmd+shift+backspace', when: REVIEW },
  { command: 'diffuse.nextHunk', key: 'ctrl+alt+down', mac: undefined, when: REVIEW },
  { command: 'diffuse.previousHunk', key: 'ctrl+alt+up', mac: undefined, when: REVIEW },
  { command: 'diffuse.nextLowConfidenceHunk', key: 'ctrl+alt+l', mac: 'cmd+alt+l', when: REVIEW },
];

/** Setting keys (below `diffuse.`) fixed by the settings contract. */
const SETTINGS = ['model.path', 'executionProvider', 'steps', 'strategy', 'threshold', 'temperature', 'maxTokens',
  'anchoring', 'liveView', 'review.lowConfidence', 'backend', 'remote.endpoint', 'remote.model', 'remote.api', 'wholeFileConfirmLines',
  'maxFileBytes', 'debugLogContent', 'repair.threshold', 'repair.maxShare', 'repair.margin', 'repair.effort', 'worker.idleTimeoutSeconds', 'worker.preload'];

suite('Extension', () => {
  suiteSetup(async () => {
    await activateExtension();
  });

  test('activates', async () => {
    const extension = await activateExtension();
    assert.equal(extension.isActive, true);
  });

  test('activates on its commands and on opening code, never on startup', () => {
    const events = manifest().activationEvents ?? [];
    assert.ok(!events.includes('*') && !events.includes('onStartupFinished'), `activationEvents: ${events.join(', ')}`);
    assert.deepEqual(events.filter(e => !e.startsWith('onLanguage:')), [], 'besides the commands VS Code infers, only opening a file of a language');
  });

  test('once Diffuse is used in the window, selecting code loads the model ahead of the next fill, unless diffuse.worker.preload is off', async function () {
    this.timeout(180_000);
    const api = await activateTestApi();
    const config = vscode.workspace.getConfiguration('diffuse');
    const idle = config.inspect<number>('worker.idleTimeoutSeconds')?.globalValue;
    try {
      await config.update('worker.preload', false, vscode.ConfigurationTarget.Global);
      const editor = await openNewFile('preload', TOTAL_FUNCTION.join('\n') + '\n');
      // Diffuse is used in this window: a Quick Rewrite, its review rejected.
      editor.selection = new vscode.Selection(1, 0, 1, 0);
      const record = await vscode.commands.executeCommand<FillRecord>('diffuse.quickRewrite');
      assert.ok(record && ['review', 'no-change'].includes(record.outcome), JSON.stringify(record));
      await vscode.commands.executeCommand('diffuse.rejectAll', editor.document.uri.toString());
      // A changed worker setting drops the backend: no worker runs until something starts one.
      await config.update('worker.idleTimeoutSeconds', 301, vscode.ConfigurationTarget.Global);
      assert.equal(await api.modelRunning(), false, 'the worker was dropped with its settings');
      editor.selection = new vscode.Selection(1, 0, 3, 0);
      await new Promise(r => setTimeout(r, 1500));
      assert.equal(await api.modelRunning(), false, 'with preload off a selection starts nothing');
      await config.update('worker.preload', true, vscode.ConfigurationTarget.Global);
      editor.selection = new vscode.Selection(2, 0, 4, 0);
      const deadline = Date.now() + 60_000;
      while (!(await api.modelRunning()) && Date.now() < deadline) await new Promise(r => setTimeout(r, 200));
      assert.equal(await api.modelRunning(), true, 'selecting code started the worker, no command run');
    } finally {
      await config.update('worker.preload', undefined, vscode.ConfigurationTarget.Global);
      await config.update('worker.idleTimeoutSeconds', idle, vscode.ConfigurationTarget.Global);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
  });

  test('contributes every command with its title, in the Diffuse category', () => {
    const contributed = manifest().contributes.commands;
    assert.deepEqual(Object.fromEntries(contributed.map(c => [c.command, c.title])), COMMANDS);
    for (const c of contributed) assert.equal(c.category, 'Diffuse', c.command);
  });

  test('registers every contributed command', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = Object.keys(COMMANDS).filter(id => !registered.has(id));
    assert.deepEqual(missing, []);
  });

  test('offers Diffuse Edit and Diffuse Repair on the editor context menu for a selection', () => {
    const entries = manifest().contributes.menus['editor/context'] ?? [];
    for (const command of ['diffuse.edit', 'diffuse.repair']) {
      const entry = entries.find(e => e.command === command);
      assert.ok(entry, `${command} is not in editor/context`);
      assert.equal(entry.when, 'editorHasSelection');
    }
  });

  test('hides the review commands from the palette while no review is visible', () => {
    const palette = manifest().contributes.menus.commandPalette ?? [];
    for (const command of ['diffuse.acceptHunk', 'diffuse.rejectHunk', 'diffuse.acceptAll', 'diffuse.rejectAll',
      'diffuse.nextHunk', 'diffuse.previousHunk']) {
      assert.equal(palette.find(e => e.command === command)?.when, 'diffuse.reviewVisible', command);
    }
    assert.equal(palette.find(e => e.command === 'diffuse.cancel')?.when, 'diffuse.jobRunning', 'Cancel Fill only while something runs');
  });

  test('contributes the keybindings, review keys gated by the review context key', () => {
    const actual = manifest().contributes.keybindings.map(k => ({ command: k.command, key: k.key, mac: k.mac, when: k.when }));
    assert.deepEqual(
      [...actual].sort((a, b) => a.command.localeCompare(b.command)),
      [...KEYBINDINGS].sort((a, b) => a.command.localeCompare(b.command)),
    );
  });

  test('every setting has a type, a default, a markdown description and a scope', () => {
    const properties = manifest().contributes.configuration.properties;
    assert.deepEqual(Object.keys(properties).sort(), SETTINGS.map(s => `diffuse.${s}`).sort());
    for (const [key, p] of Object.entries(properties)) {
      assert.ok(key.startsWith('diffuse.'), key);
      assert.ok(p.type, `${key}: type`);
      assert.ok('default' in p, `${key}: default`);
      assert.ok(p.markdownDescription, `${key}: markdownDescription`);
      assert.ok(p.scope, `${key}: scope`);
      // VS Code serves the contributed default when nothing overrides it
      assert.deepEqual(vscode.workspace.getConfiguration().inspect(key)?.defaultValue, p.default, key);
    }
  });

  test('runs in the workspace extension host, next to the files and the model', () => {
    assert.deepEqual(manifest().extensionKind, ['workspace']);
  });
});

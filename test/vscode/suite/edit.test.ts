// Fills from the user's entry points: palette / context menu / keybinding commands, the live view's
// steps, cancel, closing the file, typing while a fill runs, and two files at once. Runs the real
// engine and the default model, which is small and still training: assertions hold for whatever it
// proposes (a review whose hunks are in place and touch only the target, or a clear "no change").
// The review mechanics on known proposals are in review.test.ts.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { suite, suiteSetup, teardown, test } from 'mocha';
import * as vscode from 'vscode';
import type { FillRecord } from '../../../src/vscode/fillRecord';
import type { RepairTestApi } from '../../../src/vscode/repairCommand';
import type { LiveStep } from '../../../src/vscode/fillRunner';
import type { DiffuseTestApi } from '../../../src/vscode/testApi';
import { activateTestApi, assertHunksInPlace, captureMessages, manifest, openNewFile, rejectReviewsAndCloseEditors, TOTAL_FUNCTION, waitFor } from './util';

const SOURCE = [
  ...TOTAL_FUNCTION,
  '',
  'export function average(items: number[]): number {',
  '  if (items.length === 0) @@@ ### $$$',
  '  const n = items.length;',
  '  ~~~ %%% total(items) ^^^ n',
  '}',
  '',
].join('\n');
/** Lines 7..9: the broken body of `average`. */
const BODY = new vscode.Selection(7, 0, 10, 0);

let api: DiffuseTestApi & { readonly repair: RepairTestApi };

const open = (column = vscode.ViewColumn.Active): Promise<vscode.TextEditor> => openNewFile('edit', SOURCE, { column });

function nextStep(uri: vscode.Uri): Promise<LiveStep> {
  return new Promise(resolve => {
    const sub = api.onDidStep(s => {
      if (s.uri !== uri.toString()) return;
      sub.dispose();
      resolve(s);
    });
  });
}

/**
 * What must hold after any finished fill of `doc` (whose text was `before`): a review whose hunks
 * sit in the document and change nothing outside the fill's range, or "no change" said to the
 * user with the document untouched.
 */
function assertSettled(record: FillRecord | undefined, doc: vscode.TextDocument, before: string, shown: readonly string[]): void {
  assert.ok(record && ['review', 'no-change'].includes(record.outcome), JSON.stringify(record));
  const r = record.range;
  assert.ok(r && r.start <= r.end && r.end <= before.length, 'the record names the range it rewrote');
  if (record.outcome === 'review') {
    assert.ok(record.hunks && record.hunks > 0);
    assert.equal(api.reviews(doc.uri).length, record.hunks);
    assertHunksInPlace(api, doc);
    assert.ok(doc.getText().startsWith(before.slice(0, r.start)), 'nothing before the range changed');
    assert.ok(doc.getText().endsWith(before.slice(r.end)), 'nothing after the range changed');
  } else {
    assert.ok(shown.some(m => /proposed no change/.test(m)), `"no change" is said: ${JSON.stringify(shown)}`);
    assert.equal(doc.getText(), before);
    assert.deepEqual(api.reviews(doc.uri), []);
  }
}

/**
 * Quick Rewrite with the cursor at `at`, on a blank line of a new file of `lines`: the fill is in
 * review, an insertion at the cursor that changed nothing else, and wrote something.
 */
async function quickRewriteBlankLine(stem: string, lines: readonly string[], at: vscode.Position): Promise<{ doc: vscode.TextDocument; record: FillRecord; inserted: string }> {
  const before = lines.join('\n');
  const editor = await openNewFile(stem, before);
  const doc = editor.document;
  editor.selection = new vscode.Selection(at, at);
  const { result: record, shown } = await captureMessages(() => vscode.commands.executeCommand<FillRecord>('diffuse.quickRewrite'));
  assert.equal(record?.outcome, 'review', `${JSON.stringify(record)} ${JSON.stringify(shown)}`);
  const offset = doc.offsetAt(at);
  assert.deepEqual(record.range, { start: offset, end: offset }, 'an insertion after the blank line\'s indentation');
  assertHunksInPlace(api, doc);
  const text = doc.getText();
  assert.ok(text.startsWith(before.slice(0, offset)) && text.endsWith(before.slice(offset)), 'only the blank line changed');
  const inserted = text.slice(offset, text.length - (before.length - offset));
  assert.ok(inserted.trim(), 'something was written on the line');
  return { doc, record, inserted };
}

suite('Edit', () => {
  suiteSetup(async () => {
    api = await activateTestApi();
  });

  teardown(async () => {
    api.setBeforeApply(undefined);
    await rejectReviewsAndCloseEditors(api);
  });

  test('Diffuse Edit (palette and context menu) fills the selection with live steps; a review or "no change" follows', async () => {
    assert.ok(manifest().contributes.menus['editor/context']?.some(m => m.command === 'diffuse.edit'));
    const editor = await open();
    const original = editor.document.getText();
    editor.selection = BODY;
    const selection = { start: editor.document.offsetAt(BODY.start), end: editor.document.offsetAt(BODY.end) };
    const steps: LiveStep[] = [];
    const phases: string[] = [];
    let collapsedDuringFill = false;
    const sub = api.onDidStep(s => {
      if (s.uri !== editor.document.uri.toString()) return;
      steps.push(s);
      collapsedDuringFill ||= editor.selection.isEmpty;
    });
    const subPhase = api.onDidEnterPhase(p => p.uri === editor.document.uri.toString() && phases.push(p.phase));
    const { result: record, shown } = await captureMessages(() => vscode.commands.executeCommand<FillRecord>('diffuse.edit'));
    sub.dispose();
    subPhase.dispose();
    assert.ok(collapsedDuringFill, 'the selection is collapsed while the live view shows the fill');
    assert.ok(phases.includes('checking syntax'), `the progress names the phase after denoising: ${JSON.stringify(phases)}`);
    assertSettled(record, editor.document, original, shown);
    assert.ok(steps.length >= 1, 'the live view received steps');
    assert.equal(record.steps, steps.length);
    for (let i = 1; i < steps.length; i++) {
      assert.ok(steps[i].step > steps[i - 1].step, 'steps arrive in order');
      assert.ok(steps[i].masked <= steps[i - 1].masked, 'masked positions never come back');
    }
    assert.ok(record.nfe !== undefined && record.nfe >= 1);
    assert.ok(record.model && record.provider, 'the record names the model and provider');
    assert.deepEqual(api.lastFill, record);
    const r = record.range!;
    // Anchoring widens the selection to whole syntax nodes; only surrounding whitespace may stay out.
    const selected = original.slice(selection.start, selection.end);
    const from = selection.start + (selected.length - selected.trimStart().length);
    const to = selection.end - (selected.length - selected.trimEnd().length);
    assert.ok(r.start <= from && r.end >= to, `the range ${r.start}-${r.end} holds the selected code ${from}-${to}`);
    const last = steps[steps.length - 1];
    assert.equal(last.masked, 0, 'the last step leaves nothing masked');
  });

  test('Quick Rewrite (keybinding) with no selection rewrites the code at the cursor', async () => {
    const binding = manifest().contributes.keybindings.find(k => k.command === 'diffuse.quickRewrite');
    assert.equal(binding?.key, 'ctrl+alt+d');
    const editor = await open();
    editor.selection = new vscode.Selection(9, 4, 9, 4);
    const { result: record, shown } = await captureMessages(() => vscode.commands.executeCommand<FillRecord>('diffuse.quickRewrite'));
    assertSettled(record, editor.document, SOURCE, shown);
    const r = record!.range!;
    const line9 = editor.document.offsetAt(new vscode.Position(9, 4));
    assert.ok(r.start <= line9 && r.end >= line9, 'the rewritten range holds the cursor');
    assert.ok(record!.steps >= 1, 'the fill ran denoising steps');
  });

  test('Quick Rewrite on a blank line fills that line, weighing the file\'s lines like it', async () => {
    const lines = [
      'export function describe(o: Record<string, string>): string[] {',
      '  const out: string[] = [];',
      '  out.push(`name: ${o.name}`);',
      '  out.push(`path: ${o.path}`);',
      '  out.push(`mode: ${o.mode}`);',
      '  ',
      '  out.push(`host: ${o.host}`);',
      '  out.push(`port: ${o.port}`);',
      '  out.push(`user: ${o.user}`);',
      '  return out;',
      '}',
      '',
    ];
    const { doc, record, inserted } = await quickRewriteBlankLine('blank-line', lines, new vscode.Position(5, 2));
    // The lines between two "out.push" lines are like this one: the model weighed them against its
    // own fill and took one, which the record names (1-based, in the document as it was): as it is,
    // or with the words its neighbours differ in from this line's changed (then it is marked so).
    assert.ok(record.analogLine !== undefined, JSON.stringify(record));
    if (!record.analogAdapted) assert.equal(lines[record.analogLine - 1].trim(), inserted.split('\n')[0], JSON.stringify(record));
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
    assert.ok(lenses.some(l => l.command?.title === `\u00b7 from line ${record.analogLine}`), JSON.stringify(lenses.map(l => l.command?.title)));
    assert.match(inserted, /^out\.push\(`\w+: \$\{o\.\w+\}`\);/);
  });

  test('Quick Rewrite on a blank line may take a line of another file of the workspace, and names that file', async () => {
    await api.repair.namesReady();
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    // A file on disk, never opened, whose imports hold the line the blank line lacks between the same two lines.
    const sibling = vscode.Uri.joinPath(folder.uri, `lines-${process.pid}.ts`);
    fs.writeFileSync(sibling.fsPath, [
      "import { readFile } from 'node:fs/promises';",
      "import * as path from 'node:path';",
      "import { parseManifest } from './manifest';",
      "import { formatReport } from './report';",
      '',
      'export async function load(p: string): Promise<string> {',
      "  return formatReport(parseManifest(await readFile(path.resolve(p), 'utf8')));",
      '}',
      '',
    ].join('\n'));
    try {
      for (let i = 0; i < 50 && !api.repair.linesIndexed(sibling.toString()); i++) await new Promise(r => setTimeout(r, 100));
      assert.ok(api.repair.linesIndexed(sibling.toString()), 'a file created on disk is indexed');
      const lines = [
        "import { readFile } from 'node:fs/promises';",
        "import * as path from 'node:path';",
        '',
        "import { formatReport } from './report';",
        '',
        'export async function show(p: string): Promise<void> {',
        "  console.log(formatReport(parseManifest(await readFile(path.resolve(p), 'utf8'))));",
        '}',
        '',
      ];
      const { doc, record, inserted } = await quickRewriteBlankLine('blank-import', lines, new vscode.Position(2, 0));
      assert.equal(inserted, "import { parseManifest } from './manifest';", JSON.stringify(record));
      assert.deepEqual({ file: record.analogFile, line: record.analogLine }, { file: sibling.toString(), line: 3 }, 'the record names the file and line taken');
      // The review says where the line came from; a click opens it there.
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
      const from = lenses.find(l => l.command?.title.startsWith('\u00b7 from '));
      assert.equal(from?.command?.title, `\u00b7 from ${vscode.workspace.asRelativePath(sibling)}:3`, JSON.stringify(lenses.map(l => l.command?.title)));
      // The API hands `vscode.open` back as the workbench command it stands for.
      assert.match(from?.command?.command ?? '', /^(vscode|_workbench)\.open$/);
      assert.equal(String(from?.command?.arguments?.[0]), sibling.toString());
    } finally {
      fs.rmSync(sibling.fsPath, { force: true });
    }
  });

  test('cancel during the fill leaves the document exactly as it was', async () => {
    const editor = await open();
    const doc = editor.document;
    const before = doc.getText();
    const versionBefore = doc.version;
    editor.selection = BODY;
    // The cancel goes in at the first step; the hook holds the result back until it has landed.
    const cancelled = nextStep(doc.uri).then(() => vscode.commands.executeCommand('diffuse.cancel'));
    api.setBeforeApply(async () => {
      await cancelled;
    });
    const { result: record, shown } = await captureMessages(() => vscode.commands.executeCommand<FillRecord>('diffuse.edit'));
    assert.equal(record?.outcome, 'cancelled', JSON.stringify(record));
    assert.ok(shown.some(m => /fill cancelled; nothing was changed/.test(m)), `the cancel is reported: ${JSON.stringify(shown)}`);
    assert.match(api.statusText, /cancelled/, 'the status bar says so');
    assert.equal(doc.getText(), before);
    assert.equal(doc.version, versionBefore);
    assert.deepEqual(api.reviews(doc.uri), []);
  });

  test('typing above the target while the fill runs: the result is rebased', async () => {
    const editor = await open();
    const doc = editor.document;
    const original = doc.getText();
    editor.selection = BODY;
    api.setBeforeApply(async () => {
      const we = new vscode.WorkspaceEdit();
      we.insert(doc.uri, new vscode.Position(0, 0), '// typed during the fill\n');
      assert.ok(await vscode.workspace.applyEdit(we));
    });
    const { result: record, shown } = await captureMessages(() => vscode.commands.executeCommand<FillRecord>('diffuse.edit'));
    const typed = `// typed during the fill\n${original}`;
    const shift = typed.length - original.length;
    // The record's range is in the text the fill started from; the review sits in the typed text.
    assertSettled(record && { ...record, range: record.range && { start: record.range.start + shift, end: record.range.end + shift } }, doc, typed, shown);
    if (record?.outcome === 'review') await vscode.commands.executeCommand('diffuse.rejectAll', doc.uri.toString());
    assert.equal(doc.getText(), typed);
  });

  test('typing inside the target while the fill runs: the result is refused', async () => {
    const editor = await open();
    const doc = editor.document;
    editor.selection = BODY;
    api.setBeforeApply(async () => {
      const we = new vscode.WorkspaceEdit();
      we.insert(doc.uri, new vscode.Position(8, 2), 'typed ');
      assert.ok(await vscode.workspace.applyEdit(we));
    });
    const typed = SOURCE.split('\n').map((l, i) => (i === 8 ? `  typed ${l.slice(2)}` : l)).join('\n');
    const record = await vscode.commands.executeCommand<FillRecord>('diffuse.edit');
    assert.equal(record?.outcome, 'refused', JSON.stringify(record));
    assert.match(record.message ?? '', /edited while the fill ran/);
    assert.equal(doc.getText(), typed);
    assert.deepEqual(api.reviews(doc.uri), []);
  });

  test('typing on the blank line being filled: the result is refused and the typing kept', async () => {
    const before = ['function f(o: Record<string, number>): number[] {', '  const a = o.a;', '  const b = o.b;', '  ', '  const d = o.d;', '  return [a, b, d];', '}', ''].join('\n');
    const editor = await openNewFile('blank-typed', before);
    const doc = editor.document;
    editor.selection = new vscode.Selection(3, 2, 3, 2);
    api.setBeforeApply(async () => {
      const we = new vscode.WorkspaceEdit();
      we.insert(doc.uri, new vscode.Position(3, 2), 'const c');
      assert.ok(await vscode.workspace.applyEdit(we));
    });
    const record = await vscode.commands.executeCommand<FillRecord>('diffuse.quickRewrite');
    assert.equal(record?.outcome, 'refused', JSON.stringify(record));
    assert.match(record.message ?? '', /line being filled was edited while the fill ran/);
    assert.equal(doc.getText(), before.replace('\n  \n', '\n  const c\n'));
    assert.deepEqual(api.reviews(doc.uri), []);
  });

  test('two files fill at once, each on its own', async () => {
    const a = await open();
    a.selection = BODY;
    const firstStep = nextStep(a.document.uri);
    const steps = new Map<string, number>();
    const sub = api.onDidStep(s => steps.set(s.uri, (steps.get(s.uri) ?? 0) + 1));
    const { result: { b, ra, rb }, shown } = await captureMessages(async () => {
      const fillA = vscode.commands.executeCommand<FillRecord>('diffuse.edit');
      await firstStep;
      const editorB = await open(vscode.ViewColumn.Beside);
      editorB.selection = BODY;
      const [recordA, recordB] = await Promise.all([fillA, vscode.commands.executeCommand<FillRecord>('diffuse.edit')]);
      return { b: editorB.document, ra: recordA, rb: recordB };
    });
    sub.dispose();
    assert.equal(ra?.uri, a.document.uri.toString());
    assert.equal(rb?.uri, b.uri.toString());
    assertSettled(ra, a.document, SOURCE, shown);
    assertSettled(rb, b, SOURCE, shown);
    const noChange = [ra, rb].filter(r => r.outcome === 'no-change').length;
    assert.equal(shown.filter(m => /proposed no change/.test(m)).length, noChange, 'one "no change" message per such fill');
    assert.equal(steps.get(ra.uri), ra.steps, 'each file saw its own steps');
    assert.equal(steps.get(rb.uri), rb.steps, 'each file saw its own steps');
    const pendingA = api.reviews(a.document.uri);
    await vscode.commands.executeCommand('diffuse.rejectAll', b.uri.toString());
    assert.equal(b.getText(), SOURCE);
    assert.deepEqual(api.reviews(a.document.uri), pendingA, 'the other review is untouched');
    assertHunksInPlace(api, a.document);
  });

  test('closing the file in the middle of a fill cancels it; nothing is written', async () => {
    const editor = await open();
    const doc = editor.document;
    const file = doc.uri.fsPath;
    editor.selection = BODY;
    // The tab closes at the first step; the hook holds the result back until it has closed.
    const closed = nextStep(doc.uri).then(() => vscode.commands.executeCommand('workbench.action.closeActiveEditor'));
    api.setBeforeApply(async () => {
      await closed;
    });
    const fill = vscode.commands.executeCommand<FillRecord>('diffuse.edit');
    await closed;
    await waitFor(() => api.lastFill?.uri === doc.uri.toString(), 'the fill of the closed file finished');
    const record = await fill;
    assert.equal(record?.outcome, 'cancelled', JSON.stringify(record));
    assert.ok(record.steps >= 1);
    assert.deepEqual(api.reviews(doc.uri), []);
    assert.equal(fs.readFileSync(file, 'utf8'), SOURCE);
    assert.ok(doc.isClosed || (doc.getText() === SOURCE && !doc.isDirty), 'the document in memory is untouched');
  });

  test('refuses a binary file with a clear message and changes nothing', async () => {
    const doc = await vscode.workspace.openTextDocument({ content: 'abc\u0000def\n' });
    const editor = await vscode.window.showTextDocument(doc);
    const record = await vscode.commands.executeCommand<FillRecord | undefined>('diffuse.edit');
    assert.equal(record, undefined);
    assert.equal(editor.document.getText(), 'abc\u0000def\n');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});

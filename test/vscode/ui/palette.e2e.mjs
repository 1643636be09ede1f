// UI test in the real workbench: open a file from the explorer, select a method, run
// "Diffuse: Edit Selection" from the command palette, and check that the command ran in the
// extension (activated by that command, no "command not found") and ended in a review, or, while
// the default model is not installed, in a message from the extension; then that the status bar's
// model name opens Diffuse: Choose Model with its four choices.
// usage: node test/vscode/ui/palette.e2e.mjs [--update-screenshot]
//   --update-screenshot: also save the final screenshot as media/screenshot.png and the Choose Model
//   picker (opened from the status bar) as media/choose-model.png (for the README).
import fs from 'node:fs';
import path from 'node:path';
import { fail, makeWorkspace, requireBuilt, root, startWorkbench, workbenchUrl } from '../harness.mjs';
import {
  acceptLenses, findActivation, openFromExplorer, runPaletteCommand, selectLines, visibleNotifications, waitForSettled,
} from './workbench.mjs';

const FILE = 'inventory.ts';
const COMMAND = 'Diffuse: Edit Selection';
const shotsDir = path.join(root, 'out', 'screenshots');
const modelDir = path.join(root, 'models', 'diffuse-code-mini');
const hasModel = ['model.onnx', 'config.json', 'tokenizer.json'].every(f => fs.existsSync(path.join(modelDir, f)));

requireBuilt();
fs.mkdirSync(shotsDir, { recursive: true });
const workspace = makeWorkspace([`test/fixtures/examples/${FILE}`]);
const { server, page, step, seconds, close } = await startWorkbench(workspace);
let failure;
try {
  const url = workbenchUrl(server.port, { folder: workspace, extensionDevelopmentPath: root });
  const editor = await openFromExplorer(page, url, FILE, 'totalValue(): number');
  step(`opened ${FILE}`);

  await selectLines(page, editor, 'totalValue(): number {', 7);
  await runPaletteCommand(page, COMMAND);
  step(`ran "${COMMAND}" from the palette`);

  // Opening a TypeScript file activates the extension (to load the model ahead of a fill); the
  // command does when it comes first. Nothing else may.
  const activation = await findActivation(server, 'diffuse-edit.diffuse-edit', 30_000);
  if (!activation) throw new Error('the extension was not activated by opening the file or by the command');
  const by = /activationEvent: '(onLanguage:typescript|onCommand:diffuse\.edit)'/.exec(activation);
  if (!by) throw new Error(`activated by something else: ${activation}`);
  step(`extension activated by ${by[1]}`);

  // With the default model in place the fill must end in a review (Accept CodeLens); without it, in
  // a message from the extension. Never in "command not found".
  // A CPU fill of a whole method takes a while on a loaded machine.
  await waitForSettled(page, editor, 300_000);
  const notes = await visibleNotifications(page);
  const notFound = notes.find(n => /command .*not found/i.test(n));
  if (notFound) throw new Error(`workbench says: ${notFound}`);
  const lenses = await acceptLenses(editor).count();
  if (hasModel && lenses === 0) throw new Error(`no review after the fill; notifications: ${JSON.stringify(notes)}`);
  if (!hasModel && !notes.some(n => /^Diffuse/i.test(n))) throw new Error(`no message from the extension; notifications: ${JSON.stringify(notes)}`);
  step(lenses > 0 ? `review shown: ${lenses} Accept CodeLens` : `no model installed; the extension says: ${JSON.stringify(notes)}`);

  // Choose Model sits behind the model's name in the status bar.
  await page.locator('.statusbar-item', { hasText: 'diffuse-code-mini' }).first().click();
  const picker = page.locator('.quick-input-widget');
  await picker.locator('.monaco-list-row', { hasText: 'Bundled starter' }).first().waitFor({ timeout: 30_000 });
  const rows = await picker.locator('.monaco-list-row').allInnerTexts();
  for (const want of ['Bundled starter', 'Inception Mercury', 'OpenAI-compatible server', 'Model folder']) {
    if (!rows.some(r => r.includes(want))) throw new Error(`Choose Model does not offer "${want}": ${JSON.stringify(rows)}`);
  }
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(shotsDir, 'choose-model.png') });
  await page.keyboard.press('Escape');
  step(`the status bar's model name opens Choose Model: ${rows.length} choices (out/screenshots/choose-model.png)`);
} catch (error) {
  failure = error;
} finally {
  const shot = path.join(shotsDir, failure ? 'palette-failure.png' : 'palette.png');
  await page.screenshot({ path: shot }).catch(() => {});
  if (!failure && process.argv.includes('--update-screenshot')) {
    fs.copyFileSync(shot, path.join(root, 'media', 'screenshot.png'));
    fs.copyFileSync(path.join(shotsDir, 'choose-model.png'), path.join(root, 'media', 'choose-model.png'));
  }
  await close();
}
if (failure) fail(`palette UI test FAILED: ${failure.message} (screenshot in out/screenshots/)`);
console.log(`palette UI test passed (${seconds()} s)`);

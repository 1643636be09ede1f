// UI test in the real workbench: a chat assistant's snippet (two changed methods, `// ... existing
// code ...` for the rest) is on the clipboard; "Diffuse: Apply Snippet" from the command palette
// shows it as a review with one hunk per method; "Diffuse: Accept All" gives exactly the expected file.
// usage: node test/vscode/ui/apply.e2e.mjs [--update-screenshots]
//   --update-screenshots: also save the review as media/apply.png (for the README).
import fs from 'node:fs';
import path from 'node:path';
import { fail, makeWorkspace, requireBuilt, root, startWorkbench, workbenchUrl } from '../harness.mjs';
import {
  acceptLenses, copyEditorText, finishedNotifications, grantClipboard, openFromExplorer, runPaletteCommand,
} from './workbench.mjs';

const FILE = 'inventory.ts';
const shotsDir = path.join(root, 'out', 'screenshots');
const SNIPPET = [
  '```ts src/inventory.ts',
  '// ... existing code ...',
  '  remove(sku: string, quantity: number): boolean {',
  '    const item = this.items.get(sku);',
  '    if (!item || quantity <= 0 || item.quantity < quantity) {',
  '      return false;',
  '    }',
  '    // ... existing code ...',
  '  totalValue(): number {',
  '    return [...this.items.values()].reduce((sum, item) => sum + item.quantity * item.unitPrice, 0);',
  '  }',
  '// ... existing code ...',
  '```',
].join('\n');

requireBuilt();
fs.mkdirSync(shotsDir, { recursive: true });
const original = fs.readFileSync(path.join(root, 'test', 'fixtures', 'examples', FILE), 'utf8');
const expected = original
  .replace('    if (!item || item.quantity < quantity) {', '    if (!item || quantity <= 0 || item.quantity < quantity) {')
  .replace('    let total = 0;\n    for (const item of this.items.values()) {\n      total += item.quantity * item.unitPrice;\n    }\n    return total;\n',
    '    return [...this.items.values()].reduce((sum, item) => sum + item.quantity * item.unitPrice, 0);\n');
if (expected === original) fail('the fixture changed: the expected file is the original');

const workspace = makeWorkspace([`test/fixtures/examples/${FILE}`]);
const { server, browser, page, step, seconds, close } = await startWorkbench(workspace);
let failure;
let reviewShot;
try {
  await grantClipboard(browser.context, server.port);
  const url = workbenchUrl(server.port, { folder: workspace, extensionDevelopmentPath: root });
  const editor = await openFromExplorer(page, url, FILE, 'totalValue(): number');
  step(`opened ${FILE}`);
  await page.evaluate(text => globalThis.navigator.clipboard.writeText(text), SNIPPET);

  const t0 = Date.now();
  await runPaletteCommand(page, 'Diffuse: Apply Snippet');
  const deadline = Date.now() + 60_000;
  while ((await acceptLenses(editor).count()) < 2) {
    const notes = await finishedNotifications(page);
    if (notes.length) throw new Error(`no review; the workbench says: ${JSON.stringify(notes)}`);
    if (Date.now() > deadline) throw new Error('the review did not appear within 60 s');
    await page.waitForTimeout(100);
  }
  const lenses = await acceptLenses(editor).count();
  step(`review shown ${Date.now() - t0} ms after the command: ${lenses} hunks`);
  if (lenses !== 2) throw new Error(`expected 2 hunks (one per changed method), got ${lenses}`);
  await page.mouse.move(0, 0);
  reviewShot = path.join(shotsDir, 'apply-review.png');
  await page.screenshot({ path: reviewShot });

  await runPaletteCommand(page, 'Diffuse: Accept All');
  await page.waitForTimeout(500);
  await editor.click({ position: { x: 200, y: 100 } });
  const text = await copyEditorText(page);
  if (text.replace(/\r\n/g, '\n') !== expected) throw new Error(`after Accept All the file is not the expected one:\n${text}`);
  step('Accept All: the file is exactly the expected version');
} catch (error) {
  failure = error;
} finally {
  if (failure) await page.screenshot({ path: path.join(shotsDir, 'apply-failure.png') }).catch(() => {});
  if (!failure && reviewShot && process.argv.includes('--update-screenshots')) fs.copyFileSync(reviewShot, path.join(root, 'media', 'apply.png'));
  await close();
}
if (failure) fail(`apply UI test FAILED: ${failure.message} (screenshot in out/screenshots/)`);
console.log(`apply UI test passed (${seconds()} s)`);

// Small helpers to drive VS Code's workbench DOM with playwright-core.
import fs from 'node:fs';
import path from 'node:path';

const escapeRegExp = s => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Selects `count` whole lines starting at the line whose text contains `startText`. */
export async function selectLines(page, editor, startText, count) {
  await editor.locator('.view-line', { hasText: startText }).first().click();
  await page.keyboard.press('Home');
  await page.keyboard.press('Home'); // the first Home stops at the indentation
  for (let i = 0; i < count; i++) await page.keyboard.press('Shift+ArrowDown');
}

/**
 * Opens the workbench at `url` and `file` from the explorer; resolves to its editor once the line
 * holding `lineText` is on screen.
 */
export async function openFromExplorer(page, url, file, lineText) {
  await page.goto(url);
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: file });
  await row.waitFor({ timeout: 60_000 });
  await row.click();
  const editor = page.locator('.editor-instance .monaco-editor').first();
  await editor.locator('.view-lines', { hasText: lineText }).waitFor({ timeout: 30_000 });
  return editor;
}

/**
 * Opens the palette on `label` and waits (up to `timeoutMs`) for the row whose label is exactly
 * `label`: the fuzzy filter also lists its neighbours (e.g. "Diffuse: Edit with Instruction…").
 */
async function paletteRow(page, label, timeoutMs) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${label}`);
  const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', {
    has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }),
  }).first();
  await row.waitFor({ timeout: timeoutMs });
  return row;
}

/**
 * Runs a command from the palette by clicking its row: pressing Enter runs whatever the fuzzy
 * filter ranks first.
 */
export async function runPaletteCommand(page, label) {
  await (await paletteRow(page, label, 30_000)).click();
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
}

/**
 * Waits until the palette lists the command `label` (the extension's contributions are loaded; a
 * key pressed before that does nothing) and returns the keybinding it shows, e.g. "Ctrl+Alt+D".
 * Closes the palette again, which gives the focus back to the editor with its selection.
 */
export async function waitForCommand(page, label, timeoutMs = 60_000) {
  const row = await paletteRow(page, label, timeoutMs);
  const keys = await row.locator('.monaco-keybinding-key').allInnerTexts();
  await page.keyboard.press('Escape');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  return keys.join('+');
}

/** The bundled starter model's one-time notice, which comes with the first large rewrite of a fresh profile. */
const STARTER_NOTICE = /bundled starter model/;

/** Texts of the notification toasts on screen. */
export async function visibleNotifications(page) {
  return page.locator('.notification-toast .notification-list-item-message').allInnerTexts();
}

/**
 * Texts of the toasts that are not a cancellable task in flight (e.g. a fill denoising), nor the
 * starter model's notice, which comes as a fill starts.
 */
export async function finishedNotifications(page) {
  const texts = await page.locator('.notification-toast')
    .filter({ hasNot: page.locator('.monaco-button', { hasText: /^Cancel$/ }) })
    .locator('.notification-list-item-message').allInnerTexts();
  return texts.filter(t => !STARTER_NOTICE.test(t));
}

/**
 * The extension host's log line that records the extension's activation and its cause, e.g.
 * "ExtensionService#_doActivateExtension diffuse-edit.diffuse-edit, startup: false, activationEvent: 'onCommand:diffuse.edit'".
 */
export async function findActivation(server, extensionId, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const file of findFiles(server.runDir, f => f.endsWith('.log'))) {
      const line = fs.readFileSync(file, 'utf8').split('\n')
        .find(l => l.includes('_doActivateExtension') && l.includes(extensionId));
      if (line) return line;
    }
    await new Promise(r => setTimeout(r, 250));
  }
  return undefined;
}

function findFiles(dir, keep) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return findFiles(full, keep);
    return keep(full) ? [full] : [];
  });
}

/** The Accept CodeLens of a pending review in `editor`. */
export const acceptLenses = editor => editor.locator('.codelens-decoration a', { hasText: /Accept/ });

/** Closes the starter model's notice when it is up (it would cover the screenshots). */
export async function dismissStarterNotice(page) {
  const toast = page.locator('.notification-toast', { hasText: STARTER_NOTICE });
  if (await toast.count() === 0) return false;
  await toast.first().hover();
  await toast.first().locator('.codicon-notifications-clear, .codicon-close').first().click().catch(() => undefined);
  return true;
}

/**
 * Waits until a fill has settled: its review is shown (an Accept CodeLens) or a toast that is not
 * the fill's own cancellable progress (nor the warning that comes with a review, nor the starter
 * model's notice, which is closed) is up. Resolves to whether a review is shown.
 */
export async function waitForSettled(page, editor, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await acceptLenses(editor).count() > 0) return true;
    await dismissStarterNotice(page);
    // The syntax warning comes with a review, whose CodeLens may render a moment later.
    const notes = (await finishedNotifications(page)).filter(n => !/has syntax errors/.test(n));
    if (notes.length > 0) return false;
    await page.waitForTimeout(250);
  }
  throw new Error(`the fill did not settle within ${timeoutMs / 1000} s`);
}

/**
 * The whole text of the focused editor's model, through Select All and Copy: the DOM holds only
 * the lines on screen, and decorations (removed-line previews) never reach the clipboard.
 * Needs clipboard permissions for the page's origin (see grantClipboard).
 */
export async function copyEditorText(page) {
  await page.evaluate(() => globalThis.navigator.clipboard.writeText(''));
  await page.keyboard.press('Control+KeyA');
  await page.keyboard.press('Control+KeyC');
  await page.keyboard.press('ArrowLeft'); // drop the selection again (the cursor goes to the top)
  return page.evaluate(() => globalThis.navigator.clipboard.readText());
}

export async function grantClipboard(context, port) {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: `http://127.0.0.1:${port}` });
}

/**
 * Whether the live view draws masked positions right now: the canvas is injected as decoration
 * text (CSS ::before content), which innerText does not include, so read the computed style.
 */
export async function liveViewShowsMasks(editor, glyph) {
  return editor.locator('.view-lines').evaluate((lines, g) => [...lines.querySelectorAll('span')]
    .some(span => globalThis.getComputedStyle(span, '::before').content.includes(g)), glyph);
}

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
 * Runs a command from the palette by clicking the row whose label is exactly `label`: pressing
 * Enter runs whatever the fuzzy filter ranks first (e.g. "Diffuse: Diffuse Edit…").
 */
export async function runPaletteCommand(page, label) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${label}`);
  const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', {
    has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }),
  });
  await row.first().waitFor({ timeout: 30_000 });
  await row.first().click();
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
}

/** Texts of the notification toasts on screen. */
export async function visibleNotifications(page) {
  return page.locator('.notification-toast .notification-list-item-message').allInnerTexts();
}

/** Texts of the toasts that are not a cancellable task in flight (e.g. a fill denoising). */
export async function finishedNotifications(page) {
  return page.locator('.notification-toast')
    .filter({ hasNot: page.locator('.monaco-button', { hasText: /^Cancel$/ }) })
    .locator('.notification-list-item-message').allInnerTexts();
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

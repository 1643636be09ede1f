// Renders an SVG chart to PNG with Debian's Chromium (driven by the workbench harness's
// playwright-core), at twice its size for sharp text. The Marketplace refuses SVG images in the
// README, so every chart the README shows is a PNG made from the SVG the benchmark writes.
// usage: node scripts/svg-to-png.mjs media/chart.svg [media/chart.png]
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Width and height of the SVG's root element, from its attributes or else its viewBox. */
export function svgSize(svg) {
  const open = /<svg\b[^>]*>/.exec(svg)?.[0];
  if (!open) throw new Error('not an SVG document: no <svg> element');
  const attr = (name) => Number(new RegExp(`\\s${name}="([\\d.]+)(px)?"`).exec(open)?.[1]);
  let width = attr('width');
  let height = attr('height');
  if (!(width > 0 && height > 0)) {
    const box = /viewBox="([^"]+)"/.exec(open)?.[1].trim().split(/[\s,]+/).map(Number);
    if (!box || box.length !== 4) throw new Error('the SVG names neither its width and height nor a viewBox');
    [width, height] = [box[2], box[3]];
  }
  return { width: Math.ceil(width), height: Math.ceil(height) };
}

export async function svgToPng(svgFile, pngFile = svgFile.replace(/\.svg$/i, '.png'), { scale = 2 } = {}) {
  const svg = fs.readFileSync(svgFile, 'utf8');
  const { width, height } = svgSize(svg);
  const require = createRequire(path.join(root, 'test', 'e2e', 'package.json'));
  let chromium;
  try {
    ({ chromium } = require('playwright-core'));
  } catch {
    throw new Error('playwright-core is missing: run `node test/e2e/install.mjs` first (see README, "Setup")');
  }
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  const browser = await chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await browser.newPage({ viewport: { width, height }, deviceScaleFactor: scale });
    await page.setContent(`<!doctype html><html><body style="margin:0">${svg}</body></html>`);
    await page.locator('svg').first().screenshot({ path: pngFile, omitBackground: false });
  } finally {
    await browser.close();
  }
  return pngFile;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [input, output] = process.argv.slice(2);
  if (!input) {
    console.error('usage: node scripts/svg-to-png.mjs IN.svg [OUT.png]');
    process.exit(2);
  }
  try {
    const written = await svgToPng(path.resolve(input), output && path.resolve(output));
    console.log(`svg-to-png: ${path.relative(root, written)} ${(fs.statSync(written).size / 1024).toFixed(0)} KiB`);
  } catch (error) {
    console.error(`svg-to-png: ${error.message}`);
    process.exit(1);
  }
}

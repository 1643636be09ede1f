// Shared plumbing for the workbench tests: code-server (VS Code with a Node extension host) started
// with throw-away state on a free loopback port, and Debian's Chromium driven by playwright-core.
// Desktop VS Code cannot be downloaded offline; code-server runs the same workbench and extension host.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const e2eDir = path.join(root, 'test', 'e2e');
// code-server's remoteAuthority: extension paths in the workbench URL are vscode-remote URIs.
const AUTHORITY = 'remote';

export function fail(message) {
  console.error(message);
  process.exit(1);
}

/** playwright-core lives in test/e2e's own package, next to code-server. */
export function loadChromium() {
  const require = createRequire(path.join(e2eDir, 'package.json'));
  try {
    return require('playwright-core').chromium;
  } catch {
    return fail('playwright-core is missing: run `npm ci` in test/e2e (see README, "Setup").');
  }
}

export function requireBuilt() {
  if (!fs.existsSync(path.join(root, 'dist', 'extension.js'))) fail('dist/extension.js is missing: run `npm run build` first.');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = ms => new Promise(r => setTimeout(r, ms));

/**
 * Starts code-server in its own process group and waits until it answers /healthz.
 * `env` reaches the extension host (it is a child of code-server).
 */
export async function startCodeServer({ extraArgs = [], env = {} } = {}) {
  const port = await freePort();
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'diffuse-code-server-'));
  const logFile = path.join(runDir, 'code-server.log');
  const log = fs.openSync(logFile, 'a');
  const child = spawn('bash', [path.join(e2eDir, 'start-code-server.sh'), String(port), path.join(runDir, 'state'), ...extraArgs], {
    detached: true, // a new process group, so that stop() reaches the watcher and the extension host
    stdio: ['ignore', log, log],
    env: { ...process.env, ...env },
  });
  fs.closeSync(log);
  let exited = false;
  child.once('exit', () => { exited = true; });

  const server = {
    port,
    runDir,
    extensionsDir: path.join(runDir, 'state', 'exts'),
    logTail: () => fs.readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n'),
    async stop() {
      for (const signal of ['SIGTERM', 'SIGKILL']) {
        try { process.kill(-child.pid, signal); } catch { break; } // group already gone
        for (let i = 0; i < 50 && !groupGone(child.pid); i++) await sleep(100);
        if (groupGone(child.pid)) break;
      }
      // DIFFUSE_KEEP_RUN=1 keeps the run folder: the extension host's logs are under state/ud/logs/.
      if (!process.env.DIFFUSE_KEEP_RUN) fs.rmSync(runDir, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && !exited) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return server;
    } catch { /* not listening yet */ }
    await sleep(250);
  }
  const tail = server.logTail();
  await server.stop();
  return fail(`code-server did not come up on port ${port}:\n${tail}`);
}

function groupGone(pgid) {
  try { process.kill(-pgid, 0); return false; } catch { return true; }
}

/** Workbench URL; code-server refuses --extensionDevelopmentPath on its command line, not in `payload`. */
export function workbenchUrl(port, { folder, extensionDevelopmentPath, extensionTestsPath }) {
  const payload = [];
  if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', `vscode-remote://${AUTHORITY}${extensionDevelopmentPath}`]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', `vscode-remote://${AUTHORITY}${extensionTestsPath}`]);
  return `http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}` +
    (payload.length ? `&payload=${encodeURIComponent(JSON.stringify(payload))}` : '');
}

/** A fresh Chromium profile per run: cached workbench state once made the palette rank rows differently. */
export async function launchBrowser() {
  const chromium = loadChromium();
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'diffuse-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    page: context.pages()[0] ?? await context.newPage(),
    async close() {
      await context.close().catch(() => {});
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A throw-away workspace folder holding copies of the given files (relative to the repo root). */
export function makeWorkspace(files) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'diffuse-workspace-'));
  for (const file of files) fs.copyFileSync(path.join(root, file), path.join(dir, path.basename(file)));
  return dir;
}

/**
 * What every UI test starts from: code-server and Chromium for `workspace` (made with
 * makeWorkspace), `step` to log a label with the seconds since the start, and `close` to stop
 * both and remove the workspace.
 */
export async function startWorkbench(workspace) {
  const server = await startCodeServer();
  const browser = await launchBrowser();
  const started = Date.now();
  const seconds = () => ((Date.now() - started) / 1000).toFixed(1);
  return {
    server,
    browser,
    page: browser.page,
    seconds,
    step: label => console.log(`  ${label} (${seconds()} s)`),
    async close() {
      await browser.close();
      await server.stop();
      fs.rmSync(workspace, { recursive: true, force: true });
    },
  };
}

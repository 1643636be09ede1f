// Runs the in-host mocha suite (test/vscode/suite) inside the extension host of a real VS Code
// workbench (code-server), with a headless Chromium as the window, and exits with the suite's result.
// usage: node test/vscode/run-in-host.mjs [--vsix]
//   default: the repository is loaded as the extension under development (extensionDevelopmentPath);
//   --vsix: the extension is already installed (see install-vsix.mjs, which passes the server).
// DIFFUSE_TEST_GREP=<regexp> runs only the matching tests (matched against "suite title test title").
import fs from 'node:fs';
import util from 'node:util';
import { buildSuite } from './build-suite.mjs';
import { fail, launchBrowser, makeWorkspace, requireBuilt, root, startCodeServer, workbenchUrl } from './harness.mjs';

const TIMEOUT_MS = 480_000;
// Printed by test/vscode/suite/index.ts around mocha's run.
const SUITE_BEGIN = '--- diffuse in-host suite ---';
const SUITE_END = '--- diffuse in-host suite end ---';

/** Runs the suite in an already running code-server; resolves to the extension host's exit code. */
export async function runSuite(server, { developmentPath }) {
  const testsPath = await buildSuite();
  const workspace = makeWorkspace(['test/fixtures/examples/inventory.ts']);
  const browser = await launchBrowser();
  const started = Date.now();
  try {
    let settle;
    const exited = new Promise(resolve => (settle = resolve));
    // VS Code's test runner reports through these window functions when run() settles.
    await browser.context.exposeFunction('codeAutomationExit', code => settle(code));
    // The window's log carries the suite's output (VS Code forwards the extension host's console)
    // amid workbench noise (e.g. the marketplace being offline): print only the suite's part.
    let printing = false;
    await browser.context.exposeFunction('codeAutomationLog', (_type, args) => {
      const text = util.format(...(args ?? []));
      if (text === SUITE_BEGIN) printing = true;
      else if (text === SUITE_END) printing = false;
      else if (printing) console.log(text);
    });
    await browser.page.goto(workbenchUrl(server.port, {
      folder: workspace, extensionDevelopmentPath: developmentPath, extensionTestsPath: testsPath,
    }));
    let timer;
    const code = await Promise.race([exited, new Promise(resolve => { timer = setTimeout(() => resolve('timeout'), TIMEOUT_MS); })]);
    clearTimeout(timer);
    console.log(`in-host suite: exit code ${code} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (code === 'timeout') console.log(server.logTail());
    return code === 'timeout' ? 1 : Number(code);
  } finally {
    await browser.close();
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  requireBuilt();
  const server = await startCodeServer();
  let code = 1;
  try {
    code = await runSuite(server, { developmentPath: root });
  } catch (error) {
    console.error(error);
  } finally {
    await server.stop();
  }
  if (code !== 0) fail('in-host suite failed');
  process.exit(0);
}

// Runs the in-host suite (test/vscode/suite) in desktop VS Code through @vscode/test-cli:
//   npm run build && node test/vscode/build-suite.mjs && npx vscode-test
// It downloads VS Code, so it is for desktops with network access; `npm test` runs the same suite
// offline in code-server instead (test/vscode/run-in-host.mjs).
import { defineConfig } from '@vscode/test-cli';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// A throw-away workspace with the example file the suite may open.
const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'diffuse-workspace-'));
fs.copyFileSync('test/fixtures/examples/inventory.ts', path.join(workspace, 'inventory.ts'));

export default defineConfig({
  label: 'in-host',
  files: 'out/test/suite/*.test.js',
  version: '1.100.3',
  workspaceFolder: workspace,
  launchArgs: ['--disable-extensions', '--disable-workspace-trust'],
  mocha: { ui: 'tdd', timeout: 60_000, color: true },
});

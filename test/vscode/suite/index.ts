// Entry point that VS Code's extension host loads as `extensionTestsPath`: it must export run().
// Every `*.test.js` next to this file (bundled from test/vscode/suite/*.test.ts) is added, so a new
// test file needs no registration.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

/** The runner prints the window's log between these lines (the rest is workbench noise). */
const BEGIN = '--- diffuse in-host suite ---';
const END = '--- diffuse in-host suite end ---';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, reporter: 'spec', timeout: 60_000 });
  const grep = process.env.DIFFUSE_TEST_GREP;
  if (grep) mocha.grep(new RegExp(grep));
  const files = fs.readdirSync(__dirname).filter(f => f.endsWith('.test.js')).sort();
  if (files.length === 0) return Promise.reject(new Error(`no *.test.js files in ${__dirname}`));
  for (const file of files) mocha.addFile(path.join(__dirname, file));
  console.log(BEGIN);
  return new Promise((resolve, reject) => {
    mocha.run(failures => {
      console.log(END);
      if (failures > 0) reject(new Error(`${failures} test(s) failed`));
      else resolve();
    });
  });
}

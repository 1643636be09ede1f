// Runs every test/unit/**/*.test.ts and test/bench/*.test.ts (the measuring tools) in one `node --test` process (through tsx).
// Node 20's test runner has no glob support, so the files are listed here.
// usage: node scripts/run-unit-tests.mjs [filter]   (filter: substring of the file path)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const testDirs = [path.join(root, 'test', 'unit'), path.join(root, 'test', 'bench')];
const filter = process.argv[2];

function findTests(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : findTests(full);
    return entry.isFile() && entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

const files = testDirs.flatMap(findTests)
  .map(f => path.relative(root, f))
  .filter(f => !filter || f.includes(filter))
  .sort();
if (files.length === 0) {
  console.error(`run-unit-tests: no test files under test/unit${filter ? ` matching "${filter}"` : ''}`);
  process.exit(1);
}
console.log(`run-unit-tests: ${files.length} file(s)`);
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], { cwd: root, stdio: 'inherit' });
if (result.error) throw result.error;
process.exit(result.status ?? 1);

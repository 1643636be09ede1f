/**
 * The CLI's workspace index (names for `repair FILE`, lines for a blank line): the files around FILE up to the repository root, nearest
 * first, without FILE itself, dependency folders, binary or huge files, and within the caps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cliWorkspaceIndex, repositoryRoot } from '../../src/cli/workspace';
import { NAME_INDEX_LIMITS } from '../../src/core/names';

function tree(files: Record<string, string | Buffer>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'diffuse-names-'));
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), content);
  }
  return root;
}

test('the index reaches from FILE\'s folder up to the repository root, and leaves out FILE and what is skipped', (t) => {
  const root = tree({
    '.git/HEAD': 'ref: refs/heads/main\n',
    'src/app/main.ts': 'defineProperty_(a);\n',
    'src/app/helper.ts': 'export function defineProperty_(o) { return o; }\n',
    'src/lib/util.py': 'def node_cases(node):\n    return node.cases\n',
    'README.md': 'defineProperty_ everywhere\n',
    'node_modules/dep/index.js': 'export const fromDependency = 1;\n',
    'dist/bundle.js': 'export const fromBuild = 1;\n',
    'src/app/logo.ts': Buffer.from([0x41, 0x00, 0x42]),
  });
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  assert.equal(repositoryRoot(path.join(root, 'src', 'app')), root);
  const { names: index, root: reached } = cliWorkspaceIndex(path.join(root, 'src/app/main.ts'));
  assert.equal(reached, root);
  assert.equal(index.occurrences('defineProperty_'), 1, 'helper.ts only: FILE is counted by the repair, Markdown is not code');
  assert.equal(index.occurrences('cases'), 1, 'a folder beside FILE\'s, under the root');
  assert.equal(index.occurrences('fromDependency'), 0);
  assert.equal(index.occurrences('fromBuild'), 0);
  assert.equal(index.fileCount, 2, 'the binary file is skipped');
});

test('without a repository, only FILE\'s folder; the caps stop the reading', (t) => {
  const root = tree({ 'a/one.ts': 'const alpha = 1;\n', 'a/two.ts': 'const beta = 2;\n', 'a/three.ts': 'const gamma = 3;\n', 'b/far.ts': 'const far = 1;\n' });
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  if (repositoryRoot(root) !== undefined) return; // the temporary folder sits inside a repository
  const all = cliWorkspaceIndex(path.join(root, 'a/one.ts'));
  assert.equal(all.root, path.join(root, 'a'));
  assert.equal(all.names.occurrences('far'), 0);
  assert.equal(all.names.fileCount, 2);
  const capped = cliWorkspaceIndex(path.join(root, 'a/one.ts'), { maxFileBytes: 1000, maxTotalBytes: 1000, maxFiles: 1 });
  assert.equal(capped.names.fileCount, 1);
  const small = cliWorkspaceIndex(path.join(root, 'a/one.ts'), { maxFileBytes: 10, maxTotalBytes: 1000, maxFiles: 10 });
  assert.equal(small.names.fileCount, 0, 'files over the size limit are skipped');
  // The lines alone, for a blank line: the same files, under the same caps, and no names read.
  const lines = cliWorkspaceIndex(path.join(root, 'a/one.ts'), NAME_INDEX_LIMITS, { names: false, lines: true });
  assert.deepEqual([lines.lines.fileCount, lines.names.fileCount], [2, 0]);
  assert.equal(lines.lines.has(path.join(root, 'a/one.ts')), false, 'FILE itself is left out');
  const cappedLines = cliWorkspaceIndex(path.join(root, 'a/one.ts'), { maxFileBytes: 1000, maxTotalBytes: 1000, maxFiles: 1 }, { names: false, lines: true });
  assert.equal(cappedLines.lines.fileCount, 1);
});

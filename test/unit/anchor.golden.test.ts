/**
 * Golden anchoring fixtures: test/fixtures/anchor/<languageId>/<name>.<ext> marks a selection with
 * `<<` and `>>` (or a cursor with `<<|>>`); `<name>.<ext>.expected` holds the source with the
 * syntax-anchored range marked `[[` .. `]]`. A missing expectation is written out and fails the
 * run once, so it gets reviewed; UPDATE_GOLDEN=1 rewrites all of them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { anchorRange } from '../../src/syntax';
import type { OffsetRange } from '../../src/core/types';

const root = path.join(__dirname, '..', 'fixtures', 'anchor');
const update = process.env.UPDATE_GOLDEN === '1';

function parseMarkers(source: string): { text: string; range: OffsetRange } {
  const cursor = source.indexOf('<<|>>');
  if (cursor >= 0) {
    if (source.indexOf('<<|>>', cursor + 1) >= 0 || source.includes('<<', cursor + 5)) throw new Error('more than one marker');
    return { text: source.slice(0, cursor) + source.slice(cursor + 5), range: { start: cursor, end: cursor } };
  }
  const open = source.indexOf('<<');
  const close = source.indexOf('>>', open + 2);
  if (open < 0 || close < 0) throw new Error('no << >> selection marker');
  if (source.indexOf('<<', open + 2) >= 0 || source.indexOf('>>', close + 2) >= 0) {
    throw new Error('markers are ambiguous: << or >> occurs more than once');
  }
  const text = source.slice(0, open) + source.slice(open + 2, close) + source.slice(close + 2);
  return { text, range: { start: open, end: close - 2 } };
}

function renderAnchor(text: string, range: OffsetRange): string {
  return `${text.slice(0, range.start)}[[${text.slice(range.start, range.end)}]]${text.slice(range.end)}`;
}

const fixtures = fs.readdirSync(root, { withFileTypes: true })
  .filter(d => d.isDirectory())
  .flatMap(d => fs.readdirSync(path.join(root, d.name))
    .filter(f => !f.endsWith('.expected'))
    .map(f => ({ languageId: d.name, file: path.join(root, d.name, f) })))
  .sort((a, b) => a.file.localeCompare(b.file));

test('golden fixtures cover every supported language', () => {
  const languages = new Set(fixtures.map(f => f.languageId));
  for (const id of ['typescript', 'typescriptreact', 'javascript', 'javascriptreact', 'python', 'go', 'rust', 'java', 'c', 'cpp', 'json']) {
    assert.ok(languages.has(id), `no anchor fixture for ${id}`);
  }
});

for (const { languageId, file } of fixtures) {
  test(`anchor golden ${languageId}/${path.basename(file)}`, async () => {
    const { text, range } = parseMarkers(fs.readFileSync(file, 'utf8'));
    const result = await anchorRange(text, languageId, range, 'syntax');
    assert.equal(result.mode, 'syntax', `fell back to lines: ${result.reason}`);
    const actual = renderAnchor(text, result.range);
    const expectedFile = `${file}.expected`;
    if (update || !fs.existsSync(expectedFile)) {
      fs.writeFileSync(expectedFile, actual);
      assert.fail(`wrote ${path.relative(process.cwd(), expectedFile)}; review it and run again`);
    }
    assert.equal(actual, fs.readFileSync(expectedFile, 'utf8'));
  });
}

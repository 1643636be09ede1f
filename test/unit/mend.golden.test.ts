/**
 * Golden corpus of broken fills and their mended text: test/fixtures/mend/<languageId>/<name>.<ext>
 * is a file with the code a fill replaced marked `<<` .. `>>`, and `<name>.<ext>.fill` a fill the
 * bundled model wrote there that breaks the syntax (harvested with the repair off). Each goes
 * through the repair's fixer chain as a span's only sample (engine/candidates fillSpans: the
 * bracket-balanced, cut-back and line-dropped variants, then the parser's recovery), and
 * `<name>.<ext>.expected` pins what is kept and how many syntax errors remain around it. A missing
 * expectation is written out and fails the run once, so it gets reviewed; UPDATE_GOLDEN=1 rewrites
 * them all. Outcomes, not call schedules: any change to a fixer shows here as a changed mend.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fillSpans } from '../../src/engine/candidates';
import type { FillBackend } from '../../src/core/types';
import { validateFill } from '../../src/syntax';
import { sampler } from './helpers/model';

const root = path.join(__dirname, '..', 'fixtures', 'mend');
const update = process.env.UPDATE_GOLDEN === '1';

const fixtures = fs.readdirSync(root, { withFileTypes: true })
  .filter(d => d.isDirectory())
  .flatMap(d => fs.readdirSync(path.join(root, d.name))
    .filter(f => !f.endsWith('.fill') && !f.endsWith('.expected'))
    .map(f => ({ languageId: d.name, file: path.join(root, d.name, f) })))
  .sort((a, b) => a.file.localeCompare(b.file));

/** A backend that answers every request with `fill`: the one sample the fixers get to mend. */
function answering(fill: string): FillBackend {
  return {
    id: 'golden', describe: () => 'golden', dispose: async () => undefined,
    fill: async requests => ({ texts: requests.map(() => fill), nfe: 1, ms: 0, canvasTokens: requests.map(() => 0) }),
  };
}

test('the mend corpus has broken fills in TypeScript and Python', () => {
  const languages = new Set(fixtures.map(f => f.languageId));
  assert.ok(languages.has('typescript') && languages.has('python'));
  assert.ok(fixtures.length >= 10, `${fixtures.length} fixtures`);
});

for (const { languageId, file } of fixtures) {
  test(`mend golden ${languageId}/${path.basename(file)}`, async () => {
    const marked = fs.readFileSync(file, 'utf8');
    const open = marked.indexOf('<<');
    const close = marked.indexOf('>>', open);
    const original = marked.slice(open + 2, close);
    const docText = marked.slice(0, open) + original + marked.slice(close + 2);
    const range = { start: open, end: open + original.length };
    const fill = fs.readFileSync(`${file}.fill`, 'utf8');
    const broken = await validateFill(docText, languageId, range, fill);
    assert.equal(broken.ok, false, 'the corpus holds fills that break the syntax');
    const doc = docText.slice(0, range.start) + fill + docText.slice(range.end);
    const span = { start: range.start, end: range.start + fill.length };
    const res = await fillSpans(answering(fill), {
      doc, languageId, spans: [span], originals: [original], toward: [original], counts: [1], sampler: sampler(), batchRows: 1,
      blanks: (_, text) => text.trim() === '' && original.trim() !== '', keepIfBetter: false, recover: true,
    });
    const mended = res.texts[0] ?? fill;
    const after = await validateFill(docText, languageId, range, mended);
    const actual = `errors: ${broken.errorsAfter} -> ${after.errorsAfter}; ${mended === fill ? 'kept as written' : res.recovered ? 'parser recovery' : 'variant'}\n${mended}`;
    assert.ok(after.errorsAfter <= broken.errorsAfter, 'a mend never adds errors');
    const expectedFile = `${file}.expected`;
    if (update || !fs.existsSync(expectedFile)) {
      fs.writeFileSync(expectedFile, actual);
      assert.fail(`wrote ${path.relative(process.cwd(), expectedFile)}; review it and run again`);
    }
    assert.equal(actual, fs.readFileSync(expectedFile, 'utf8'));
  });
}

/**
 * Properties of the review over 10,000 generated cases (documents with mixed line endings, tabs and
 * surrogate pairs; random selections, anchored exactly or to lines; random fills), replayed with the
 * same seeds on every run: rejecting every hunk restores the document byte for byte, accepting every
 * hunk leaves exactly the proposed text, any accepted subset equals applying exactly those hunks
 * (whatever order the user resolves them in), and no offset ever splits a surrogate pair.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anchorLines } from '../../src/core/anchor';
import { applyHunks, counterIds, normalizeEol } from '../../src/core/hunks';
import { planReview, ReviewState, type ReviewEdit } from '../../src/core/review';
import type { OffsetRange } from '../../src/core/types';
import { document, fill, Gen, selection, splitsPair } from './helpers/property';

const CASES = 10_000;

function applyEdits(text: string, edits: readonly ReviewEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.range.start - a.range.start)) {
    out = out.slice(0, e.range.start) + e.text + out.slice(e.range.end);
  }
  return out;
}

function assertWhole(text: string, r: OffsetRange, what: string): void {
  assert.ok(!splitsPair(text, r.start) && !splitsPair(text, r.end), `${what} ${r.start}-${r.end} splits a surrogate pair`);
}

/** One generated case; returns how many hunks it had (to check the generator is not trivial). */
function runCase(seed: number): number {
  const g = new Gen(seed);
  let base = document(g);
  let sel = selection(g, base);
  let newTextFor = (original: string): string => fill(g, original);
  if (g.chance(0.4)) {
    // An editor keeps one line ending per document and converts what it inserts (ReviewManager does).
    const eol = g.pick(['\n', '\r\n'] as const);
    base = normalizeEol(base, eol);
    sel = selection(g, base);
    newTextFor = original => normalizeEol(fill(g, original), eol);
  }
  const range = g.chance(0.5) ? sel : anchorLines(base, sel);
  assertWhole(base, range, 'anchored range');
  const newText = newTextFor(base.slice(range.start, range.end));
  const proposed = base.slice(0, range.start) + newText + base.slice(range.end);
  const plan = planReview({ docId: 'doc', version: 1, baseText: base, range, newText }, counterIds(`s${seed}h`));
  const ids = plan.hunks.map(h => h.id);

  for (const h of plan.hunks) {
    assert.ok(h.base.start >= range.start && h.base.end <= range.end, 'a hunk stays inside the edited range');
    assertWhole(base, h.base, `hunk ${h.id} base`);
    assertWhole(proposed, h.proposed, `hunk ${h.id} proposed`);
    assert.equal(base.slice(h.base.start, h.base.end), h.removed);
    assert.equal(proposed.slice(h.proposed.start, h.proposed.end), h.added);
  }

  // Showing the proposal (the insertion) is accept-all.
  const shown = applyEdits(base, plan.insertion);
  assert.equal(shown, proposed, 'accept-all equals the proposed text');
  assert.equal(applyHunks(base, plan.hunks, new Set(ids)), proposed);

  const all = ReviewState.fromPlan(plan);
  assert.equal(applyEdits(shown, all.rejectAll()), base, 'reject-all restores the document byte for byte');
  assert.ok(all.done);

  // A random subset, resolved one hunk at a time in a random order, each rejection fed back as the
  // document change it causes (as the editor reports it to the review).
  const state = ReviewState.fromPlan(plan);
  const accepted = new Set<string>();
  let doc = shown;
  for (const id of g.shuffle(ids)) {
    if (g.chance(0.5)) {
      assert.ok(state.accept(id));
      accepted.add(id);
    } else {
      const edit = state.reject(id);
      assert.ok(edit);
      doc = applyEdits(doc, [edit]);
      assert.deepEqual(state.applyChanges([{ start: edit.range.start, end: edit.range.end, text: edit.text }]), [],
        'rejecting one hunk never drops another');
    }
    for (const h of state.pending) {
      assert.equal(doc.slice(h.range.start, h.range.end), h.added, `pending hunk ${h.id} still in place`);
      assertWhole(doc, h.range, `pending hunk ${h.id}`);
    }
  }
  assert.ok(state.done);
  assert.equal(doc, applyHunks(base, plan.hunks, accepted), 'a subset equals applying exactly those hunks');
  return plan.hunks.length;
}

test(`review properties hold over ${CASES.toLocaleString('en')} seeded cases`, () => {
  let hunks = 0;
  let multi = 0;
  for (let seed = 1; seed <= CASES; seed++) {
    try {
      const n = runCase(seed);
      hunks += n;
      if (n > 1) multi++;
    } catch (e) {
      throw new Error(`case seed=${seed}: ${(e as Error).message}`, { cause: e });
    }
  }
  // The generator must produce real work: many cases with several hunks each.
  assert.ok(multi > CASES / 10, `only ${multi} cases had more than one hunk`);
  assert.ok(hunks > CASES, `only ${hunks} hunks in ${CASES} cases`);
});

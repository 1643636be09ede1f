import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyHunks, counterIds } from '../../src/core/hunks';
import { applyBatch, type TextChange } from '../../src/core/rebase';
import { planReview, ReviewState, type ReviewEdit } from '../../src/core/review';
import type { RootedEdit } from '../../src/core/types';

function edit(baseText: string, start: number, end: number, newText: string): RootedEdit {
  return { docId: 'file:///a.ts', version: 1, baseText, range: { start, end }, newText };
}

/** Applies the plan's insertion, as the adapter does before the review starts. */
function show(e: RootedEdit) {
  const plan = planReview(e, counterIds());
  const doc = applyBatch(e.baseText, plan.insertion.map(i => ({ start: i.range.start, end: i.range.end, text: i.text })));
  return { plan, doc, review: ReviewState.fromPlan(plan) };
}

const asChange = (e: ReviewEdit): TextChange => ({ start: e.range.start, end: e.range.end, text: e.text });

/** What the adapter does for a reject: apply the edit, then feed the change back to the review. */
function rejectIn(doc: string, review: ReviewState, id: string): string {
  const e = review.reject(id);
  assert.ok(e, `hunk ${id} should be pending`);
  const next = applyBatch(doc, [asChange(e)]);
  assert.deepEqual(review.applyChanges([asChange(e)]), []);
  return next;
}

const base = 'head\nkeep1\nold A\nkeep2\nold B1\nold B2\nkeep3\ntail\n';
const start = base.indexOf('keep1');
const end = base.indexOf('tail');
const proposed = 'keep1\nnew A\nkeep2\nnew B\nkeep3\n';

test('planReview hunks stay inside the edited range and the insertion yields the proposed document', () => {
  const e = edit(base, start, end, proposed);
  const { plan, doc } = show(e);
  assert.equal(plan.hunks.length, 2);
  for (const h of plan.hunks) assert.ok(h.base.start >= start && h.base.end <= end);
  assert.equal(doc, base.slice(0, start) + proposed + base.slice(end));
});

test('planReview refuses a range outside the base text', () => {
  assert.throws(() => planReview(edit('abc', 2, 9, 'x'), counterIds()), /outside/);
});

test('accept keeps the document; reject restores the base text of that hunk only', () => {
  const { plan, doc, review } = show(edit(base, start, end, proposed));
  const [a, b] = plan.hunks;
  assert.equal(review.accept(a.id), true);
  assert.equal(review.accept(a.id), false, 'a resolved hunk is no longer pending');
  const after = rejectIn(doc, review, b.id);
  assert.equal(after, applyHunks(base, plan.hunks, new Set([a.id])));
  assert.equal(review.done, true);
  assert.deepEqual(review.tally(), { accepted: 1, rejected: 1, dropped: 0 });
});

test('ids stay valid after other hunks are resolved (no index addressing)', () => {
  const { plan, doc, review } = show(edit(base, start, end, proposed));
  const [a, b] = plan.hunks;
  const after = rejectIn(doc, review, a.id); // shifts b
  assert.equal(review.get(b.id)?.added, 'new B\n');
  const bNow = review.get(b.id)!;
  assert.equal(after.slice(bNow.range.start, bNow.range.end), 'new B\n');
});

test('rejectAll restores the base document byte for byte; acceptAll keeps the proposal', () => {
  const e = edit(base, start, end, proposed);
  const r1 = show(e);
  const edits = r1.review.rejectAll();
  assert.equal(applyBatch(r1.doc, edits.map(asChange)), base);
  assert.equal(r1.review.done, true);
  const r2 = show(e);
  assert.equal(r2.review.acceptAll().length, 2);
  assert.equal(r2.review.done, true);
  assert.equal(r2.review.tally().accepted, 2);
});

test('an edit inside a pending hunk drops it and keeps the user text', () => {
  const { plan, doc, review } = show(edit(base, start, end, proposed));
  const [a, b] = plan.hunks;
  const at = review.get(a.id)!.range.start + 2;
  const typing: TextChange = { start: at, end: at, text: 'Z' };
  assert.deepEqual(review.applyChanges([typing]), [a.id]);
  assert.equal(review.outcome(a.id), 'dropped');
  const typed = applyBatch(doc, [typing]);
  // b moved by one and still points at its proposed text.
  const bNow = review.get(b.id)!;
  assert.equal(typed.slice(bNow.range.start, bNow.range.end), b.added);
  assert.equal(rejectIn(typed, review, b.id), applyBatch(applyHunks(base, plan.hunks, new Set([a.id])), [typing]));
});

test('typing at the start of a hunk edits it; typing at its end belongs to the next line', () => {
  const { plan, review } = show(edit(base, start, end, proposed));
  const [a] = plan.hunks;
  const r = review.get(a.id)!.range;
  assert.deepEqual(review.applyChanges([{ start: r.end, end: r.end, text: 'q' }]), []);
  assert.deepEqual(review.get(a.id)?.range, r);
  assert.deepEqual(review.applyChanges([{ start: r.start, end: r.start, text: 'q' }]), [a.id]);
});

test('edits before a hunk shift it; a batch is read in pre-batch coordinates', () => {
  const { plan, doc, review } = show(edit(base, start, end, proposed));
  const [a, b] = plan.hunks;
  // One batch: delete "head\n" and insert text into keep2 (between the hunks) at once.
  const keep2 = doc.indexOf('keep2');
  const batch: TextChange[] = [{ start: 0, end: 5, text: '' }, { start: keep2 + 2, end: keep2 + 2, text: '>>>' }];
  assert.deepEqual(review.applyChanges(batch), []);
  const now = applyBatch(doc, batch);
  for (const h of [a, b]) {
    const p = review.get(h.id)!;
    assert.equal(now.slice(p.range.start, p.range.end), h.added);
  }
});

test('a deletion hunk (empty proposed range) survives typing at its position and is dropped when spanned', () => {
  const b0 = 'a\nb\nc\n';
  const { plan, doc, review } = show(edit(b0, 0, b0.length, 'a\nc\n'));
  const [h] = plan.hunks;
  assert.deepEqual(review.get(h.id)!.range, { start: 2, end: 2 });
  assert.deepEqual(review.applyChanges([{ start: 2, end: 2, text: 'X' }]), []);
  const typed = applyBatch(doc, [{ start: 2, end: 2, text: 'X' }]);
  assert.equal(rejectIn(typed, review, h.id), 'a\nb\nXc\n');
  const second = show(edit(b0, 0, b0.length, 'a\nc\n'));
  assert.deepEqual(second.review.applyChanges([{ start: 1, end: 3, text: '' }]), [second.plan.hunks[0].id]);
});

test('navigation: hunkAt, next and previous wrap around', () => {
  const { plan, review } = show(edit(base, start, end, proposed));
  const [a, b] = plan.hunks;
  const ra = review.get(a.id)!.range;
  assert.equal(review.hunkAt(ra.start)?.id, a.id);
  assert.equal(review.hunkAt(0), undefined);
  assert.equal(review.next(0)?.id, a.id);
  assert.equal(review.next(ra.start)?.id, b.id);
  assert.equal(review.next(10_000)?.id, a.id);
  assert.equal(review.previous(10_000)?.id, b.id);
  assert.equal(review.previous(0)?.id, b.id);
});

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x6d2b79f5) >>> 0;
    let t = Math.imul(x ^ (x >>> 15), x | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('random reviews: any sequence of accepts and rejects ends at applyHunks of the accepted set', () => {
  const lines = ['a', 'b', 'c', 'return x;', '', '}'];
  const eols = ['\n', '\r\n'];
  const make = (r: () => number) => {
    let s = '';
    const n = 1 + Math.floor(r() * 10);
    for (let i = 0; i < n; i++) s += lines[Math.floor(r() * lines.length)] + eols[Math.floor(r() * eols.length)];
    return r() < 0.3 ? s.replace(/(\r\n|\n)$/, '') : s;
  };
  for (let seed = 1; seed <= 300; seed++) {
    const r = rng(seed);
    const prefix = make(r);
    const region = make(r);
    const suffix = make(r);
    const baseText = prefix + region + suffix;
    const newText = make(r);
    const e = edit(baseText, prefix.length, prefix.length + region.length, newText);
    const { plan, doc: shown, review } = show(e);
    let doc = shown;
    const accepted = new Set<string>();
    for (const h of [...plan.hunks].sort(() => r() - 0.5)) {
      if (r() < 0.5) {
        review.accept(h.id);
        accepted.add(h.id);
      } else {
        doc = rejectIn(doc, review, h.id);
      }
    }
    const expected = applyHunks(baseText, plan.hunks, accepted);
    assert.equal(doc, expected, `seed ${seed}`);
    assert.equal(review.done, true);
  }
});

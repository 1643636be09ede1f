import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyHunks, computeHunks, counterIds, normalizeEol, offsetHunks, splitLinesKeepEnds, type Hunk } from '../../src/core/hunks';

const all = (hunks: readonly Hunk[]) => new Set(hunks.map(h => h.id));

/** Deterministic PRNG (mulberry32), so a failing case can be reproduced from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomText(r: () => number, words: readonly string[], endings: readonly string[]): string {
  const n = Math.floor(r() * 12);
  let s = '';
  for (let i = 0; i < n; i++) s += words[Math.floor(r() * words.length)] + endings[Math.floor(r() * endings.length)];
  if (r() < 0.4) s += words[Math.floor(r() * words.length)]; // no final newline
  return s;
}

test('splitLinesKeepEnds keeps every terminator and loses nothing', () => {
  assert.deepEqual(splitLinesKeepEnds('a\r\nb\nc\rd'), ['a\r\n', 'b\n', 'c\r', 'd']);
  assert.deepEqual(splitLinesKeepEnds(''), []);
  assert.deepEqual(splitLinesKeepEnds('\n\n'), ['\n', '\n']);
  assert.deepEqual(splitLinesKeepEnds('x\r'), ['x\r']);
  assert.deepEqual(splitLinesKeepEnds('\r\r\n'), ['\r', '\r\n']);
});

test('identical texts have no hunks', () => {
  assert.deepEqual(computeHunks('a\nb\n', 'a\nb\n', counterIds()), []);
  assert.deepEqual(computeHunks('', '', counterIds()), []);
});

test('a changed line is one hunk with offsets, lines and texts', () => {
  const base = 'one\ntwo\nthree\n';
  const next = 'one\nTWO\nthree\n';
  const [h, ...rest] = computeHunks(base, next, counterIds());
  assert.equal(rest.length, 0);
  assert.equal(h.id, 'h1');
  assert.deepEqual(h.base, { start: 4, end: 8 });
  assert.deepEqual(h.proposed, { start: 4, end: 8 });
  assert.equal(h.removed, 'two\n');
  assert.equal(h.added, 'TWO\n');
  assert.equal(h.baseLine, 1);
  assert.equal(h.removedLines, 1);
  assert.equal(h.proposedLine, 1);
  assert.equal(h.addedLines, 1);
});

test('pure insertions and deletions are hunks with an empty side', () => {
  const ins = computeHunks('a\nc\n', 'a\nb\nc\n', counterIds());
  assert.equal(ins.length, 1);
  assert.deepEqual(ins[0].base, { start: 2, end: 2 });
  assert.equal(ins[0].removed, '');
  assert.equal(ins[0].added, 'b\n');
  const del = computeHunks('a\nb\nc\n', 'a\nc\n', counterIds());
  assert.equal(del.length, 1);
  assert.deepEqual(del[0].proposed, { start: 2, end: 2 });
  assert.equal(del[0].removed, 'b\n');
  assert.equal(del[0].addedLines, 0);
});

test('separate changes give separate hunks with distinct ids; unchanged lines are never in a hunk', () => {
  const base = 'a\nb\nc\nd\ne\n';
  const next = 'A\nb\nc\nD\nE\n';
  const hunks = computeHunks(base, next, counterIds('x'));
  assert.deepEqual(hunks.map(h => h.id), ['x1', 'x2']);
  assert.deepEqual(hunks.map(h => [h.removed, h.added]), [['a\n', 'A\n'], ['d\ne\n', 'D\nE\n']]);
  for (const h of hunks) assert.ok(!h.removed.includes('b\n') && !h.removed.includes('c\n'));
});

test('a line ending change is a real hunk and CRLF survives byte for byte', () => {
  const base = 'a\r\nb\r\nc';
  const next = 'a\r\nb\nc';
  const hunks = computeHunks(base, next, counterIds());
  assert.equal(hunks.length, 1);
  assert.equal(hunks[0].removed, 'b\r\n');
  assert.equal(applyHunks(base, hunks, new Set()), base);
  assert.equal(applyHunks(base, hunks, all(hunks)), next);
});

test('a final newline added or removed is a hunk on the last line', () => {
  const hunks = computeHunks('a\nb', 'a\nb\n', counterIds());
  assert.equal(hunks.length, 1);
  assert.deepEqual([hunks[0].removed, hunks[0].added], ['b', 'b\n']);
});

test('applyHunks applies exactly the chosen hunks', () => {
  const base = 'a\nb\nc\nd\n';
  const next = 'A\nb\nc\nD\n';
  const [h1, h2] = computeHunks(base, next, counterIds());
  assert.equal(applyHunks(base, [h1, h2], new Set([h1.id])), 'A\nb\nc\nd\n');
  assert.equal(applyHunks(base, [h1, h2], new Set([h2.id])), 'a\nb\nc\nD\n');
});

test('applyHunks refuses hunks that do not belong to the text', () => {
  const hunks = computeHunks('a\nb\n', 'a\nB\n', counterIds());
  assert.throws(() => applyHunks('a\nX\n', hunks, all(hunks)), /does not match/);
});

test('offsetHunks moves offsets into document coordinates', () => {
  const [h] = offsetHunks(computeHunks('x\n', 'y\n', counterIds()), 10, 20);
  assert.deepEqual(h.base, { start: 10, end: 12 });
  assert.deepEqual(h.proposed, { start: 20, end: 22 });
});

test('invariants over random texts with mixed line endings: reject-all, accept-all, every subset', () => {
  const words = ['x', 'y', 'z', '', '  if (a) {', '}', 'return 1;'];
  const endings = ['\n', '\r\n', '\r'];
  for (let seed = 1; seed <= 400; seed++) {
    const r = rng(seed);
    const base = randomText(r, words, endings);
    const next = r() < 0.2 ? base : randomText(r, words, endings);
    const hunks = computeHunks(base, next, counterIds());
    const ctx = `seed ${seed}: ${JSON.stringify(base)} -> ${JSON.stringify(next)}`;
    assert.equal(applyHunks(base, hunks, new Set()), base, ctx);
    assert.equal(applyHunks(base, hunks, all(hunks)), next, ctx);
    assert.equal(new Set(hunks.map(h => h.id)).size, hunks.length, ctx);
    for (const h of hunks) {
      assert.equal(base.slice(h.base.start, h.base.end), h.removed, ctx);
      assert.equal(next.slice(h.proposed.start, h.proposed.end), h.added, ctx);
      assert.notEqual(h.removed, h.added, ctx);
    }
    // Every subset equals applying exactly those hunks one at a time, in any order.
    const subset = hunks.filter(() => r() < 0.5);
    let text = base;
    for (const h of [...subset].sort((a, b) => b.base.start - a.base.start)) {
      text = text.slice(0, h.base.start) + h.added + text.slice(h.base.end);
    }
    assert.equal(applyHunks(base, hunks, new Set(subset.map(h => h.id))), text, ctx);
  }
});

test('normalizeEol rewrites every ending to the document one', () => {
  assert.equal(normalizeEol('a\nb\r\nc\rd', '\r\n'), 'a\r\nb\r\nc\r\nd');
  assert.equal(normalizeEol('a\r\nb\r\n', '\n'), 'a\nb\n');
  assert.equal(normalizeEol('no newline', '\r\n'), 'no newline');
});

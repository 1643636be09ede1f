import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyBatch, placeChange, rebaseRange } from '../../src/core/rebase';

const range = { start: 10, end: 20 };

test('placeChange: before, after and overlap around a non-empty range', () => {
  assert.equal(placeChange(range, { start: 0, end: 5, text: 'x' }), 'before');
  assert.equal(placeChange(range, { start: 5, end: 10, text: '' }), 'before', 'a deletion ending at the start');
  assert.equal(placeChange(range, { start: 10, end: 10, text: 'x' }), 'overlap', 'typing at the start edits the first line');
  assert.equal(placeChange(range, { start: 15, end: 15, text: 'x' }), 'overlap');
  assert.equal(placeChange(range, { start: 5, end: 11, text: '' }), 'overlap');
  assert.equal(placeChange(range, { start: 20, end: 20, text: 'x' }), 'after', 'typing at the end belongs to the next line');
  assert.equal(placeChange(range, { start: 19, end: 21, text: '' }), 'overlap');
  assert.equal(placeChange(range, { start: 25, end: 30, text: '' }), 'after');
});

test('placeChange: an empty range is only touched by a change that spans it', () => {
  const empty = { start: 10, end: 10 };
  assert.equal(placeChange(empty, { start: 10, end: 10, text: 'x' }), 'after');
  assert.equal(placeChange(empty, { start: 8, end: 10, text: '' }), 'before');
  assert.equal(placeChange(empty, { start: 10, end: 12, text: '' }), 'after');
  assert.equal(placeChange(empty, { start: 9, end: 11, text: '' }), 'overlap');
});

test('rebaseRange shifts across edits elsewhere and keeps pointing at the same text', () => {
  const text = '0123456789ABCDEFGHIJ-tail';
  const batches = [
    [{ start: 0, end: 2, text: 'xyz' }],
    [{ start: 24, end: 24, text: '!!' }, { start: 1, end: 3, text: '' }],
  ];
  let now = text;
  for (const b of batches) now = applyBatch(now, b);
  const moved = rebaseRange(range, batches);
  assert.ok(moved);
  assert.equal(now.slice(moved.start, moved.end), text.slice(range.start, range.end));
});

test('rebaseRange refuses when any batch touches the range', () => {
  assert.equal(rebaseRange(range, [[{ start: 0, end: 0, text: 'a' }], [{ start: 12, end: 13, text: '' }]]), undefined);
  assert.deepEqual(rebaseRange(range, []), range);
});

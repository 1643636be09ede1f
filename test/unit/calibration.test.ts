// The confidence benchmark's measures (test/bench/src/calibration.ts): which tokens and lines count
// as right, the reliability bins, ECE and AUROC.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { auroc, calibration, expectedCalibrationError, judgeLines, judgeTokens, lcsKept, reliabilityBins, splitAt, type Judged } from '../bench/src/calibration';

test('lcsKept marks the items of a longest common subsequence', () => {
  assert.deepEqual(lcsKept(['a', 'b', 'c', 'd'], ['a', 'c', 'd']), [true, false, true, true]);
  assert.deepEqual(lcsKept(['x', 'y'], []), [false, false]);
  assert.deepEqual(lcsKept([], ['a']), []);
  // Two as against one: exactly one is kept.
  assert.equal(lcsKept(['a', 'a'], ['a']).filter(Boolean).length, 1);
  assert.equal(lcsKept(['if', ' (', 'x', ')', ' {'], ['if', ' (', 'y', ')', ' {']).filter(Boolean).length, 4);
});

test('judgeTokens: a token is right when the alignment keeps it, with its own confidence', () => {
  const fill = [{ text: 'return', p: 0.9 }, { text: ' a', p: 0.4 }, { text: ' +', p: 0.7 }, { text: ' b', p: 0.2 }];
  assert.deepEqual(judgeTokens(fill, ['return', ' a', ' -', ' b']), [
    { p: 0.9, right: true }, { p: 0.4, right: true }, { p: 0.7, right: false }, { p: 0.2, right: true },
  ]);
});

test('judgeLines: least certain token per line, trimmed lines aligned, blank and unscored lines skipped', () => {
  const fill = 'x = 1\n\n  y = f(x)\nz = 3';
  // x = 1 at 0.9; y = f(x) has tokens at 0.8 and 0.3; z = 3 has no confidence (the model did not write it).
  const spans = [{ start: 0, end: 5, p: 0.9 }, { start: 9, end: 10, p: 0.8 }, { start: 12, end: 16, p: 0.3 }];
  assert.deepEqual(judgeLines(fill, spans, 'x = 1\ny = f(x)\n  z = 4'), [{ p: 0.9, right: true }, { p: 0.3, right: true }]);
  assert.deepEqual(judgeLines('a\nb', [{ start: 0, end: 1, p: 0.5 }, { start: 2, end: 3, p: 0.6 }], 'b'), [{ p: 0.5, right: false }, { p: 0.6, right: true }]);
});

test('reliability bins are equal-width, with 1 in the last, and ECE weights them by count', () => {
  const items: Judged[] = [
    { p: 0.05, right: false }, { p: 0.15, right: false },
    { p: 0.95, right: true }, { p: 1, right: true }, { p: 0.9, right: false }, { p: 0.92, right: true },
  ];
  const bins = reliabilityBins(items);
  assert.equal(bins.length, 10);
  assert.deepEqual(bins.map((b) => b.count), [1, 1, 0, 0, 0, 0, 0, 0, 0, 4]);
  assert.ok(Number.isNaN(bins[5].meanP));
  assert.ok(Math.abs(bins[9].meanP - 0.9425) < 1e-9);
  assert.equal(bins[9].shareRight, 0.75);
  // |0.05 - 0| * 1/6 + |0.15 - 0| * 1/6 + |0.9425 - 0.75| * 4/6
  assert.ok(Math.abs(expectedCalibrationError(bins) - (0.05 / 6 + 0.15 / 6 + (0.1925 * 4) / 6)) < 1e-9);
  // Perfectly calibrated: no error.
  assert.equal(expectedCalibrationError(reliabilityBins([{ p: 0.5, right: true }, { p: 0.5, right: false }])), 0);
  assert.ok(Number.isNaN(expectedCalibrationError(reliabilityBins([]))));
});

test('AUROC: 1 when confidence orders right above wrong, 0.5 when it says nothing, ties half', () => {
  assert.equal(auroc([{ p: 0.9, right: true }, { p: 0.8, right: true }, { p: 0.2, right: false }]), 1);
  assert.equal(auroc([{ p: 0.9, right: false }, { p: 0.1, right: true }]), 0);
  assert.equal(auroc([{ p: 0.5, right: true }, { p: 0.5, right: false }]), 0.5);
  // right at 0.3, 0.7; wrong at 0.5: one pair in order of two.
  assert.equal(auroc([{ p: 0.3, right: true }, { p: 0.7, right: true }, { p: 0.5, right: false }]), 0.5);
  assert.ok(Number.isNaN(auroc([{ p: 0.3, right: true }])));
});

test('splitAt and calibration summarise above and below the review threshold', () => {
  const items: Judged[] = [{ p: 0.2, right: false }, { p: 0.4, right: true }, { p: 0.5, right: true }, { p: 0.9, right: true }];
  assert.deepEqual(splitAt(items, 0.5), { above: { count: 2, shareRight: 1 }, below: { count: 2, shareRight: 0.5 } });
  const c = calibration(items, 0.5);
  assert.equal(c.count, 4);
  assert.equal(c.shareRight, 0.75);
  assert.equal(c.auroc, 1);
});

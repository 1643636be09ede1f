"""The training rows the product's jobs need: slips to correct and seams to fill.

    cd models/training && /usr/bin/python3 -m unittest tests.test_rows
"""
import os
import sys
import unittest

import torch

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, HERE)

from data import MASK, Batcher, Slips, encoder_for, token_stream  # noqa: E402

CODE = """export function total(items, limit) {
  let count = 0;
  for (const item of items) {
    if (item.length <= limit && item.value == 10) count += 1;
  }
  return count > 0 ? count : -1;
}
"""


class RowsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.enc = encoder_for(os.path.join(HERE, "..", "diffuse-code-mini"))
        docs = [CODE * 6] * 8
        cls.stream = token_stream(docs, cls.enc)
        cls.slips = Slips(cls.enc)

    def text(self, i):
        return self.enc.decode([int(i)])

    def test_slips_are_one_edit_a_swapped_operator_or_one_off(self):
        one = lambda s: self.enc.encode(s)[0]  # noqa: E731
        self.assertIn(one(" <="), self.slips.options[one(" <")])
        self.assertIn(one(" !="), self.slips.options[one(" ==")])
        self.assertEqual(sorted(self.text(o) for o in self.slips.options[one("10")]), ["11", "9"])
        for o in self.slips.options[one(" items")]:
            a, b = " items", self.text(o)
            self.assertTrue(b.startswith(" ") and abs(len(a) - len(b)) <= 1 and a != b, b)

    def test_a_slip_row_shows_the_slips_and_asks_for_the_originals(self):
        b = Batcher([CODE * 6], self.stream, self.enc, 64, 0.0, seed=3, slip_share=1.0)
        x, m, w, inp = b.batch(16)
        slipped = (inp != x) & (inp != MASK)
        self.assertGreater(int(slipped.sum()), 0, "some slips are visible")
        # Every slip is a loss position whose target is the original token, and is one of its slips.
        self.assertTrue(bool(m[slipped].all()))
        for r, p in slipped.nonzero().tolist():
            self.assertIn(int(inp[r, p]), self.slips.options[int(x[r, p])])
        # As many untouched tokens are asked for (visible, right, in the loss), so that the model keeps its
        # mass on a token that is right.
        kept = m & (inp == x)
        self.assertGreaterEqual(int(kept.sum()), int(slipped.sum()))
        # Masked positions carry 1/t; the picked ones a quarter of a row in all.
        for r in range(16):
            picked = (m[r] & (inp[r] != MASK))
            if picked.any():
                self.assertAlmostEqual(float(w[r][picked].sum()), 64 / 4, places=3)

    def test_a_seam_row_masks_a_few_tokens_between_known_pieces(self):
        b = Batcher([CODE * 6], self.stream, self.enc, 64, 0.0, seed=5, seam_share=1.0)
        x, m, w, inp = b.batch(16)
        for r in range(16):
            at = m[r].nonzero().flatten().tolist()
            self.assertTrue(1 <= len(at) <= 8)
            self.assertEqual(at, list(range(at[0], at[0] + len(at))), "one contiguous run")
            self.assertTrue(bool((inp[r][m[r]] == MASK).all()))
            self.assertTrue(bool((inp[r][~m[r]] == x[r][~m[r]]).all()), "the rest is visible")
            self.assertAlmostEqual(float(w[r][at[0]]), 64 / len(at), places=3)

    def test_plain_rows_are_unchanged(self):
        b = Batcher([CODE * 6], self.stream, self.enc, 64, 0.0, seed=7)
        x, m, w, inp = b.batch(8)
        self.assertTrue(bool((inp[m] == MASK).all()))
        self.assertTrue(bool((inp[~m] == x[~m]).all()))
        self.assertTrue(torch.allclose(w, w[:, :1].expand_as(w)))

    def test_low_rate_rows_mask_few_tokens(self):
        b = Batcher([CODE * 6], self.stream, self.enc, 64, 0.0, seed=9, low_t_share=1.0)
        x, m, w, inp = b.batch(32)
        # Every row's rate is at most 0.3: its weight 1/t is at least 1/0.3, and it hides about that share.
        self.assertTrue(bool((w >= 1 / 0.3 - 1e-4).all()))
        self.assertLess(float(m.float().mean()), 0.25)
        self.assertTrue(bool((inp[m] == MASK).all()))
        # Without the option, the rates span (0, 1].
        x, m, w, inp = Batcher([CODE * 6], self.stream, self.enc, 64, 0.0, seed=9).batch(32)
        self.assertGreater(float(m.float().mean()), 0.35)


if __name__ == "__main__":
    unittest.main()

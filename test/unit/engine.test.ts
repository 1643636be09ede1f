import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillBatch } from '../../src/model/fillEngine';
import { denoise, CancelledError, transferSchedule, type CanvasRow } from '../../src/core/sampler';
import { canvasLength, CONTEXT_PER_SIDE, layoutInfill, CanvasTooLargeError } from '../../src/core/layout';
import { defaultModel, sampler, TS_PREFIX, TS_SUFFIX } from './helpers/model';

test('tokenizer round-trips real code exactly (tabs, CRLF, unicode, emoji)', async () => {
  const m = await defaultModel();
  const samples = [
    'function f(x) {\r\n\treturn x + 1;\r\n}\r\n',
    'const s = "héllo wörld — ünïcode ✓";\n',
    'let face = "😀👍🏽"; // emoji with a skin tone\n\t\t  mixed \t indentation\n',
    'def f():\n    return "\\u00e9"  # é\n\n\n',
    '',
    '   trailing spaces   \n',
  ];
  for (const s of samples) assert.equal(m.tokenizer.decode(m.tokenizer.encode(s)), s);
});

test('LLaDA transfer schedule spreads the masked tokens over the steps', () => {
  assert.deepEqual(transferSchedule(10, 4), [3, 3, 2, 2]);
  assert.deepEqual(transferSchedule(3, 8), [1, 1, 1]);
  assert.equal(transferSchedule(100, 7).reduce((a, b) => a + b), 100);
});

test('layout keeps both sides and cuts them at line boundaries', async () => {
  const m = await defaultModel();
  const nl = (id: number) => m.tokenizer.isNewline(id);
  const prefix = m.tokenizer.encode('line of code number one;\n'.repeat(60));
  const suffix = m.tokenizer.encode('another line after the hole;\n'.repeat(60));
  const L = canvasLength(40, 0.25);
  const lay = layoutInfill(prefix, suffix, L, { maxContext: 256, maskId: 2, slack: 0.25, isNewline: nl });
  assert.ok(lay.ids.length <= 256);
  assert.ok(lay.droppedPrefix > 0 && lay.droppedSuffix > 0);
  assert.ok(lay.start > 0 && lay.ids.length - lay.start - lay.length > 0, 'both sides kept');
  assert.ok(nl(prefix[prefix.length - lay.start - 1]), 'prefix cut right after a newline');
  assert.ok(nl(lay.ids[lay.ids.length - 1]), 'suffix cut right after a newline');
  assert.throws(() => layoutInfill(prefix, suffix, 250, { maxContext: 256, maskId: 2, slack: 0.25, isNewline: nl }), CanvasTooLargeError);
});

test('in a long-context model a short canvas gets at most CONTEXT_PER_SIDE tokens each side, and a side the other cannot fill', async () => {
  const m = await defaultModel();
  const nl = (id: number) => m.tokenizer.isNewline(id);
  const lines = (text: string, n: number) => m.tokenizer.encode(text.repeat(n));
  const p = { maxContext: 2048, maskId: 2, slack: 0.25, isNewline: nl };
  const prefix = lines('line of code number one;\n', 200);
  const suffix = lines('another line after the hole;\n', 200);
  assert.ok(prefix.length > 1000 && suffix.length > 1000);
  const L = canvasLength(40, 0.25);
  const short = layoutInfill(prefix, suffix, L, p);
  const after = short.ids.length - short.start - short.length;
  // At most a side's worth, less only by the cut back to a line break (a line is a few tokens).
  for (const kept of [short.start, after]) assert.ok(kept <= CONTEXT_PER_SIDE && kept > CONTEXT_PER_SIDE - 16, `kept ${kept}`);
  assert.ok(nl(prefix[prefix.length - short.start - 1]) && nl(short.ids[short.ids.length - 1]), 'cut at line breaks');
  // Little code before the hole: the code after it takes the unused share.
  const little = lines('x;\n', 20);
  const lopsided = layoutInfill(little, suffix, L, p);
  assert.equal(lopsided.start, little.length);
  const suffixKept = lopsided.ids.length - lopsided.start - lopsided.length;
  assert.ok(suffixKept > CONTEXT_PER_SIDE && suffixKept <= 2 * CONTEXT_PER_SIDE - little.length, `suffix kept ${suffixKept}`);
  // A canvas longer than a side's worth gets its own length of context each side, within the model's context.
  const long = layoutInfill(prefix, suffix, 700, p);
  assert.ok(long.start > CONTEXT_PER_SIDE && long.ids.length <= 2048, `prefix kept ${long.start}, row ${long.ids.length}`);
  // The bundled model's context is all used, as before.
  const bundled = layoutInfill(prefix, suffix, L, { ...p, maxContext: 256 });
  assert.ok(bundled.ids.length > 240 && bundled.ids.length <= 256);
});

test('the same seed gives the same fill; the fill is real text', async () => {
  const m = await defaultModel();
  const req = [{ prefix: TS_PREFIX, suffix: TS_SUFFIX, maxTokens: 12 }];
  const a = await fillBatch(m, req, sampler({ temperature: 0.8, seed: 42 }));
  const b = await fillBatch(m, req, sampler({ temperature: 0.8, seed: 42 }));
  assert.equal(a.texts[0], b.texts[0]);
  assert.ok(a.nfe >= 1);
  assert.ok(!a.texts[0].includes('\u2591'), 'no mask glyph left in a finished fill');
});

test('threshold decoding uses fewer model calls than one token per step', async () => {
  const m = await defaultModel();
  const req = [{ prefix: TS_PREFIX, suffix: TS_SUFFIX, maxTokens: 24 }];
  const fast = await fillBatch(m, req, sampler({ strategy: 'threshold', threshold: 0.7, steps: 8 }));
  const ar = await fillBatch(m, req, sampler({ strategy: 'ar' }));
  assert.ok(fast.nfe <= 8, `threshold with K = 8 made ${fast.nfe} calls`);
  assert.ok(fast.nfe < ar.nfe, `threshold ${fast.nfe} calls vs ar ${ar.nfe}`);
  const conf = await fillBatch(m, req, sampler({ strategy: 'confidence', steps: 6 }));
  assert.ok(conf.nfe <= 6, `confidence schedule with 6 steps made ${conf.nfe} calls`);
});

test('several holes fill in one batch: one model call per step for all of them', async () => {
  const m = await defaultModel();
  const reqs = [
    { prefix: TS_PREFIX, suffix: TS_SUFFIX, maxTokens: 10 },
    { prefix: 'def add(a, b):\n    ', suffix: '\n\nprint(add(1, 2))\n', maxTokens: 10 },
  ];
  const out = await fillBatch(m, reqs, sampler({ strategy: 'confidence', steps: 5 }));
  assert.equal(out.texts.length, 2);
  assert.ok(out.nfe <= 5, `two holes, 5 steps, ${out.nfe} calls`);
});

test('cancellation stops within one step', async () => {
  const m = await defaultModel();
  const row = layoutInfill(m.tokenizer.encode(TS_PREFIX), m.tokenizer.encode(TS_SUFFIX), 32, {
    maxContext: m.pkg.config.maxContext, maskId: m.pkg.config.special.mask, slack: 0.25, isNewline: (id) => m.tokenizer.isNewline(id),
  }) as CanvasRow;
  let calls = 0;
  let cancelled = false;
  await assert.rejects(
    denoise(async (ids) => { calls++; return m.session.forward(ids); }, [row], m.pkg.config.special, sampler({ strategy: 'ar' }), {
      onStep: () => { cancelled = true; },
      isCancelled: () => cancelled,
    }),
    CancelledError,
  );
  assert.equal(calls, 1, 'no model call after the cancel');
});

test('step events show the canvas filling in', async () => {
  const m = await defaultModel();
  const masked: number[] = [];
  await fillBatch(m, [{ prefix: TS_PREFIX, suffix: TS_SUFFIX, maxTokens: 16 }], sampler({ strategy: 'confidence', steps: 4 }), {
    onStep: (e) => masked.push(e.masked[0]),
  });
  assert.ok(masked.length >= 2);
  assert.equal(masked[masked.length - 1], 0);
  for (let i = 1; i < masked.length; i++) assert.ok(masked[i] < masked[i - 1], 'fewer masks after every step');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FillBackend, FillRequest } from '../../src/core/types';
import { repairPlan } from '../../src/engine/effort';
import { runEdit } from '../../src/engine/edit';
import { editSteps, MIN_EDIT_STEPS } from '../../src/engine/defaults';
import { sampler } from './helpers/model';

// A scripted backend isolates the pipeline's own logic (chunking, re-masking rounds); the model
// itself is exercised by engine.test.ts and cli.test.ts.
function scripted(fillFor: (r: FillRequest, call: number) => string) {
  const seen: FillRequest[][] = [];
  const backend: FillBackend = {
    id: 'scripted',
    describe: () => 'scripted',
    fill: async (requests) => {
      seen.push([...requests]);
      return { texts: requests.map((r) => fillFor(r, seen.length)), nfe: 1, ms: 0, canvasTokens: requests.map(() => 0) };
    },
    dispose: async () => undefined,
  };
  return { backend, seen };
}

const count = (t: string) => Math.ceil(t.length / 3);

test('re-masking splits error spans larger than one canvas instead of failing', async () => {
  const doc = Array.from({ length: 300 }, (_, i) => `let a${i} = ${i};`).join('\n') + '\n';
  const { backend, seen } = scripted((r, call) =>
    // First pass: every chunk comes back broken; re-mask passes give valid statements back.
    call === 1 ? r.original!.replace(/= \d+;/g, '= ((;') : r.original!.replace(/= \(\(;/g, '= 1;'));
  const result = await runEdit(backend, {
    docText: doc, range: { start: 0, end: doc.length - 1 }, languageId: 'typescript', anchoring: 'exact',
    sampler: sampler(), maxCanvasTokens: 120, countTokens: count, slack: 0.25,
  });
  assert.equal(result.syntaxOkBeforeRepair, false);
  assert.equal(result.syntaxOk, true, 'the re-mask rounds repaired the syntax');
  assert.ok(result.repairRounds >= 1);
  const budget = Math.floor((120 - 4) / 1.25);
  for (const call of seen) for (const r of call) assert.ok(count(r.original ?? '') <= budget, `a request of ${count(r.original ?? '')} tokens exceeds ${budget}`);
  assert.ok(seen.length > 2, 'the re-mask pass was split over several requests');
});

test('a pure insertion is one request of maxTokens, and the text is kept as the model wrote it', async () => {
  const { backend, seen } = scripted(() => '    return a + b;\n');
  const doc = 'function add(a, b) {\n}\n';
  const at = doc.indexOf('}');
  const result = await runEdit(backend, {
    docText: doc, range: { start: at, end: at }, languageId: 'javascript', anchoring: 'exact',
    sampler: sampler(), maxCanvasTokens: 200, countTokens: count, maxTokens: 40,
  });
  assert.equal(seen.length, 1);
  assert.equal(seen[0][0].maxTokens, 40);
  assert.equal(seen[0][0].original, undefined);
  assert.equal(result.newText, '    return a + b;\n');
  assert.equal(result.syntaxOk, true);
});

test('repair effort: fast spends at most the first fill\'s model calls, off none, thorough more', async () => {
  const doc = Array.from({ length: 60 }, (_, i) => `let a${i} = ${i};`).join('\n') + '\n';
  // Every fill comes back broken, so the repair would go on as long as it may; a call costs its
  // steps, and takes time like a model's (fast's time budget is a share of the first fill's).
  const calls: number[] = [];
  const backend: FillBackend = {
    id: 'broken', describe: () => 'broken', dispose: async () => undefined,
    fill: async (requests, options) => {
      calls.push(options.steps);
      await new Promise((r) => setTimeout(r, 4 * options.steps));
      return { texts: requests.map((r) => r.original!.replace(/= \d+;/g, '= ((;')), nfe: options.steps, ms: 0, canvasTokens: requests.map(() => 0) };
    },
  };
  const run = async (effort: 'off' | 'fast' | 'thorough', over: Partial<Parameters<typeof runEdit>[1]> = {}) => {
    calls.length = 0;
    const r = await runEdit(backend, {
      docText: doc, range: { start: 0, end: doc.length - 1 }, languageId: 'typescript', anchoring: 'exact',
      sampler: sampler(), maxCanvasTokens: 120, countTokens: count, slack: 0.25, ...repairPlan(effort), ...over,
    });
    return { r, first: r.nfe - r.repairNfe };
  };
  const off = await run('off');
  assert.equal(off.r.repairNfe, 0);
  assert.equal(off.r.syntaxOk, false, 'the broken fill is reported broken');
  const fast = await run('fast');
  assert.ok(fast.r.repairNfe > 0, 'fast repairs');
  assert.ok(fast.r.repairNfe <= fast.first, `fast: ${fast.r.repairNfe} repair calls for a first fill of ${fast.first}`);
  // A spent time budget starts no batch (only the parser's recovery, which calls no model, may run).
  const { r: spent } = await run('fast', { repairTime: { share: 0, minMs: 0 } });
  assert.equal(spent.repairNfe, 0);
  assert.equal(calls.length, 1, 'only the first fill called the model');
  const thorough = await run('thorough');
  assert.ok(thorough.r.repairNfe > fast.r.repairNfe, `thorough works longer: ${thorough.r.repairNfe} > ${fast.r.repairNfe}`);
});

test('the repair ledger says what each stage spent and left; a skipped stage does not run', async () => {
  const doc = Array.from({ length: 40 }, (_, i) => `let a${i} = ${i};`).join('\n') + '\n';
  const run = (skipStages?: Parameters<typeof runEdit>[1]['skipStages']) => {
    const { backend } = scripted((r, call) => (call === 1 ? r.original!.replace(/= \d+;/g, '= ((;') : r.original!.replace(/= \(\(;/g, '= 1;')));
    return runEdit(backend, {
      docText: doc, range: { start: 0, end: doc.length - 1 }, languageId: 'typescript', anchoring: 'exact',
      sampler: sampler(), maxCanvasTokens: 120, countTokens: count, slack: 0.25, skipStages,
    });
  };
  const full = await run();
  assert.equal(full.syntaxOk, true);
  const local = full.ledger.find((e) => e.stage === 'local-rounds');
  assert.ok(local && local.errorsBefore > 0 && local.errorsAfter === 0 && local.calls > 0 && local.rows > 0, JSON.stringify(full.ledger));
  assert.equal(full.ledger.reduce((n, e) => n + e.calls, 0), full.repairNfe, 'the ledger accounts for every repair call');
  const without = await run(['local-rounds']);
  assert.ok(!without.ledger.some((e) => e.stage === 'local-rounds'));
  assert.ok(without.ledger.some((e) => e.stage === 'chunk-refill'), JSON.stringify(without.ledger));
  const none = await run(['local-rounds', 'chunk-refill', 'parser-recovery']);
  assert.deepEqual(none.ledger, []);
  assert.equal(none.syntaxOk, false, 'no stage ran: the fill stays broken, and says so');
  assert.equal(none.repairNfe, 0);
});

test('a large edit takes fewer steps per chunk within the row-step budget, unless the user fixed the steps', async () => {
  assert.deepEqual([1, 5, 6, 10, 19, 200].map((rows) => editSteps(32, rows)), [32, 32, 26, 16, 8, MIN_EDIT_STEPS]);
  assert.equal(editSteps(4, 1), 4, 'never more steps than asked for');
  const doc = Array.from({ length: 120 }, (_, i) => `let a${i} = ${i};`).join('\n') + '\n';
  const stepsOf = async (fixedSteps: boolean, range: { start: number; end: number }) => {
    const steps: number[] = [];
    const backend: FillBackend = {
      id: 'scripted', describe: () => 'scripted', dispose: async () => undefined,
      fill: async (requests, s) => {
        steps.push(s.steps);
        return { texts: requests.map((r) => r.original!), nfe: s.steps, ms: 0, canvasTokens: requests.map(() => 0) };
      },
    };
    const r = await runEdit(backend, {
      docText: doc, range, languageId: 'typescript', anchoring: 'exact', sampler: sampler({ steps: 32 }),
      maxCanvasTokens: 60, countTokens: count, slack: 0.25, fixedSteps, ...repairPlan('off'),
    });
    return { steps, chunks: r.chunks, nfe: r.nfe };
  };
  const whole = { start: 0, end: doc.length - 1 };
  const large = await stepsOf(false, whole);
  assert.ok(large.chunks > 5, `${large.chunks} chunks`);
  assert.ok(large.steps.every((s) => s === editSteps(32, large.chunks)), JSON.stringify(large));
  assert.equal(large.nfe, large.steps.reduce((a, b) => a + b, 0));
  const fixed = await stepsOf(true, whole);
  assert.ok(fixed.steps.every((s) => s === 32), JSON.stringify(fixed.steps));
  const small = await stepsOf(false, { start: 0, end: doc.indexOf('\n') });
  assert.deepEqual(small.steps, [32], 'a one-chunk edit takes all its steps');
});

/**
 * Section `ar`: the diffusion sampler against the cached autoregressive anchor (arAnchor.ts) on
 * the speed section's holes, in the same process, interleaved hole by hole so both see the same
 * machine. Diffusion fills each hole as the speed section does (default sampler, one canvas of
 * the hole's tokens plus slack, or chunks filled as one batch); the anchor reads the same context
 * tokens the diffusion layout keeps, then generates the hole's tokens and an end token, which is
 * all an AR model needs (it has no slack to fill).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { canvasLength, layoutInfill } from '../../../src/core/layout';
import type { SamplerOptions } from '../../../src/core/types';
import { layoutParams } from '../../../src/model/fillEngine';
import { buildCommand, ensureAnchor, openAnchor, type Anchor } from './arAnchor';
import type { Hole } from './holdout';
import type { Engine } from './inproc';
import { fillHole } from './speed';
import { mean, spread, type Spread } from './stats';
import { fixed, ms, round, table } from './table';

export interface ArSize {
  readonly target: number;
  readonly holes: number;
  readonly repeats: number;
  readonly meanHoleTokens: number;
  readonly meanCanvasTokens: number;
  readonly meanChunks: number;
  readonly meanPromptTokens: number;
  readonly meanGenerated: number;
  readonly diffusion: { readonly ms: Spread; readonly nfe: Spread };
  readonly cachedAr: { readonly ms: Spread; readonly prefillMs: Spread; readonly msPerToken: number };
  /** Cached AR median over diffusion median: above 1, diffusion is faster. */
  readonly speedup: number;
  /** Whether the anchor ran past the shipped model's context (prompt + answer). */
  readonly beyondContext: boolean;
  /** The speed section's uncached `ar` baseline on the same holes, when it ran in the same run. */
  readonly uncached?: { readonly msMedian: number; readonly speedup: number };
}

/** The context ids the diffusion layout keeps around this hole's canvas (one canvas at most). */
export function promptIds(e: Engine, h: Hole): Int32Array {
  const p = layoutParams(e.model);
  const L = Math.min(canvasLength(e.count(h.original), p.slack), e.maxCanvasTokens);
  const enc = (t: string) => e.model.tokenizer.encode(t);
  const layout = layoutInfill(enc(h.docText.slice(0, h.start)), enc(h.docText.slice(h.end)), L, p);
  const out = new Int32Array(layout.ids.length - layout.length);
  out.set(layout.ids.subarray(0, layout.start), 0);
  out.set(layout.ids.subarray(layout.start + layout.length), layout.start);
  return out;
}

export async function runArSize(e: Engine, anchor: Anchor, holes: readonly Hole[], target: number, def: SamplerOptions, repeats: number, log: (s: string) => void): Promise<ArSize> {
  const prompts = holes.map((h) => promptIds(e, h));
  const lengths = holes.map((h) => h.tokens + 1);
  // Warm-up, not counted: the same shapes through the same paths (two diffusion steps cost little).
  await fillHole(e, holes[0], { ...def, strategy: 'confidence', steps: 2 });
  await anchor.generate(prompts[0], lengths[0]);
  const d: { ms: number; nfe: number; canvas: number; chunks: number }[] = [];
  const a: { ms: number; prefillMs: number; tokens: number }[] = [];
  for (let r = 0; r < repeats; r++) {
    for (let i = 0; i < holes.length; i++) {
      const f = await fillHole(e, holes[i], def);
      d.push({ ms: f.ms, nfe: f.nfe, canvas: f.canvasTokens, chunks: f.chunks });
      a.push(await anchor.generate(prompts[i], lengths[i]));
    }
    log(`ar ${target}: repeat ${r + 1}/${repeats} done`);
  }
  const dMs = spread(d.map((x) => x.ms));
  const aMs = spread(a.map((x) => x.ms));
  return {
    target,
    holes: holes.length,
    repeats,
    meanHoleTokens: mean(holes.map((h) => h.tokens)),
    meanCanvasTokens: mean(d.map((x) => x.canvas)),
    meanChunks: mean(d.map((x) => x.chunks)),
    meanPromptTokens: mean(prompts.map((p) => p.length)),
    meanGenerated: mean(lengths),
    diffusion: { ms: dMs, nfe: spread(d.map((x) => x.nfe)) },
    cachedAr: {
      ms: aMs,
      prefillMs: spread(a.map((x) => x.prefillMs)),
      // Decode calls only: what one more token costs.
      msPerToken: a.reduce((s, x) => s + x.ms - x.prefillMs, 0) / a.reduce((s, x) => s + x.tokens - 1, 0),
    },
    speedup: aMs.median / dMs.median,
    beyondContext: prompts.some((p, i) => p.length + lengths[i] > anchor.meta.architecture.max_context),
  };
}

/** Adds the speed section's uncached baseline (results.json's `speed` block of this run). */
export function withUncached(s: ArSize, speed: Record<string, { baseline?: { ms_median?: number } }> | undefined): ArSize {
  const m = speed?.[String(s.target)]?.baseline?.ms_median;
  return typeof m === 'number' ? { ...s, uncached: { msMedian: m, speedup: m / s.diffusion.ms.median } } : s;
}

const iqr = (x: Spread) => `${ms(x.q1)}-${ms(x.q3)}`;

export function arTable(sizes: readonly ArSize[], def: SamplerOptions): string {
  const rows = sizes.map((s) => [
    `~${s.target} (${s.holes} x ${s.repeats})`,
    `${fixed(s.meanCanvasTokens, 0)}${s.meanChunks > 1 ? ` in ${fixed(s.meanChunks, 1)}` : ''}`,
    ms(s.diffusion.ms.median), iqr(s.diffusion.ms), fixed(s.diffusion.nfe.median, 0),
    `${fixed(s.meanPromptTokens, 0)}+${fixed(s.meanGenerated, 0)}`,
    ms(s.cachedAr.ms.median), iqr(s.cachedAr.ms), fixed(s.cachedAr.msPerToken, 2),
    `${fixed(s.speedup)}x`,
    s.uncached ? ms(s.uncached.msMedian) : '-', s.uncached ? `${fixed(s.uncached.speedup)}x` : '-',
  ]);
  const sampler = `${def.strategy}${def.strategy === 'threshold' ? ` ${def.threshold}` : ''}, K<=${def.steps}`;
  return table(`Diffusion (${sampler}) vs a KV-cached AR decoder of the same shape (ms per fill, median and IQR over holes x repeats after a warm-up)`,
    ['hole', 'canvas', 'diff ms', 'IQR', 'NFE', 'AR prompt+gen', 'AR ms', 'IQR', 'AR ms/tok', 'vs cached AR', 'uncached ms', 'vs uncached'], rows)
    + '\n  canvas: tokens the diffusion fills (hole + slack), "in N" = chunks filled as one batch; AR: prefill once, then one decode call per token;'
    + '\n  "vs" = that decoder\'s median / the diffusion median (above 1: diffusion is faster); uncached = the speed section\'s `ar` in this run'
    + (sizes.some((s) => s.beyondContext) ? `\n  ${sizes.filter((s) => s.beyondContext).map((s) => `~${s.target}`).join(', ')}: the anchor runs past the shipped model's context (rotary positions need no table), as a longer-context AR model would` : '');
}

export function arJson(sizes: readonly ArSize[]): Record<string, unknown> {
  const sp = (x: Spread) => ({ median: round(x.median, 1), q1: round(x.q1, 1), q3: round(x.q3, 1), min: round(x.min, 1), max: round(x.max, 1), n: x.n });
  return Object.fromEntries(sizes.map((s) => [String(s.target), {
    holes: s.holes, repeats: s.repeats, mean_hole_tokens: round(s.meanHoleTokens, 1), mean_canvas_tokens: round(s.meanCanvasTokens, 1), mean_chunks: round(s.meanChunks, 2),
    diffusion_ms: sp(s.diffusion.ms), diffusion_nfe_median: s.diffusion.nfe.median,
    cached_ar: { mean_prompt_tokens: round(s.meanPromptTokens, 1), mean_generated_tokens: round(s.meanGenerated, 1), ms: sp(s.cachedAr.ms), prefill_ms: sp(s.cachedAr.prefillMs), ms_per_decoded_token: round(s.cachedAr.msPerToken, 3) },
    speedup_vs_cached_ar: round(s.speedup), ar_beyond_model_context: s.beyondContext,
    ...(s.uncached ? { uncached_ar_ms_median: s.uncached.msMedian, speedup_vs_uncached_ar: round(s.uncached.speedup) } : {}),
  }]));
}

export function arSummary(sizes: readonly ArSize[]): Record<string, unknown> {
  return Object.fromEntries(sizes.flatMap((s) => [
    [`speedup_vs_cached_ar_${s.target}`, round(s.speedup)],
    [`ms_cached_ar_${s.target}`, round(s.cachedAr.ms.median, 1)],
  ]));
}

export interface ArPlan {
  readonly target: number;
  readonly holes: readonly Hole[];
  readonly repeats: number;
}

/**
 * The whole section: builds the anchor when missing, checks that its decode reads the cache (and
 * agrees with recomputing the sequence), then times each size.
 */
export async function runArBench(e: Engine, root: string, modelDir: string, threads: number, plans: readonly ArPlan[], def: SamplerOptions, log: (s: string) => void) {
  // model/session.ts hands the sampler's per-position summary to onnxruntime when topk.onnx lies
  // beside the bundle (as in dist/); without it the sampler passes over the vocabulary in JavaScript.
  const samplerTopk = fs.existsSync(path.join(__dirname, 'topk.onnx'));
  if (!samplerTopk) log(`ar: no topk.onnx beside the bench bundle (${__dirname}): the diffusion sampler runs its JavaScript fallback, not the path of the shipped extension (dist/topk.onnx)`);
  const { dir, meta } = ensureAnchor(root, modelDir, log);
  const anchor = await openAnchor(dir, meta, threads);
  try {
    const check = await anchor.selfCheck(promptIds(e, plans[0].holes[0]).subarray(0, 24), 6);
    // int8 activations are quantised per call, so a one-token decode and a whole-sequence pass
    // round differently; a decode that ignored its cache would be off by the zero-cache margin.
    if (!(check.maxDiff < check.zeroCacheDiff / 4)) throw new Error(`the cached AR anchor's decode does not match its recompute (max |diff| ${check.maxDiff}, ${check.zeroCacheDiff} with an empty cache)`);
    log(`ar: anchor ${meta.parameters} parameters (${meta.weights}, ${meta.quantization}); cached decode vs recompute max |logit diff| ${check.maxDiff.toFixed(4)} (zeroed cache: ${check.zeroCacheDiff.toFixed(2)})`);
    const sizes: ArSize[] = [];
    for (const p of plans) sizes.push(await runArSize(e, anchor, p.holes, p.target, def, p.repeats, log));
    return { sizes, check, samplerTopk, anchor: { dir: path.relative(root, dir), parameters: meta.parameters, weights: meta.weights, quantization: meta.quantization, build: buildCommand(root, modelDir).map((x) => path.isAbsolute(x) && x.startsWith(root) ? path.relative(root, x) : x).join(' ') } };
  } finally {
    await anchor.release();
  }
}

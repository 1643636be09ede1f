/**
 * Diffusion against one-token-at-a-time on held-out holes: the default sampler and the `ar`
 * baseline of the same model in the same process, timed over repeats after a warm-up, with the
 * quality of the very same fills. Holes larger than one canvas go through the edit pipeline
 * (split at syntax boundaries, the chunks filled as one batch), as an edit of that size would.
 */
import type { SamplerOptions } from '../../../src/core/types';
import { runEdit } from '../../../src/engine/edit';
import { validateFill } from '../../../src/syntax';
import type { Hole } from './holdout';
import type { Engine } from './inproc';
import { editSimilarity, exactMatch, mean, spread, type Spread } from './stats';

export interface FillRecord {
  readonly text: string;
  readonly ms: number;
  readonly nfe: number;
  readonly canvasTokens: number;
  readonly chunks: number;
}

export interface DecoderRun {
  readonly label: string;
  readonly sampler: SamplerOptions;
  readonly ms: Spread;
  readonly nfe: Spread;
  readonly tokensPerS: number;
  readonly exact: number;
  readonly editSim: number;
  readonly syntaxOk: number;
  readonly fills: number;
  /** Mean chunks per fill (1 when the hole fits one canvas). */
  readonly chunks: number;
}

/** Fills one hole the way an edit of its size is filled: one canvas, or the chunked pipeline. */
export async function fillHole(e: Engine, h: Hole, sampler: SamplerOptions): Promise<FillRecord> {
  const budget = Math.floor((e.maxCanvasTokens - 4) / (1 + e.model.pkg.config.sampler.slack));
  if (h.tokens <= budget) {
    const out = await e.fill([{ prefix: h.docText.slice(0, h.start), suffix: h.docText.slice(h.end), original: h.original, languageId: h.lang }], sampler);
    return { text: out.texts[0], ms: out.ms, nfe: out.nfe, canvasTokens: out.canvasTokens[0], chunks: 1 };
  }
  const t0 = performance.now();
  const r = await runEdit(e.backend, {
    docText: h.docText,
    range: { start: h.start, end: h.end },
    languageId: h.lang,
    anchoring: 'exact',
    sampler,
    maxCanvasTokens: e.maxCanvasTokens,
    countTokens: e.count,
    slack: e.model.pkg.config.sampler.slack,
    // Syntax-guided re-masking would add rounds to one decoder and not the other.
    repairRounds: 0,
  });
  const canvas = Math.ceil(h.tokens * (1 + e.model.pkg.config.sampler.slack)) + 4 * r.chunks;
  return { text: r.newText, ms: performance.now() - t0, nfe: r.nfe, canvasTokens: canvas, chunks: r.chunks };
}

export interface Quality {
  readonly exact: number;
  readonly editSim: number;
  readonly syntaxOk: number;
}

export async function quality(holes: readonly Hole[], texts: readonly string[]): Promise<Quality> {
  const ok = await Promise.all(holes.map(async (h, i) => (await validateFill(h.docText, h.lang, { start: h.start, end: h.end }, texts[i])).ok));
  return {
    exact: mean(holes.map((h, i) => (exactMatch(texts[i], h.original) ? 1 : 0))),
    editSim: mean(holes.map((h, i) => editSimilarity(texts[i], h.original))),
    syntaxOk: mean(ok.map((x) => (x ? 1 : 0))),
  };
}

/**
 * Every hole once per repeat. Quality comes from the first repeat (greedy decoding gives the same
 * text every time).
 */
export async function runDecoder(e: Engine, holes: readonly Hole[], label: string, sampler: SamplerOptions, repeats: number, log: (s: string) => void): Promise<DecoderRun> {
  const records: FillRecord[] = [];
  let texts: string[] = [];
  for (let r = 0; r < repeats; r++) {
    const round: FillRecord[] = [];
    for (const h of holes) round.push(await fillHole(e, h, sampler));
    if (r === 0) texts = round.map((x) => x.text);
    records.push(...round);
    log(`${label}: repeat ${r + 1}/${repeats} done`);
  }
  const q = await quality(holes, texts);
  const totalMs = records.reduce((a, x) => a + x.ms, 0);
  const totalTokens = records.reduce((a, x) => a + x.canvasTokens, 0);
  return {
    label,
    sampler,
    ms: spread(records.map((x) => x.ms)),
    nfe: spread(records.map((x) => x.nfe)),
    tokensPerS: totalTokens / (totalMs / 1000),
    ...q,
    fills: records.length,
    chunks: mean(records.map((x) => x.chunks)),
  };
}

export interface SizeResult {
  readonly target: number;
  readonly holes: number;
  readonly meanTokens: number;
  readonly chunks: number;
  readonly note?: string;
  readonly default: DecoderRun;
  readonly baseline: DecoderRun;
  readonly speedup: number;
}

export async function runSize(e: Engine, holes: readonly Hole[], target: number, def: SamplerOptions, repeats: number, log: (s: string) => void): Promise<SizeResult> {
  // Warm-up, not counted: the same shapes through the same path, with two steps so it costs little.
  await fillHole(e, holes[0], { ...def, strategy: 'confidence', steps: 2 });
  const d = await runDecoder(e, holes, `default ${target}`, def, repeats, log);
  const b = await runDecoder(e, holes, `ar ${target}`, { ...def, strategy: 'ar' }, repeats, log);
  const chunks = d.chunks;
  const chunked = chunks > 1;
  return {
    target,
    holes: holes.length,
    meanTokens: mean(holes.map((h) => h.tokens)),
    chunks,
    note: chunked ? `larger than one canvas (${e.maxCanvasTokens} tokens): split at syntax boundaries into ${chunks.toFixed(1)} chunks on average filled as one batch, syntax re-masking off` : undefined,
    default: d,
    baseline: b,
    speedup: b.ms.median / d.ms.median,
  };
}

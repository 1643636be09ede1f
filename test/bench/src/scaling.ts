/**
 * How a fill's time grows with the canvas length (both decoders) and with the number of chunks
 * filled together as one batch. The holes sit in held-out files, so the context around the canvas
 * fills the rest of the model's window, as it does in an editor.
 */
import type { SamplerOptions } from '../../../src/core/types';
import type { Hole } from './holdout';
import type { Engine } from './inproc';
import { spread } from './stats';

export interface CanvasPoint {
  readonly canvas: number;
  readonly decoder: 'default' | 'ar';
  readonly msMedian: number;
  readonly msMin: number;
  readonly msMax: number;
  readonly nfeMedian: number;
  readonly sequence: number;
}

export interface BatchPoint {
  readonly batch: number;
  readonly msPerFill: number;
  readonly msPerChunk: number;
  readonly msPerForward: number;
  readonly nfe: number;
}

/** Pure infill canvases of `L` tokens at the positions of `sites` (prefix and suffix kept). */
export async function canvasScaling(e: Engine, sites: readonly Hole[], lengths: readonly number[], def: SamplerOptions, log: (s: string) => void): Promise<CanvasPoint[]> {
  const points: CanvasPoint[] = [];
  for (const decoder of ['default', 'ar'] as const) {
    const sampler = decoder === 'ar' ? { ...def, strategy: 'ar' as const } : def;
    for (const L of lengths) {
      const recs = [];
      for (const s of sites) {
        const out = await e.fill([{ prefix: s.docText.slice(0, s.start), suffix: s.docText.slice(s.end), maxTokens: L, languageId: s.lang }], sampler);
        recs.push(out);
      }
      const ms = spread(recs.map((r) => r.ms));
      const seq = Math.min(e.model.pkg.config.maxContext, ...sites.map((s) => e.count(s.docText.slice(0, s.start)) + L + e.count(s.docText.slice(s.end))));
      points.push({ canvas: L, decoder, msMedian: ms.median, msMin: ms.min, msMax: ms.max, nfeMedian: spread(recs.map((r) => r.nfe)).median, sequence: seq });
      log(`scaling: ${decoder} canvas ${L} done`);
    }
  }
  return points;
}

/**
 * Batches of 1..8 chunks with a fixed step count, so every batch makes the same number of model
 * calls and the time per call shows what batching costs.
 */
export async function batchScaling(e: Engine, holes: readonly Hole[], sizes: readonly number[], sampler: SamplerOptions, log: (s: string) => void): Promise<BatchPoint[]> {
  const points: BatchPoint[] = [];
  for (const B of sizes) {
    const reqs = holes.slice(0, B).map((h) => ({ prefix: h.docText.slice(0, h.start), suffix: h.docText.slice(h.end), original: h.original, languageId: h.lang }));
    if (reqs.length < B) break;
    const out = await e.fill(reqs, sampler);
    points.push({ batch: B, msPerFill: out.ms, msPerChunk: out.ms / B, msPerForward: out.ms / out.nfe, nfe: out.nfe });
    log(`scaling: batch ${B} done`);
  }
  return points;
}

/**
 * The repair benchmark: held-out blocks with one seeded corruption each go through `runRepair`
 * (score every token with itself hidden, re-mask the improbable, denoise); a repair counts when the
 * exact original comes back. Clean blocks measure how often repair changes correct code.
 */
import type { SamplerOptions } from '../../../src/core/types';
import { runRepair } from '../../../src/engine/repair';
import { corrupt, KINDS, type CorruptionKind } from './corrupt';
import type { Hole } from './holdout';
import type { Engine } from './inproc';
import { exactMatch, mean, seeded, spread } from './stats';

export interface RepairKindResult {
  readonly kind: CorruptionKind | 'clean';
  readonly blocks: number;
  /** Exact original restored (for clean blocks: left unchanged). */
  readonly repaired: number;
  /** Original restored up to whitespace. */
  readonly repairedWs: number;
  /** Any change made (for clean blocks this is the false-change rate). */
  readonly changed: number;
  readonly msMedian: number;
  readonly nfeMedian: number;
}

async function repairOnce(e: Engine, h: Hole, block: string, sampler: SamplerOptions) {
  const docText = h.docText.slice(0, h.start) + block + h.docText.slice(h.end);
  return runRepair(e.backend, e.scorer, { docText, range: { start: h.start, end: h.start + block.length }, languageId: h.lang, sampler });
}

export async function runRepairBench(e: Engine, blocks: readonly Hole[], perKind: number, sampler: SamplerOptions, seed: number, log: (s: string) => void): Promise<RepairKindResult[]> {
  const rand = seeded(seed);
  const results: RepairKindResult[] = [];
  for (const kind of [...KINDS, 'clean'] as const) {
    const rows: Array<{ ok: boolean; okWs: boolean; changed: boolean; ms: number; nfe: number }> = [];
    for (const h of blocks) {
      if (rows.length >= perKind) break;
      const bad = kind === 'clean' ? h.original : corrupt(h.original, kind, rand);
      if (bad === undefined || bad === h.original && kind !== 'clean') continue;
      const r = await repairOnce(e, h, bad, sampler);
      rows.push({ ok: r.newText === h.original, okWs: exactMatch(r.newText, h.original), changed: r.changed, ms: r.ms, nfe: r.nfe });
      log(`repair: ${kind} ${h.id}: ${r.newText === h.original ? (kind === 'clean' ? 'untouched' : 'restored') : r.changed ? 'changed, not restored' : 'unchanged'} (${Math.round(r.ms)} ms, ${r.nfe} calls)`);
    }
    results.push({
      kind,
      blocks: rows.length,
      repaired: mean(rows.map((r) => (r.ok ? 1 : 0))),
      repairedWs: mean(rows.map((r) => (r.okWs ? 1 : 0))),
      changed: mean(rows.map((r) => (r.changed ? 1 : 0))),
      msMedian: spread(rows.map((r) => r.ms)).median,
      nfeMedian: spread(rows.map((r) => r.nfe)).median,
    });
    log(`repair: ${kind} done (${rows.length} blocks)`);
  }
  return results;
}

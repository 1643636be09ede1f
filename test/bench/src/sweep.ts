/**
 * The speed/quality trade-off of the sampler on one hole size: a fixed number of steps K
 * (confidence order) and confidence thresholds, beside the one-token-per-step baseline.
 */
import type { SamplerOptions } from '../../../src/core/types';
import type { Hole } from './holdout';
import type { Engine } from './inproc';
import { fillHole, quality } from './speed';
import { spread } from './stats';

export interface SweepRow {
  readonly label: string;
  readonly strategy: string;
  readonly steps: number;
  readonly threshold?: number;
  readonly msMedian: number;
  readonly msQ1: number;
  readonly msQ3: number;
  readonly nfeMedian: number;
  readonly exact: number;
  readonly editSim: number;
  readonly syntaxOk: number;
}

/** The settings of the table; `skip` drops those already measured (the default sampler). */
export function sweepConfigs(def: SamplerOptions, skip: (s: SamplerOptions) => boolean = () => false): Array<{ label: string; sampler: SamplerOptions }> {
  return [
    ...[4, 8, 16, 32].map((k) => ({ label: `confidence K=${k}`, sampler: { ...def, strategy: 'confidence' as const, steps: k } })),
    ...[0.5, 0.7, 0.9].map((t) => ({ label: `threshold ${t}`, sampler: { ...def, strategy: 'threshold' as const, threshold: t } })),
  ].filter((c) => !skip(c.sampler));
}

/** A row from a speed-section run over the same holes (first repeat's quality, all repeats' times). */
export function rowFromRun(label: string, r: { sampler: SamplerOptions; ms: { median: number; q1: number; q3: number }; nfe: { median: number }; exact: number; editSim: number; syntaxOk: number }): SweepRow {
  return {
    label,
    strategy: r.sampler.strategy,
    steps: r.sampler.steps,
    threshold: r.sampler.strategy === 'threshold' ? r.sampler.threshold : undefined,
    msMedian: r.ms.median,
    msQ1: r.ms.q1,
    msQ3: r.ms.q3,
    nfeMedian: r.nfe.median,
    exact: r.exact,
    editSim: r.editSim,
    syntaxOk: r.syntaxOk,
  };
}

/** One pass over the holes per setting, after a short warm-up. */
export async function runSweep(e: Engine, holes: readonly Hole[], configs: ReadonlyArray<{ label: string; sampler: SamplerOptions }>, log: (s: string) => void): Promise<SweepRow[]> {
  const rows: SweepRow[] = [];
  await fillHole(e, holes[0], { ...configs[0].sampler, strategy: 'confidence', steps: 2 });
  for (const c of configs) {
    const recs = [];
    for (const h of holes) recs.push(await fillHole(e, h, c.sampler));
    const q = await quality(holes, recs.map((r) => r.text));
    const ms = spread(recs.map((r) => r.ms));
    rows.push({
      label: c.label,
      strategy: c.sampler.strategy,
      steps: c.sampler.steps,
      threshold: c.sampler.strategy === 'threshold' ? c.sampler.threshold : undefined,
      msMedian: ms.median,
      msQ1: ms.q1,
      msQ3: ms.q3,
      nfeMedian: spread(recs.map((r) => r.nfe)).median,
      ...q,
    });
    log(`sweep: ${c.label} done`);
  }
  return rows;
}

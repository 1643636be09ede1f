/**
 * How hard an edit works on a fill that broke the syntax, defined once for the editor and the CLI.
 * Off by default: on held-out code every repair stage raised the share of fills that parse and
 * none raised exact match or edit similarity (models/training/ablations_repair.md: edit similarity
 * 0.245 off against 0.234 with `fast`, 0.231 against 0.216 on a second seed, at half the model
 * calls). Parsing is not correctness; `fast` and `thorough` stay for those who want it.
 */
import type { RepairLimits } from './syntaxRepair';

export type RepairEffort = 'off' | 'fast' | 'thorough';

export const REPAIR_EFFORTS: readonly RepairEffort[] = ['off', 'fast', 'thorough'];

export const DEFAULT_REPAIR_EFFORT: RepairEffort = 'off';

/** The edit pipeline's repair options for an effort: the repair's own limits, named once there. */
export type RepairPlan = Pick<RepairLimits, 'repairRounds' | 'repairRows' | 'finalRefill' | 'repairCallsShare' | 'repairBudgetMs' | 'repairTime'>;

/**
 * `fast`: the repair adds at most half the first fill's time, or a second when that is more
 * (FAST_REPAIR_TIME; no batch is started that would end later, at the first fill's pace per model
 * call), and at most as many model calls. `thorough`: no repair is started later than
 * THOROUGH_REPAIR_MS after the edit began.
 */
export const FAST_REPAIR_TIME = { share: 0.5, minMs: 1000 } as const;
export const THOROUGH_REPAIR_MS = 180_000;

export function repairPlan(effort: RepairEffort = DEFAULT_REPAIR_EFFORT): RepairPlan {
  switch (effort) {
    case 'off':
      return { repairRounds: 0, repairRows: 0, finalRefill: false };
    case 'fast':
      return { repairCallsShare: 1, repairTime: FAST_REPAIR_TIME };
    case 'thorough':
      return { repairBudgetMs: THOROUGH_REPAIR_MS };
  }
}

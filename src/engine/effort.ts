/**
 * How hard an edit works on a fill that broke the syntax, defined once for the editor and the CLI.
 * The repair makes wrong code parse more often than it makes it right (see the README's
 * Performance section), so the default bounds it by the first fill's own cost.
 */
export type RepairEffort = 'off' | 'fast' | 'thorough';

export const REPAIR_EFFORTS: readonly RepairEffort[] = ['off', 'fast', 'thorough'];

export const DEFAULT_REPAIR_EFFORT: RepairEffort = 'fast';

/** The edit pipeline's repair options for an effort. */
export interface RepairPlan {
  readonly repairRounds?: number;
  readonly repairRows?: number;
  readonly finalRefill?: boolean;
  readonly repairCallsShare?: number;
  readonly repairBudgetMs?: number;
}

/** No repair is started later than this after the edit began (`fast`, `thorough`), whatever the model calls left. */
export const FAST_REPAIR_MS = 15_000;
export const THOROUGH_REPAIR_MS = 180_000;

export function repairPlan(effort: RepairEffort = DEFAULT_REPAIR_EFFORT): RepairPlan {
  switch (effort) {
    case 'off':
      return { repairRounds: 0, repairRows: 0, finalRefill: false };
    case 'fast':
      // At most as many model calls as the first fill, none started after FAST_REPAIR_MS.
      return { repairCallsShare: 1, repairBudgetMs: FAST_REPAIR_MS };
    case 'thorough':
      return { repairBudgetMs: THOROUGH_REPAIR_MS };
  }
}

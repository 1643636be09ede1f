/**
 * The engine's defaults, defined once: the editor's settings and the CLI's flags only override
 * them, so every benchmark run through the CLI measures what editor users get.
 */
import type { SamplerOptions } from '../core/types';

/**
 * Sampler defaults: Fast-dLLM's confidence threshold over at most 16 steps, greedy. On held-out
 * code, 32 steps took twice as long for no better fills (README, Performance). A model package may
 * recommend its own (config.json `sampler`); those come between these and the user's.
 */
export const SAMPLER_DEFAULTS: Readonly<SamplerOptions> = {
  steps: 16,
  strategy: 'threshold',
  threshold: 0.9,
  temperature: 0,
  // Only sampled draws (the repair's warm re-fills) read it: the long tail of the distribution is
  // where a small model's junk comes from.
  topP: 0.95,
  seed: 0,
  blockLength: 0,
  copyPrior: 0,
};

/**
 * Canvas rows times denoising steps that the first fill of one edit may take when the user has not
 * fixed the steps: an edit of up to ten chunks gets the full 16 steps, a larger one fewer each,
 * down to MIN_EDIT_STEPS, so a 50-line edit takes seconds, not half a minute. 8 steps instead of 32
 * cost the bundled model 0.01–0.02 edit similarity on held-out holes (README, Performance).
 */
export const EDIT_ROW_STEPS = 160;
export const MIN_EDIT_STEPS = 8;

/** Steps of each batch of an edit's first fill over `rows` chunks, under `budget` row-steps. */
export function editSteps(steps: number, rows: number, budget = EDIT_ROW_STEPS): number {
  return Math.max(1, Math.min(steps, Math.max(MIN_EDIT_STEPS, Math.floor(budget / Math.max(1, rows)))));
}

/** Largest canvas one chunk may take, in tokens (`diffuse.maxTokens`); larger regions are split. */
export const DEFAULT_MAX_TOKENS = 512;

/**
 * Canvas tokens of a blank line filled from the editor (Quick Rewrite with the cursor on it): about
 * a line of code; the file's analogous lines may give two or three (engine/analogFill).
 */
export const LINE_FILL_TOKENS = 32;

/**
 * Share of the model's context a chunk's canvas may take; the rest is the code around it, which
 * the model needs to fill the chunk (the bundled model's 256 tokens: a 128-token canvas, 64 of code
 * on each side).
 */
export const CANVAS_CONTEXT_SHARE = 0.5;

/** Canvas tokens one chunk may take with a model of `maxContext` tokens. */
export function canvasBudget(maxContext: number, maxTokens = DEFAULT_MAX_TOKENS): number {
  return Math.max(16, Math.min(maxTokens, Math.floor(maxContext * CANVAS_CONTEXT_SHARE)));
}

/**
 * The sampler options of one fill: the engine's defaults, then the model's recommendations, then
 * what the user set (settings or flags); an undefined value leaves the one before it.
 */
export function samplerOptions(model: Partial<SamplerOptions> | undefined, user: Partial<SamplerOptions>): SamplerOptions {
  const out: Record<string, unknown> = { ...SAMPLER_DEFAULTS };
  for (const layer of [model ?? {}, user]) {
    for (const [k, v] of Object.entries(layer)) if (v !== undefined && k in SAMPLER_DEFAULTS) out[k] = v;
  }
  return out as unknown as SamplerOptions;
}

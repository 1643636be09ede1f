/** The real default model for tests, loaded once per test process. */
import * as path from 'node:path';
import { loadModel, type LoadedModel } from '../../../src/model/fillEngine';
import type { SamplerOptions } from '../../../src/core/types';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const MODEL_DIR = path.join(ROOT, 'models', 'diffuse-code-mini');
export const WORKER_JS = path.join(ROOT, 'dist', 'worker.js');
export const CLI_JS = path.join(ROOT, 'dist', 'cli.js');

let cached: Promise<LoadedModel> | undefined;

export function defaultModel(): Promise<LoadedModel> {
  cached ??= loadModel(MODEL_DIR, 'cpu', 2);
  return cached;
}

export function sampler(over: Partial<SamplerOptions> = {}): SamplerOptions {
  return { steps: 16, strategy: 'threshold', threshold: 0.9, temperature: 0, topP: 0.95, seed: 1, blockLength: 0, ...over };
}

export const TS_PREFIX = `export function clamp(value: number, lo: number, hi: number): number {
  if (value < lo) {
    return lo;
  }
  if (value > hi) {
`;
export const TS_SUFFIX = `
  }
  return value;
}
`;

/** A small TypeScript module of two functions, for the CLI's tests. */
export const SUM_SOURCE = `export function total(items: number[]): number {
  let sum = 0;
  for (const item of items) {
    sum += item;
  }
  return sum;
}

export function average(items: number[]): number {
  if (items.length === 0) {
    return 0;
  }
  return total(items) / items.length;
}
`;

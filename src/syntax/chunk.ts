/**
 * `chunkRange`: a region (or a whole file) cut into chunks that each fit the model's canvas, at
 * syntax boundaries when the language has a grammar, else at line breaks (core/chunk.ts).
 */
import type { OffsetRange } from '../core/types';
import type { ChunkBudget } from '../core/chunk';
import { chunkRegion } from '../core/chunk';
import { grammarFor } from './languages';
import { tryLoadLanguage, withTree } from './tree';

export interface ChunkResult {
  /** Contiguous, in order, covering the region exactly. */
  readonly chunks: readonly OffsetRange[];
  /** The cuts followed the syntax tree (false: line breaks only, no grammar for the language). */
  readonly syntax: boolean;
}

export async function chunkRange(text: string, languageId: string, region: OffsetRange, budget: ChunkBudget): Promise<ChunkResult> {
  const grammar = grammarFor(languageId);
  const language = grammar && await tryLoadLanguage(grammar);
  if (language) {
    const chunks = await withTree(text, language, root => chunkRegion(text, root, region, budget));
    return { chunks, syntax: true };
  }
  return { chunks: chunkRegion(text, undefined, region, budget), syntax: false };
}

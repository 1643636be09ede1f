/**
 * `chunkRange`: a region (or a whole file) cut into chunks that each fit the model's canvas, at
 * syntax boundaries when the language has a grammar, else at line breaks (core/chunk.ts).
 */
import type { OffsetRange } from '../core/types';
import type { ChunkBudget } from '../core/chunk';
import { chunkRegion } from '../core/chunk';
import { pieceCuts, pieceRegion } from '../core/pieces';
import { grammarFor } from './languages';
import { anchorRoles, loadAnchorQuery, tryLoadLanguage, withTree } from './tree';

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

/**
 * Each of `regions` cut into statement pieces of at most `maxSize` (core/pieces.ts), from one parse
 * of `text`; a region stays whole when the language has no grammar or anchor query.
 */
export async function pieceRanges(text: string, languageId: string, regions: readonly OffsetRange[], maxSize: number, measure: (t: string) => number): Promise<OffsetRange[][]> {
  const grammar = grammarFor(languageId);
  const language = grammar && await tryLoadLanguage(grammar);
  const query = language && await loadAnchorQuery(grammar).catch(() => undefined);
  if (!language || !query) return regions.map((r) => [r]);
  return withTree(text, language, (root, tree) => {
    const roles = anchorRoles(query, tree);
    return regions.map((r) => pieceRegion(text, r, pieceCuts(text, root, roles, r), maxSize, measure));
  });
}

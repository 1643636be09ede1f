/**
 * `anchorRange`: the range an edit replaces, widened by the chosen anchoring mode, with the
 * indentation the fill must match. Decisions are in core/anchor.ts; this file parses and adapts.
 */
import type { OffsetRange } from '../core/types';
import type { AnchoringMode } from '../core/anchor';
import { anchorLines, anchorSyntax } from '../core/anchor';
import type { AnchorIndent } from '../core/indent';
import { anchorIndent } from '../core/indent';
import { grammarFor } from './languages';
import { anchorRoles, loadAnchorQuery, tryLoadLanguage, withTree } from './tree';

export interface AnchorResult {
  readonly range: OffsetRange;
  /** The mode that produced `range` (lines when syntax anchoring fell back). */
  readonly mode: AnchoringMode;
  /** Syntax anchoring was asked for but lines were used; `reason` says why, for one notice. */
  readonly fellBackToLines: boolean;
  readonly reason?: string;
  /** Node types the range consists of (syntax mode only). */
  readonly nodeTypes: readonly string[];
  /** Indentation of the anchor's first line and of the document. */
  readonly indent: AnchorIndent;
}

/**
 * Widens `range` of `text` by `mode`. Never throws for unknown languages or grammars that fail to
 * load: those fall back to lines with `fellBackToLines` set. A range outside the text is clamped.
 */
export async function anchorRange(text: string, languageId: string, range: OffsetRange, mode: AnchoringMode): Promise<AnchorResult> {
  const clamped = clamp(range, text.length);
  if (mode === 'exact') return result(text, clamped, 'exact', []);
  if (mode === 'lines') return result(text, anchorLines(text, clamped), 'lines', []);

  const grammar = grammarFor(languageId);
  if (!grammar) return fallback(text, clamped, `no grammar for language "${languageId}"`);
  const language = await tryLoadLanguage(grammar);
  let query;
  try {
    query = language && await loadAnchorQuery(grammar);
  } catch (err) {
    return fallback(text, clamped, `the ${grammar.name} anchor query failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!language || !query) return fallback(text, clamped, `the ${grammar.name} grammar could not be loaded`);
  const found = await withTree(text, language, (root, tree) => anchorSyntax(text, root, anchorRoles(query, tree), clamped));
  if (!found) return fallback(text, clamped, 'no syntax node around the selection');
  return result(text, found.range, 'syntax', found.nodeTypes);
}

function clamp(r: OffsetRange, length: number): OffsetRange {
  const start = Math.max(0, Math.min(r.start, length));
  return { start, end: Math.max(start, Math.min(r.end, length)) };
}

function result(text: string, range: OffsetRange, mode: AnchoringMode, nodeTypes: readonly string[], reason?: string): AnchorResult {
  const base = { range, mode, fellBackToLines: reason !== undefined, nodeTypes, indent: anchorIndent(text, range.start) };
  return reason === undefined ? base : { ...base, reason };
}

function fallback(text: string, range: OffsetRange, reason: string): AnchorResult {
  return result(text, anchorLines(text, range), 'lines', [], reason);
}

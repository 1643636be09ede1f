/**
 * Diffuse Apply: an edit snippet applied to a document, for the editor and the CLI alike. The
 * placement is alignment (core/apply); this stage adds what both front ends need around it: the
 * smallest changed range as one rooted replacement, and the parse of the document before and
 * after (tree-sitter), so that a merge which breaks code that parsed is flagged, never hidden.
 */
import { applySnippet, splitSnippet, stripFence, type ApplyResult } from '../core/apply';
import type { OffsetRange } from '../core/types';
import { validateFill } from '../syntax';

export interface ApplyRequest {
  readonly docText: string;
  readonly snippet: string;
  readonly languageId: string;
  /**
   * A server that merges snippets itself (Inception's apply API): given, it is asked instead of
   * the local alignment, and its answer goes through the same checks and review.
   */
  readonly remote?: (original: string, snippet: string) => Promise<string>;
}

/** Whether the merged document parses: `broken` when it has more syntax errors than the original. */
export type ApplySyntax = 'ok' | 'broken' | 'unchecked';

export interface ApplyOutcome extends ApplyResult {
  /** The changed lines of the document as it was: replacing them by `newText` gives `text`. */
  readonly range: OffsetRange;
  readonly newText: string;
  /** True when the merge differs from the document. */
  readonly changed: boolean;
  readonly syntax: ApplySyntax;
  /** Wall time of the apply, parse included. */
  readonly ms: number;
}

/** The smallest stretch of whole lines in which `before` and `after` differ, and its new text. */
export function changedLines(before: string, after: string): { range: OffsetRange; newText: string } {
  let start = 0;
  const limit = Math.min(before.length, after.length);
  while (start < limit && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  start = before.lastIndexOf('\n', start - 1) + 1;
  let tail = 0;
  while (tail < limit - start && before.charCodeAt(before.length - 1 - tail) === after.charCodeAt(after.length - 1 - tail)) tail++;
  // Back to the start of a line in both texts (the same suffix, so the same line break).
  let endBefore = before.length - tail;
  while (endBefore < before.length && endBefore > start && before[endBefore - 1] !== '\n') endBefore++;
  const cut = before.length - endBefore;
  return { range: { start, end: endBefore }, newText: after.slice(start, after.length - cut) };
}

export async function runApply(req: ApplyRequest): Promise<ApplyOutcome> {
  const t0 = performance.now();
  const result = req.remote ? await remoteApply(req, req.remote) : applySnippet(req.docText, req.snippet, { languageId: req.languageId });
  const { range, newText } = changedLines(req.docText, result.text);
  const changed = result.text !== req.docText;
  let syntax: ApplySyntax = 'unchecked';
  if (changed && result.unplaced.length === 0) {
    const check = await validateFill(req.docText, req.languageId, range, newText, { margin: req.docText.length + newText.length });
    if (check.checked) syntax = check.errorsAfter > check.errorsBefore ? 'broken' : 'ok';
  }
  return { ...result, range, newText, changed, syntax, ms: performance.now() - t0 };
}

/** The server's merge, in the document's line endings and with its final newline (or none). */
async function remoteApply(req: ApplyRequest, remote: (original: string, snippet: string) => Promise<string>): Promise<ApplyResult> {
  const { code, lineOffset } = stripFence(req.snippet);
  const pieces = splitSnippet(code, lineOffset).pieces.length;
  let merged = (await remote(req.docText, req.snippet)).replace(/\r\n/g, '\n');
  if (merged.trim() === '') {
    return { text: req.docText, unplaced: [{ snippetLines: [1, Math.max(1, code.split('\n').length)], reason: 'the server answered with no code' }], pieces, wholeFile: false, modelCalls: 1 };
  }
  merged = merged.replace(/\n*$/, '') + (/\n$/.test(req.docText) ? '\n' : '');
  if (/\r\n/.test(req.docText)) merged = merged.replace(/\n/g, '\r\n');
  return { text: merged, unplaced: [], pieces, wholeFile: false, modelCalls: 1 };
}

/**
 * `validateFill`: parse the document with a candidate fill in place and compare the syntax errors
 * around the changed range with the original's (core/anchorCheck.ts decides).
 */
import type { OffsetRange } from '../core/types';
import type { SyntaxCheck } from '../core/anchorCheck';
import { checkFill } from '../core/anchorCheck';
import { applyEdits, recoveryEdits } from '../core/recovery';
import { codeSize } from '../core/fillVariants';
import type { SyntaxNode } from '../core/syntaxTree';
import { grammarFor, type GrammarName } from './languages';
import { tryLoadLanguage, withTree } from './tree';

/** Per grammar: nodes its grammar accepts that the language rejects (see CheckInput.broken). */
const BROKEN: Partial<Record<GrammarName, (node: SyntaxNode) => boolean>> = {
  // A Python block holds at least one statement; the grammar lets an empty one stand for a missing body.
  python: (node) => node.type === 'block' && node.children.length === 0,
};

export interface FillValidation extends SyntaxCheck {
  /** False when the language has no grammar (or it failed to load): nothing was checked. */
  readonly checked: boolean;
}

/**
 * Checks replacing `range` of `text` by `fill`. `errorRanges` are offsets in the new document
 * (`text` with the fill in place); the fill itself starts at `range.start` there.
 */
export async function validateFill(
  text: string,
  languageId: string,
  range: OffsetRange,
  fill: string,
  options: { margin?: number; whole?: boolean } = {},
): Promise<FillValidation> {
  return (await validateFills(text, languageId, range, [fill], options))[0];
}

/** `validateFill` for several candidate fills of one range: the original document is parsed once. */
export async function validateFills(
  text: string,
  languageId: string,
  range: OffsetRange,
  fills: readonly string[],
  options: { margin?: number; whole?: boolean } = {},
): Promise<FillValidation[]> {
  const unchecked: FillValidation = { ok: true, errorsBefore: 0, errorsAfter: 0, errorRanges: [], checked: false };
  const grammar = grammarFor(languageId);
  const language = grammar && await tryLoadLanguage(grammar);
  if (!language) return fills.map(() => unchecked);
  return withTree(text, language, async oldRoot => {
    const out: FillValidation[] = [];
    for (const fill of fills) {
      const newText = text.slice(0, range.start) + fill + text.slice(range.end);
      out.push(await withTree(newText, language, newRoot => ({
        ...checkFill({ oldRoot, newRoot, newText, range, fillLength: fill.length, margin: options.margin, whole: options.whole, broken: BROKEN[grammar.name] }),
        checked: true,
      })));
    }
    return out;
  });
}

/** Passes of recovery at most (each parses the document once). */
export const RECOVERY_PASSES = 8;

/**
 * `fill` mended by the parser's own recovery (core/recovery.ts), pass after pass, until the
 * document parses as well as `validateFill` asks, with that check; undefined when it never does
 * (or nothing is left to edit), when the mended text keeps less than half of the fill's code or is
 * `replaced` (the code the fill replaces, given back, is no fill), or the language has no grammar.
 */
export async function recoverFill(
  text: string,
  languageId: string,
  range: OffsetRange,
  fill: string,
  options: { replaced?: string; passes?: number } = {},
): Promise<{ text: string; check: FillValidation } | undefined> {
  const passes = options.passes ?? RECOVERY_PASSES;
  const grammar = grammarFor(languageId);
  const language = grammar && await tryLoadLanguage(grammar);
  if (!language) return undefined;
  const mended = await withTree(text, language, async oldRoot => {
    let current = fill;
    for (let pass = 0; pass <= passes; pass++) {
      const newText = text.slice(0, range.start) + current + text.slice(range.end);
      const next = await withTree(newText, language, newRoot => {
        const check = checkFill({ oldRoot, newRoot, newText, range, fillLength: current.length, broken: BROKEN[grammar.name] });
        if (check.ok) return { done: { text: current, check: { ...check, checked: true } } };
        const edits = pass < passes ? recoveryEdits(newRoot, newText, { start: range.start, end: range.start + current.length }) : [];
        return { edits };
      });
      if ('done' in next) return next.done;
      if (!next.edits?.length) return undefined;
      current = applyEdits(current, next.edits, range.start);
    }
    return undefined;
  });
  if (!mended || mended.text === options.replaced || 2 * codeSize(mended.text) < codeSize(fill)) return undefined;
  return mended;
}

/**
 * The syntax layer: tree-sitter grammars for the edit pipeline. Offsets everywhere are UTF-16 code
 * units (VS Code's and web-tree-sitter's unit). Nothing here throws for an unknown language or a
 * grammar that fails to load; each result says whether syntax was used.
 *
 *   anchorRange(text, languageId, range, 'syntax' | 'lines' | 'exact') -> AnchorResult
 *     The range to replace: whole syntax units (statements, members, functions, JSX elements,
 *     decorated definitions; kinds from queries/<grammar>/anchors.scm), whole lines, or as given.
 *     An empty range is a cursor: the smallest unit on its line. `fellBackToLines` + `reason`
 *     when syntax was asked for but lines were used (tell the user once). `indent` is the anchor
 *     line's indentation and the document's style, for reindent().
 *
 *   chunkRange(text, languageId, region, { maxSize, measure? }) -> { chunks, syntax }
 *     Contiguous ranges covering `region` exactly, each with measure(chunkText) <= maxSize (pass
 *     the tokenizer's count as `measure`; characters by default), cut between syntax nodes,
 *     inside oversized nodes, then at line breaks.
 *
 *   validateFill(text, languageId, range, fill) -> { ok, errorsBefore, errorsAfter, errorRanges, checked }
 *     Parses the document with `fill` replacing `range`; `ok` when the fill adds no ERROR/MISSING
 *     nodes around the change. `errorRanges` are in the new document's offsets, inside the fill
 *     (the fill starts at range.start): the spans to re-mask.
 *
 *   proseRanges(text, languageId, range) -> ranges | undefined
 *     Comments and string literals overlapping `range` (undefined without a grammar).
 *
 *   reindent(fill, indent, { startsMidLine }) -> string, bracketBalance / balanceDelta
 *     Match the anchor's indentation style; compare a fill's (), [], {} balance with the original's.
 *
 *   grammarFor / languageIdForFile: language ids and file names to grammars.
 *   preloadSyntax(languageId): the runtime, grammar and anchor query loaded ahead of a fill.
 *   configureSyntax({ runtimeDir?, grammarDir?, queriesDir? }): where the wasm and query files
 *     are (defaults: next to the bundle — dist/tree-sitter.wasm, dist/grammars/, dist/queries/ —
 *     or node_modules and src/syntax/queries/ when running from sources).
 */
export { anchorRange } from './anchor';
export type { AnchorResult } from './anchor';
export { chunkRange } from './chunk';
export type { ChunkResult } from './chunk';
export { recoverFill, validateFill, validateFills } from './validate';
export { proseRanges } from './prose';
export type { FillValidation } from './validate';
export { GRAMMARS, grammarFor, languageIdForFile, preprocessed } from './languages';
export type { GrammarInfo, GrammarName } from './languages';
export { configureSyntax } from './loader';
export { preloadSyntax } from './tree';
export type { SyntaxLocations } from './loader';

export type { AnchoringMode } from '../core/anchor';
export { anchorLines } from '../core/anchor';
export type { ChunkBudget } from '../core/chunk';
export { measureChars, measureLines } from '../core/chunk';
export type { SyntaxCheck } from '../core/anchorCheck';
export type { AnchorIndent, IndentStyle, ReindentOptions } from '../core/indent';
export { anchorIndent, detectIndentStyle, reindent } from '../core/indent';
export type { BalanceDelta, BracketBalance } from '../core/indentBrackets';
export { balanceDelta, bracketBalance } from '../core/indentBrackets';

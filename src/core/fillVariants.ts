/**
 * Well-formed variants of a fill the parser rejects, for the edit pipeline's repair. A small model
 * often writes a fill that is nearly right but leaves a bracket open, closes one it never opened,
 * runs on past the point where its code still parses, or garbles a line or two. Three variants
 * answer that:
 *   - balanced: a string or block comment the fill never ends is cut off, closers without an
 *     opener are taken out, and the openers left open are closed (a block's `}` on a line of its
 *     own at the indentation of the line that opened it; inline openers at the end of the text,
 *     before its final `;` or `,`);
 *   - cut back: the whole lines before the fill's first syntax error, balanced the same way;
 *   - lines dropped: the fill without the lines its syntax errors sit on, balanced the same way
 *     (a rewrite of ten lines with two garbled ones keeps the eight the model got right).
 * A piece of a statement (a block's head that the code after it closes, or its end) is not
 * balanced to zero but toward the code it replaces (`balanceToward`): what that code left open stays
 * open, what it closed is closed; and it ends with the `,` or `;` that code ended with (`endLike`: a
 * table's rows, a list's elements, whose code after them expects the separator).
 * The parser decides: the pipeline keeps a variant only where it parses better than every sampled
 * fill, so a fill that was right stays as the model wrote it. Pure: no model, no parser.
 */
import type { OffsetRange } from './types';
import { CLOSE_OF, scanBrackets, type BracketAt } from './indentBrackets';
import { leadingWhitespace, lineEndAt, lineStartAt } from './indent';

/** `text` with its brackets balanced (see the module comment); `text` itself when nothing is off. */
export function balanceFill(text: string, languageId = ''): string {
  const tail = /\s*$/.exec(text)![0];
  let body = text.slice(0, text.length - tail.length);
  const first = scanBrackets(body, languageId);
  if (first.unterminatedAt === undefined && !first.unclosed.length && !first.unopened.length) return text;
  // A cut-off string or comment may have hidden brackets, or held some: scan what is left.
  if (first.unterminatedAt !== undefined) body = body.slice(0, first.unterminatedAt).trimEnd();
  const scan = first.unterminatedAt === undefined ? first : scanBrackets(body, languageId);
  body = removeAt(body, scan.unopened);
  // Removing closers that matched nothing changes no pairing; scan again for the openers' offsets.
  const open = scan.unopened.length ? scanBrackets(body, languageId).unclosed : scan.unclosed;
  for (let k = open.length - 1; k >= 0; k--) body = close(body, open[k]);
  return body.trim() === '' ? '' : body + tail;
}

/**
 * The whole lines of `text` before the line holding `offset` (the first syntax error, as an offset
 * into the fill), balanced; undefined when no line comes before it.
 */
export function cutBackFill(text: string, offset: number, languageId = ''): string | undefined {
  return cutBack(text, offset, (t) => balanceFill(t, languageId));
}

/**
 * The whole lines of `text` that none of `errors` (offsets into the fill) touches, balanced;
 * undefined when nothing is left or no line would go.
 */
export function dropLinesFill(text: string, errors: readonly OffsetRange[], languageId = ''): string | undefined {
  return dropLines(text, errors, (t) => balanceFill(t, languageId));
}

/** Characters of code in `text`, whitespace not counted. */
export function codeSize(text: string): number {
  return text.replace(/\s+/g, '').length;
}

/**
 * The distinct variants worth parsing for a rejected fill, the least changed first; `errors` are
 * where its syntax errors sit, as offsets into the fill, the first first, when known. Never the fill
 * itself, never blank, never less than half of the fill's code (a variant mends a fill; it does not
 * swap a rewrite for a fragment of it), nor of `keepHalfOf` code characters (the sampled fill a
 * variant being mended again came from). With `toward`, the code the fill replaces: where that code
 * is not balanced itself (a piece of a statement that opens a block the code after it closes, or
 * closes one the code before it opened), the variants are balanced toward it (`balanceToward`)
 * instead of to zero.
 */
export function fillVariants(text: string, languageId = '', errors: readonly OffsetRange[] = [], keepHalfOf = 0, toward?: string): string[] {
  const out: string[] = [];
  const least = Math.max(codeSize(text), keepHalfOf);
  const add = (v: string | undefined): void => {
    if (v !== undefined && v.trim() !== '' && v !== text && 2 * codeSize(v) >= least && !out.includes(v)) out.push(v);
  };
  const target = toward === undefined ? undefined : bracketTarget(toward, languageId);
  const balanced = (t: string): string | undefined => target ? balanceToward(t, target, languageId) : balanceFill(t, languageId);
  // A piece of a list or a run of statements ends with the separator its code ended with.
  const balance = (t: string): string | undefined => {
    const b = balanced(t);
    return b === undefined || toward === undefined ? b : endLike(b, toward);
  };
  if (toward !== undefined) add(endLike(text, toward));
  add(balance(text));
  if (errors.length) {
    add(cutBack(text, errors[0].start, balance));
    add(dropLines(text, errors, balance));
  }
  return out;
}

/**
 * `text` ending with the `,` or `;` that `original` ends with (a row of a table, an element of a
 * list, a statement, whose code after it expects the separator), when it ends with neither.
 */
export function endLike(text: string, original: string): string {
  const sep = /[,;]$/.exec(original.trimEnd())?.[0];
  const body = text.trimEnd();
  if (!sep || body === '' || /[,;]$/.test(body) || /^\s*$/.test(original.slice(0, original.trimEnd().length - 1))) return text;
  return body + sep + text.slice(body.length);
}

/** What a fill must leave unbalanced to fit where `original` was: its closers of brackets opened before it, its openers left open. */
export interface BracketTarget {
  readonly unopened: readonly BracketAt[];
  readonly unclosed: readonly BracketAt[];
  /** The original's text, for the indentation of the closers a fill leaves out. */
  readonly original: string;
}

/** `original`'s unbalanced brackets; undefined when it is balanced (or ends inside a string or comment). */
export function bracketTarget(original: string, languageId = ''): BracketTarget | undefined {
  const scan = scanBrackets(original, languageId);
  if (scan.unterminatedAt !== undefined || (!scan.unopened.length && !scan.unclosed.length)) return undefined;
  return { unopened: scan.unopened, unclosed: scan.unclosed, original };
}

/**
 * `text` changed as little as it takes to close and leave open the brackets `target` does: closers
 * of outer brackets past the target's (or of the wrong kind) are taken out; openers of its own are
 * closed (`balanceFill`'s placement); where the target leaves a bracket open that the fill closed,
 * the fill is cut back to just before the closer of its last such bracket; outer closers the fill
 * left out are put back at the end, each on the line and at the indentation it had in the original.
 * Undefined when that cannot be done.
 */
export function balanceToward(text: string, target: BracketTarget, languageId = ''): string | undefined {
  const tail = /\s*$/.exec(text)![0];
  let body = text.slice(0, text.length - tail.length);
  let scan = scanBrackets(body, languageId);
  if (scan.unterminatedAt !== undefined) {
    body = body.slice(0, scan.unterminatedAt).trimEnd();
    scan = scanBrackets(body, languageId);
  }
  const wantU = target.unopened.map((b) => b.ch);
  const wantO = target.unclosed.map((b) => b.ch);
  // Outer closers: the target's, in order; any other goes.
  const keepU: BracketAt[] = [];
  const dropU: BracketAt[] = [];
  for (const b of scan.unopened) (keepU.length < wantU.length && b.ch === wantU[keepU.length] ? keepU : dropU).push(b);
  if (dropU.length) {
    body = removeAt(body, dropU).trimEnd();
    scan = scanBrackets(body, languageId);
  }
  // Openers left open: those the target leaves open, outermost first; the rest are closed.
  let same = 0;
  while (same < scan.unclosed.length && same < wantO.length && scan.unclosed[same].ch === wantO[same]) same++;
  for (let k = scan.unclosed.length - 1; k >= same; k--) body = close(body, scan.unclosed[k]);
  // Fewer left open than the target: cut back to just before a closer, the last that leaves open what the target does.
  if (same < wantO.length) {
    const want = wantO.join('');
    let cutAt = -1;
    for (let i = body.length - 1; i > 0 && cutAt < 0; i--) {
      if (body[i] !== CLOSE_OF[wantO[wantO.length - 1]]) continue;
      const head = body.slice(0, i).trimEnd();
      const s2 = scanBrackets(head, languageId);
      if (s2.unterminatedAt === undefined && s2.unclosed.map((b) => b.ch).join('') === want && s2.unopened.length === keepU.length) cutAt = head.length;
    }
    if (cutAt < 0) return undefined;
    body = body.slice(0, cutAt);
  }
  // Outer closers left out: back at the end, grouped by the original's lines, at its indentation.
  const missing = target.unopened.slice(scanBrackets(body, languageId).unopened.length);
  if (missing.length) {
    if (wantO.length) return undefined;
    let line = -1;
    for (const b of missing) {
      const start = lineStartAt(target.original, b.at);
      if (start !== line) body += `\n${leadingWhitespace(target.original.slice(start))}`;
      body += b.ch;
      line = start;
    }
  }
  return body.trim() === '' ? undefined : body + tail;
}

function cutBack(text: string, offset: number, balance: (t: string) => string | undefined): string | undefined {
  const cut = text.slice(0, lineStartAt(text, Math.max(0, Math.min(offset, text.length))));
  if (cut.trim() === '') return undefined;
  const balanced = balance(cut);
  return balanced === undefined || balanced.trim() === '' ? undefined : balanced;
}

function dropLines(text: string, errors: readonly OffsetRange[], balance: (t: string) => string | undefined): string | undefined {
  const lines = text.split('\n');
  const drop = new Set<number>();
  let at = 0;
  lines.forEach((line, i) => {
    const end = at + line.length;
    if (line.trim() !== '' && errors.some((e) => e.start <= end && Math.max(e.end, e.start + 1) > at)) drop.add(i);
    at = end + 1;
  });
  if (!drop.size) return undefined;
  const kept = lines.filter((_, i) => !drop.has(i)).join('\n');
  if (kept.trim() === '') return undefined;
  const balanced = balance(kept);
  return balanced === undefined || balanced.trim() === '' ? undefined : balanced;
}

function removeAt(text: string, at: readonly BracketAt[]): string {
  let out = text;
  for (let k = at.length - 1; k >= 0; k--) out = out.slice(0, at[k].at) + out.slice(at[k].at + 1);
  return out;
}

/**
 * Closes one opener at the end of `body`: on a line of its own when the opener ends its line and
 * lines follow it, or when it opens a block at the very end; inline otherwise (before a final `;`
 * or `,`).
 */
function close(body: string, b: BracketAt): string {
  const closer = CLOSE_OF[b.ch]!;
  const lineEnd = lineEndAt(body, b.at);
  const endsLine = body.slice(b.at + 1, lineEnd).trim() === '';
  const linesFollow = lineEnd < body.length;
  if (endsLine && (linesFollow || b.ch === '{')) {
    const indent = leadingWhitespace(body.slice(lineStartAt(body, b.at)));
    return `${body}\n${indent}${closer}`;
  }
  const inline = b.ch === '{' && !endsLine ? ` ${closer}` : closer;
  // `f(a;` wants `f(a);`: an inline closer goes before the statement's or element's terminator.
  const term = /[;,]$/.test(body) && body.length - 1 > b.at ? 1 : 0;
  return body.slice(0, body.length - term) + inline + body.slice(body.length - term);
}

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
 * The parser decides: the pipeline keeps a variant only where it parses better than every sampled
 * fill, so a fill that was right stays as the model wrote it. Pure: no model, no parser.
 */
import type { OffsetRange } from './types';
import type { BracketAt } from './indentBrackets';
import { scanBrackets } from './indentBrackets';
import { leadingWhitespace, lineEndAt, lineStartAt } from './indent';

const CLOSER: Readonly<Record<string, string>> = { '(': ')', '[': ']', '{': '}' };

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
  const cut = text.slice(0, lineStartAt(text, Math.max(0, Math.min(offset, text.length))));
  if (cut.trim() === '') return undefined;
  const balanced = balanceFill(cut, languageId);
  return balanced.trim() === '' ? undefined : balanced;
}

/**
 * The whole lines of `text` that none of `errors` (offsets into the fill) touches, balanced;
 * undefined when nothing is left or no line would go.
 */
export function dropLinesFill(text: string, errors: readonly OffsetRange[], languageId = ''): string | undefined {
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
  const balanced = balanceFill(kept, languageId);
  return balanced.trim() === '' ? undefined : balanced;
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
 * variant being mended again came from).
 */
export function fillVariants(text: string, languageId = '', errors: readonly OffsetRange[] = [], keepHalfOf = 0): string[] {
  const out: string[] = [];
  const least = Math.max(codeSize(text), keepHalfOf);
  const add = (v: string | undefined): void => {
    if (v !== undefined && v.trim() !== '' && v !== text && 2 * codeSize(v) >= least && !out.includes(v)) out.push(v);
  };
  add(balanceFill(text, languageId));
  if (errors.length) {
    add(cutBackFill(text, errors[0].start, languageId));
    add(dropLinesFill(text, errors, languageId));
  }
  return out;
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
  const closer = CLOSER[b.ch]!;
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

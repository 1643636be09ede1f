/**
 * Indentation: what style a document uses, what level an anchor sits at, and re-indenting a fill
 * so that it matches (a model may answer in spaces where the file uses tabs, or drift a level;
 * for Python that changes the meaning).
 */

export interface IndentStyle {
  /** One indentation level as text: '\t' or N spaces. */
  readonly unit: string;
  /** Columns one level occupies (tab width for tabs). */
  readonly width: number;
  /** True when the document shows no indentation to learn from and `unit` is a default. */
  readonly guessed: boolean;
}

export interface AnchorIndent extends IndentStyle {
  /** The leading whitespace of the anchor's first line, verbatim. */
  readonly text: string;
  /** `text` in levels of `unit` (fractional when the line is indented off the grid). */
  readonly level: number;
}

const DEFAULT_STYLE: IndentStyle = { unit: '    ', width: 4, guessed: true };
/** Column width assumed for a tab when the document mixes tabs into space indentation. */
const TAB_COLUMNS = 4;

export function lineStartAt(text: string, offset: number): number {
  // lastIndexOf treats a negative start as 0, which would find a line break AT offset 0.
  return offset <= 0 ? 0 : text.lastIndexOf('\n', offset - 1) + 1;
}

/** Offset of the line break ending the line at `offset` (or text.length). */
export function lineEndAt(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl;
}

export function leadingWhitespace(line: string): string {
  return /^[ \t]*/.exec(line)![0];
}

/** Columns `ws` (spaces and tabs) takes, a tab advancing to the next multiple of `tabWidth`. */
export function columns(ws: string, tabWidth: number): number {
  let col = 0;
  for (const ch of ws) col = ch === '\t' ? col + tabWidth - (col % tabWidth) : col + 1;
  return col;
}

/**
 * Guesses the indentation unit from the lines of `text`: tabs when most indented lines start with
 * one, otherwise the most common increase in spaces between consecutive non-blank lines.
 */
export function detectIndentStyle(text: string, fallback: IndentStyle = DEFAULT_STYLE): IndentStyle {
  let tabLines = 0;
  let spaceLines = 0;
  const deltas = new Map<number, number>();
  let previous = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const ws = leadingWhitespace(line);
    if (ws.startsWith('\t')) tabLines++;
    else if (ws.length > 0) spaceLines++;
    if (!ws.includes('\t')) {
      const delta = ws.length - previous;
      if (delta > 1 && delta <= 8) deltas.set(delta, (deltas.get(delta) ?? 0) + 1);
      previous = ws.length;
    }
  }
  if (tabLines === 0 && spaceLines === 0) return fallback;
  if (tabLines > spaceLines) return { unit: '\t', width: fallback.unit === '\t' ? fallback.width : TAB_COLUMNS, guessed: false };
  let best = 0;
  let bestCount = 0;
  for (const [delta, count] of deltas) {
    if (count > bestCount || (count === bestCount && delta < best)) [best, bestCount] = [delta, count];
  }
  if (best === 0) return fallback;
  return { unit: ' '.repeat(best), width: best, guessed: false };
}

/** Style of `docText` plus the indentation of the line that `offset` is on. */
export function anchorIndent(docText: string, offset: number, style = detectIndentStyle(docText)): AnchorIndent {
  const start = lineStartAt(docText, offset);
  const ws = leadingWhitespace(docText.slice(start, lineEndAt(docText, start)));
  const text = ws.length > offset - start ? ws.slice(0, offset - start) : ws;
  const tabWidth = style.unit === '\t' ? style.width : TAB_COLUMNS;
  return { ...style, text, level: columns(text, tabWidth) / style.width };
}

/**
 * The indentation unit a fill was written in. A fill starts at some depth, so steps from column 0
 * say little: the fill is taken to be in the target style when all its space indents are
 * multiples of the target's unit, else in the greatest common divisor of its indents.
 */
function fillStyle(lines: readonly string[], target: IndentStyle): IndentStyle {
  const indents = lines.filter(l => l.trim() !== '').map(leadingWhitespace).filter(ws => ws.length > 0);
  if (indents.length === 0) return target;
  const tabs = indents.filter(ws => ws.startsWith('\t')).length;
  if (tabs * 2 >= indents.length) return { unit: '\t', width: target.unit === '\t' ? target.width : TAB_COLUMNS, guessed: false };
  const widths = indents.filter(ws => !ws.includes('\t')).map(ws => ws.length);
  if (target.unit !== '\t' && widths.every(w => w % target.width === 0)) return target;
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const unit = widths.reduce(gcd, 0);
  return unit >= 2 ? { unit: ' '.repeat(unit), width: unit, guessed: false } : target;
}

export interface ReindentOptions {
  /**
   * The fill's first line starts mid-line (at the anchor, after its indentation, which stays in the
   * prefix). Then only the following lines carry indentation. Default true: syntax anchors start
   * at a node, not at a line start.
   */
  readonly startsMidLine?: boolean;
}

/**
 * Rewrites the leading whitespace of each line of `fill` into `target`'s style, keeping every
 * line's level. When the fill (after its first line) dedents below the anchor's level, all its
 * lines are shifted up so the block stays inside the anchor's scope.
 */
export function reindent(fill: string, target: AnchorIndent, options: ReindentOptions = {}): string {
  const startsMidLine = options.startsMidLine ?? true;
  const lines = fill.split('\n');
  const body = startsMidLine ? lines.slice(1) : lines;
  const own = fillStyle(body, target);
  const ownTab = own.unit === '\t' ? own.width : TAB_COLUMNS;
  const levelOf = (line: string): number => columns(leadingWhitespace(line), ownTab) / own.width;

  const nonBlank = body.filter(l => l.trim() !== '');
  const minLevel = nonBlank.length ? Math.min(...nonBlank.map(levelOf)) : target.level;
  const shift = minLevel < target.level ? target.level - minLevel : 0;

  const render = (level: number): string => {
    const whole = Math.floor(level + 1e-9);
    const rest = Math.round((level - whole) * target.width);
    return target.unit.repeat(whole) + ' '.repeat(rest);
  };
  const out = lines.map((line, i) => {
    if (startsMidLine && i === 0) return line;
    if (line.trim() === '') return line.replace(/^[ \t]+(?=\r?$)/, '');
    return render(levelOf(line) + shift) + line.slice(leadingWhitespace(line).length);
  });
  return out.join('\n');
}

/**
 * A fill ends where its original ended: when the original does not end with a line break (a range
 * that stops at the end of a node, before the break of its line), line breaks and blank lines at the
 * end of the fill are dropped. Kept, each would put an empty line between the fill and the rest of
 * the original's last line, a line that no hunk of the review can show as its own.
 */
export function endLikeOriginal(fill: string, original: string): string {
  if (/\n[ \t]*$/.test(original)) return fill;
  return fill.replace(/(?:\r?\n[ \t]*)+$/, '');
}

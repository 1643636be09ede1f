/**
 * Reading an edit snippet the way chat assistants write them: a Markdown fence around it (with a
 * language or a path in the info string), and marker comments such as `// ... existing code ...`
 * standing for the parts of the file that stay as they are.
 */

/** One run of code between marker comments; `first`/`last` are 0-based line indices in the snippet as given. */
export interface SnippetPiece {
  readonly lines: readonly string[];
  readonly first: number;
  readonly last: number;
  /** A marker comment stands right before / after this piece. */
  readonly markerBefore: boolean;
  readonly markerAfter: boolean;
  /** Blank lines left out between the marker before (after) and the piece's code. */
  readonly blankBefore: number;
  readonly blankAfter: number;
}

export interface ParsedSnippet {
  readonly pieces: readonly SnippetPiece[];
  /** Marker comments found. */
  readonly markers: number;
}

/**
 * The code of a snippet without its Markdown fence, and the number of lines dropped before it (so
 * reported line numbers refer to the snippet as given). A snippet holding several fenced blocks
 * amid prose gives its first block.
 */
export function stripFence(snippet: string): { code: string; lineOffset: number } {
  const text = snippet.replace(/\r\n?/g, '\n');
  const lines = text.split('\n');
  const open = lines.findIndex(l => /^\s*(`{3,}|~{3,})/.test(l));
  if (open < 0) return { code: text, lineOffset: 0 };
  // Prose before the fence is dropped only when it is prose (no code-like line); code before a
  // fence line would be odd, and is kept as it is.
  const fence = /^\s*(`{3,}|~{3,})/.exec(lines[open])![1];
  const close = lines.findIndex((l, i) => i > open && l.trim().startsWith(fence[0].repeat(fence.length)) && l.trim().replace(/[`~]/g, '') === '');
  const body = lines.slice(open + 1, close < 0 ? undefined : close);
  const code = body.join('\n') + (close < 0 && text.endsWith('\n') ? '' : '\n');
  return { code: close < 0 ? body.join('\n') : code, lineOffset: open + 1 };
}

/** Comment forms marker lines come in: `//`, `#`, `--`, `;`, `/* *\/`, `<!-- -->`, `{/* *\/}` (JSX). */
const COMMENT_FORMS: readonly RegExp[] = [
  /^\{\s*\/\*(.*?)\*\/\s*\}$/,
  /^\/\*+(.*?)\*+\/$/,
  /^<!--(.*?)-->$/,
  /^\/\/+(.*)$/,
  /^#+(?!include|define|if|endif|else|pragma|!)(.*)$/,
  /^--(?!-)(.*)$/,
  /^;+(.*)$/,
  /^"""(.*?)"""$/,
];

/** Words that make a comment a marker for unchanged code (with or without dots around them). */
const MARKER_WORDS = /\b(existing|unchanged|rest of|remaining|remain(s)?( the same)?|the same|same as (before|above)|as before|previous|omitted|keep|other (code|methods?|functions?|imports?|properties|fields|cases|members|tests?|exports?|routes?|handlers?|lines)|more (code|methods?|functions?)|etc)\b/i;

/**
 * Whether `line` is a marker comment: a comment whose text is an ellipsis (`...`, `…`), or a short
 * phrase such as "existing code", "rest of the code", "(unchanged)", with or without dots.
 */
export function isMarkerLine(line: string): boolean {
  const t = line.trim();
  if (t.length < 2 || t.length > 120) return false;
  let inner: string | undefined;
  for (const form of COMMENT_FORMS) {
    const m = form.exec(t);
    if (m) { inner = m[1]; break; }
  }
  if (inner === undefined) return t === '...' || t === '…';
  const text = inner.trim();
  const hasDots = /\.{3}|…/.test(text);
  const words = text.replace(/\.{3,}|…/g, ' ').replace(/[()[\]:,.!*-]/g, ' ').trim();
  if (words === '') return hasDots;
  if (words.split(/\s+/).length > 10) return false;
  return MARKER_WORDS.test(words) && (hasDots || /\b(existing|unchanged|rest of|remain|same|omitted|keep)\b/i.test(words));
}

/**
 * Splits snippet code (fence already stripped) into the pieces between marker comments. Blank lines
 * next to a marker belong to the code it stands for, so they are left out of the pieces.
 */
export function splitSnippet(code: string, lineOffset = 0): ParsedSnippet {
  const lines = code.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  const pieces: SnippetPiece[] = [];
  let markers = 0;
  let start = 0;
  let markerBefore = false;
  const flush = (end: number, markerAfter: boolean): void => {
    let a = start;
    let b = end;
    if (markerBefore) while (a < b && lines[a].trim() === '') a++;
    if (markerAfter) while (b > a && lines[b - 1].trim() === '') b--;
    const blankBefore = a - start;
    const blankAfter = end - b;
    // Blank lines at the very start or end of the snippet carry nothing either.
    while (a < b && lines[a].trim() === '' && a === 0) a++;
    while (b > a && lines[b - 1].trim() === '' && b === lines.length) b--;
    if (b > a) pieces.push({ lines: lines.slice(a, b), first: a + lineOffset, last: b - 1 + lineOffset, markerBefore, markerAfter, blankBefore, blankAfter });
  };
  for (let i = 0; i < lines.length; i++) {
    if (!isMarkerLine(lines[i])) continue;
    markers++;
    flush(i, true);
    start = i + 1;
    markerBefore = true;
  }
  flush(lines.length, false);
  return { pieces, markers };
}

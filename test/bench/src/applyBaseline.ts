/**
 * The plain line aligner the apply benchmark compares `applySnippet` against: the snippet is cut at
 * marker comments into pieces, and each piece replaces the original's lines from the first
 * occurrence of its first line to the next occurrence of its last line (trimmed, exact match),
 * searching after the previous piece. A piece whose first or last line is not found is unplaced.
 */

export interface BaselineResult {
  readonly text: string;
  readonly unplaced: readonly { readonly snippetLines: readonly [number, number]; readonly reason: string }[];
  readonly pieces: number;
}

/** A comment line standing for unchanged code: `// ... existing code ...`, `/* (unchanged) *\/`, ... */
const MARKER = /^\s*(\/\/|\/\*|#|<!--).*(\.\.\.|…|existing code|unchanged)/i;

const lastCode = (lines: readonly string[]) => lines.reduce((last, l, i) => (l.trim() !== '' ? i : last), -1);

export function applyBaseline(original: string, snippet: string): BaselineResult {
  let lines = snippet.replace(/\r\n?/g, '\n').split('\n');
  let offset = 0;
  // A Markdown fence around the snippet (```ts path/to/file.ts ... ```) is not code.
  const open = lines.findIndex((l) => l.trim() !== '');
  const close = lastCode(lines);
  if (open >= 0 && open < close && /^\s*```/.test(lines[open]) && /^\s*```\s*$/.test(lines[close])) {
    lines = lines.slice(open + 1, close);
    offset = open + 1;
  }
  const pieces: { lines: string[]; first: number }[] = [];
  let cur: { lines: string[]; first: number } | undefined;
  lines.forEach((l, i) => {
    if (MARKER.test(l)) {
      cur = undefined;
      return;
    }
    if (!cur) pieces.push((cur = { lines: [], first: i + offset + 1 }));
    cur.lines.push(l);
  });
  const orig = original.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  const unplaced: { snippetLines: readonly [number, number]; reason: string }[] = [];
  let cursor = 0;
  let count = 0;
  for (const p of pieces) {
    const a = p.lines.findIndex((l) => l.trim() !== '');
    if (a < 0) continue;
    const b = lastCode(p.lines);
    count++;
    const find = (text: string, from: number) => orig.findIndex((l, i) => i >= from && l.trim() === text.trim());
    const s = find(p.lines[a], cursor);
    const e = s < 0 ? -1 : a === b ? s : find(p.lines[b], s + 1);
    if (s < 0 || e < 0) {
      unplaced.push({ snippetLines: [p.first + a, p.first + b], reason: `${s < 0 ? 'first' : 'last'} line not found in the original` });
      continue;
    }
    out.push(...orig.slice(cursor, s), ...p.lines.slice(a, b + 1));
    cursor = e + 1;
  }
  out.push(...orig.slice(cursor));
  return { text: out.join('\n'), unplaced, pieces: count };
}

/**
 * Analogous lines for a line-sized hole. Code repeats its own patterns: the arms of a switch, the
 * fields of a constructor, the checks of a validator. A line whose neighbours look like the hole's
 * neighbours is often what the hole holds, or close to it. So does a project: the same imports,
 * licence headers, fields and checks recur from file to file, so the workspace's other files of
 * the hole's language are searched too (core/lineIndex). Pure: the engine offers these lines to the
 * model beside its own fill, and the model's scores choose (engine/analogFill).
 */
import { isTrivial, lineKey } from './apply/align';
import { hashKey, lineAt, type OtherFiles } from './lineIndex';
import { editSimilarity } from './similarity';

export interface AnalogLine {
  /** The lines' text, the first without its indentation and the others re-indented to the hole's. */
  readonly text: string;
  /** How many lines it has. */
  readonly lines: number;
  /** How well its neighbours match the hole's: the two neighbours' similarities added, in [0, 2]. */
  readonly score: number;
  /** Where it is, in lines from the hole: negative above it, positive below (0 for another file's). */
  readonly delta: number;
  /** Another file's analogue: that file (as the LineIndex names it) and its 0-based first line. */
  readonly from?: { readonly file: string; readonly line: number };
  /**
   * The text with the names, numbers and strings its neighbours have where the hole's neighbours
   * have others replaced by the hole's (see adaptToNeighbours); absent when nothing changes.
   */
  readonly adapted?: string;
}

export interface AnalogOptions {
  /** Lines searched on each side of the hole. */
  readonly reach?: number;
  /** Distinct analogues returned, best first. */
  readonly limit?: number;
  /** Least neighbour score an analogue needs. */
  readonly minScore?: number;
  /** Most lines an analogue may have: blocks of 1 to this many lines are considered. */
  readonly maxLines?: number;
  /** The workspace's other files of the hole's language, searched as well (LineIndex.view). */
  readonly elsewhere?: OtherFiles;
}

/** Two lines' edit similarity, indentation and runs of spaces aside. */
function lineSimilarity(a: string, b: string): number {
  return editSimilarity(lineKey(a), lineKey(b));
}

/** Lines searched on each side of the hole by default. */
export const ANALOG_REACH = 300;
/** Longest line considered, in characters: longer ones are data, not patterns. */
const MAX_LINE = 200;

/**
 * The hole between `prefix` and `suffix` when it is a whole line of its own: the prefix ends at the
 * start of a line (after its indentation at most) and the suffix starts with the line's end; a
 * line above and below it. Else undefined: a hole inside a line, or one the analogues cannot stand
 * for. Reads only the hole's own line.
 */
export function lineHole(prefix: string, suffix: string): { indent: string } | undefined {
  const lineStart = prefix.lastIndexOf('\n') + 1;
  const indent = prefix.slice(lineStart);
  const nl = suffix.indexOf('\n');
  if (lineStart === 0 || nl < 0 || /\S/.test(indent) || /\S/.test(suffix.slice(0, nl))) return undefined;
  return { indent };
}

/** The last `n` lines of `text` (split at line feeds), without splitting the rest. */
function lastLines(text: string, n: number): string[] {
  let cut = text.length;
  for (let k = 0; k < n && cut >= 0; k++) cut = cut > 0 ? text.lastIndexOf('\n', cut - 1) : -1;
  return (cut < 0 ? text : text.slice(cut + 1)).split('\n');
}

/** The first `n` lines of `text` (split at line feeds), without splitting the rest. */
function firstLines(text: string, n: number): string[] {
  let cut = -1;
  for (let k = 0; k < n; k++) {
    cut = text.indexOf('\n', cut + 1);
    if (cut < 0) break;
  }
  return (cut < 0 ? text : text.slice(0, cut)).split('\n');
}

/**
 * Lines of the code around a line-sized hole whose neighbours look most like the hole's: for each
 * non-blank line with a line above and below it, the similarity of its line above to the hole's
 * line above plus that of its line below to the hole's line below. Ties go to the nearer line;
 * a text seen at a better place is not repeated.
 */
export function analogLines(prefix: string, suffix: string, o: AnalogOptions = {}): AnalogLine[] {
  const hole = lineHole(prefix, suffix);
  if (!hole) return [];
  const reach = o.reach ?? ANALOG_REACH;
  const above = lastLines(prefix.slice(0, prefix.length - hole.indent.length - 1), reach + 1);
  const below = firstLines(suffix.slice(suffix.indexOf('\n') + 1), reach + 1);
  const before = above[above.length - 1];
  const after = below[0];
  if (before === undefined || after === undefined || (!before.trim() && !after.trim())) return [];
  // The window: the lines above, a gap for the hole, the lines below. A line next to the gap has no
  // neighbour on that side.
  const lines: Array<string | undefined> = [...above, undefined, ...below];
  const at = above.length;
  const eol = prefix.endsWith('\r\n' + hole.indent) ? '\r\n' : '\n';
  // Each line's likeness to the hole's line above and to its line below, computed once.
  const likeBefore = lines.map((l) => (l === undefined ? 0 : lineSimilarity(l, before)));
  const likeAfter = lines.map((l) => (l === undefined ? 0 : lineSimilarity(l, after)));
  const found: Found[] = [];
  for (let n = 1; n <= (o.maxLines ?? 1); n++) {
    for (let k = 1; k + n < lines.length; k++) {
      const block = lines.slice(k, k + n);
      const up = lines[k - 1];
      const down = lines[k + n];
      if (up === undefined || down === undefined || block.some((l) => l === undefined || l.length > MAX_LINE)) continue;
      const body = block as string[];
      if (!body[0].trim() || !body[n - 1].trim()) continue;
      const score = likeBefore[k - 1] + likeAfter[k + n];
      if (score < (o.minScore ?? 0)) continue;
      found.push({ text: reindentBlock(body, hole.indent, eol), lines: n, score, delta: k - at, up, down });
    }
  }
  if (o.elsewhere) found.push(...analogsElsewhere(o.elsewhere, before, after, hole.indent, eol, o));
  // Best match first; at equal match the hole's own file before another, then the nearer line.
  found.sort((a, b) => b.score - a.score || Number(a.from !== undefined) - Number(b.from !== undefined) || Math.abs(a.delta) - Math.abs(b.delta));
  const seen = new Set<string>();
  const out: AnalogLine[] = [];
  for (const { up, down, ...f } of found) {
    if (seen.has(f.text)) continue;
    seen.add(f.text);
    const adapted = adaptToNeighbours(f.text, [[up, before], [down, after]]);
    out.push(adapted === f.text ? f : { ...f, adapted });
    if (out.length >= (o.limit ?? 4)) break;
  }
  return out;
}

/** An analogue found, with the neighbours its words are adapted from. */
type Found = AnalogLine & { readonly up: string; readonly down: string };

/**
 * Most places in other files scored for one hole: lines equal to the hole's line above or below
 * (found by their keys' hashes), each offering the blocks of up to maxLines lines next to it.
 */
export const ELSEWHERE_MAX_PLACES = 2000;

/**
 * Analogues in other files. A neighbour must equal the hole's own (a trivial line such as `}` or
 * `return;` does not count): found by the lines' hashes, which is cheap over a whole workspace
 * where a scan by similarity is not. They then score as the hole's own file's lines do.
 */
function analogsElsewhere(files: OtherFiles, before: string, after: string, indent: string, eol: string, o: AnalogOptions): Found[] {
  const keyBefore = lineKey(before);
  const keyAfter = lineKey(after);
  const useBefore = !isTrivial(keyBefore);
  const useAfter = !isTrivial(keyAfter);
  if (!useBefore && !useAfter) return [];
  const hashBefore = hashKey(keyBefore);
  const hashAfter = hashKey(keyAfter);
  const maxLines = o.maxLines ?? 1;
  const out: Found[] = [];
  let places = 0;
  for (const f of files.files()) {
    const offered = new Set<number>();
    // The block of n lines starting at line k, between lines k - 1 and k + n.
    const offer = (k: number, n: number) => {
      if (k < 1 || k + n >= f.hashes.length || offered.has(k * 8 + n)) return;
      offered.add(k * 8 + n);
      const body: string[] = [];
      for (let i = k; i < k + n; i++) body.push(lineAt(f, i));
      if (!body[0].trim() || !body[n - 1].trim() || body.some((l) => l.length > MAX_LINE)) return;
      const up = lineAt(f, k - 1);
      const down = lineAt(f, k + n);
      const score = lineSimilarity(up, before) + lineSimilarity(down, after);
      if (score < (o.minScore ?? 0)) return;
      out.push({ text: reindentBlock(body, indent, eol), lines: n, score, delta: 0, from: { file: f.file, line: k }, up, down });
    };
    for (let i = 0; i < f.hashes.length && places < ELSEWHERE_MAX_PLACES; i++) {
      const h = f.hashes[i];
      if (useBefore && h === hashBefore && lineKey(lineAt(f, i)) === keyBefore) {
        places++;
        for (let n = 1; n <= maxLines; n++) offer(i + 1, n);
      }
      if (useAfter && h === hashAfter && lineKey(lineAt(f, i)) === keyAfter) {
        places++;
        for (let n = 1; n <= maxLines; n++) offer(i - n, n);
      }
    }
    if (places >= ELSEWHERE_MAX_PLACES) break;
  }
  return out;
}

/** Names, numbers and string literals: the words an analogue's text may have to change. */
const WORD = /[A-Za-z_$][\w$]*|\d+(?:\.\d+)?|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g;
/** The tokens of a line: its words, and every other character that is not a space. */
const TOKEN = new RegExp(`${WORD.source}|\\S`, 'g');
const isWord = (t: string) => /^[\w$"']/.test(t);
/** Most tokens a neighbour may have for its alignment (longer lines are left alone). */
const MAX_ALIGN_TOKENS = 80;

/**
 * `text` with the words its neighbours have where the hole's neighbours have others replaced: each
 * pair is an analogue's neighbour and the hole's neighbour on the same side. Their tokens are
 * aligned (longest common subsequence); a run replaced by a run of as many tokens pairs its words
 * one to one, and those pairs (the first for each word, the line above first) are applied to the
 * words of `text`. The arms of a mapping (`a: x.a,` / `b: x.b,`) differ in the name their
 * neighbours also differ in, so the hole's arm follows from its neighbours.
 */
export function adaptToNeighbours(text: string, neighbours: ReadonlyArray<readonly [string, string]>): string {
  const map = new Map<string, string>();
  for (const [theirs, ours] of neighbours) pairWords(theirs.match(TOKEN) ?? [], ours.match(TOKEN) ?? [], map);
  if (map.size === 0) return text;
  return text.replace(WORD, (w) => map.get(w) ?? w);
}

/** Adds to `map` the word pairs of the equal-length replaced runs between token lists `a` and `b`. */
function pairWords(a: readonly string[], b: readonly string[], map: Map<string, string>): void {
  if (a.length > MAX_ALIGN_TOKENS || b.length > MAX_ALIGN_TOKENS) return;
  // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
  const lcs = Array.from({ length: a.length + 1 }, () => new Uint8Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  const runA: string[] = [];
  const runB: string[] = [];
  const close = () => {
    if (runA.length === runB.length) {
      runA.forEach((w, q) => {
        if (isWord(w) && isWord(runB[q]) && !map.has(w)) map.set(w, runB[q]);
      });
    }
    runA.length = 0;
    runB.length = 0;
  };
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      close();
      i++;
      j++;
    } else if (j < b.length && (i >= a.length || lcs[i][j + 1] >= lcs[i + 1][j])) runB.push(b[j++]);
    else runA.push(a[i++]);
  }
  close();
}

/**
 * The block's text for a hole whose line starts with `indent`: the first line without its
 * indentation (the hole's line already has it), the others moved by the same amount, joined by
 * the document's line break.
 */
function reindentBlock(body: readonly string[], indent: string, eol: string): string {
  const own = body[0].length - body[0].trimStart().length;
  return body.map((l, i) => {
    if (i === 0) return l.trim();
    const lead = l.length - l.trimStart().length;
    return lead >= own ? indent + l.slice(own).trimEnd() : l.trimEnd();
  }).join(eol);
}

/**
 * Placing one piece of a snippet in the original by its lines: a local alignment (the piece in
 * full, against some stretch of the original) that rewards matching lines by how telling they
 * are and charges a little for every original line the stretch would delete.
 */

/** A line as compared: trimmed, runs of whitespace as one space. */
export function lineKey(line: string): string {
  return line.trim().replace(/\s+/g, ' ');
}

/** How much a matching line tells where a piece goes: blank and bracket-only lines little. */
export function lineWeight(key: string, occurrences: number): number {
  if (key === '') return 0.01;
  if (isTrivial(key)) return 0.05;
  // A line that occurs many times in the file (`return result;`) says less than a unique one.
  return 1 / (1 + Math.log2(Math.max(1, occurrences)));
}

/** Lines such as `}`, `});`, `else {`, `return;`, `break;`: too common to place code by. */
export function isTrivial(key: string): boolean {
  if (key === '') return true;
  let known = trivialMemo.get(key);
  if (known === undefined) {
    const alnum = key.replace(/[^A-Za-z0-9_$]/g, '');
    known = alnum.length < 4 || KEYWORD_LINE.test(key);
    if (trivialMemo.size >= TRIVIAL_MEMO_SIZE) trivialMemo.clear();
    trivialMemo.set(key, known);
  }
  return known;
}

/** Keywords that make a line on their own (`} else {`, `return;`, `fi`): none names anything. */
export const BARE_KEYWORDS = 'else|return|break|continue|default|pass|end|try|finally|do|then|fi|done|esac';
const KEYWORD_LINE = new RegExp(`^[\\s})\\]]*(${BARE_KEYWORDS})[\\s;:{(]*$`);

/** isTrivial's answers by line (asked of the same lines over and over while pieces are placed). */
const trivialMemo = new Map<string, boolean>();
const TRIVIAL_MEMO_SIZE = 50_000;

/** Cost of each original line a stretch deletes between two matched lines. */
const DELETE_COST = 0.05;

export interface Alignment {
  /** Matched pairs [piece line, original line], in order. */
  readonly pairs: readonly (readonly [number, number])[];
  readonly score: number;
}

/** Tie-breaker for a match indented like the rest of the piece's matches. */
const SAME_INDENT_BONUS = 0.001;

/** At most this many cells per stretch (a longer stretch is cut). */
const MAX_CELLS = 30_000_000;

/** What an alignment must respect beyond the lines' keys. */
export interface AlignRules {
  /** Original lines that never match. */
  readonly blocked?: (line: number) => boolean;
  /** Indentation per piece and original line, and the shift their matches agree on (a tie-breaker). */
  readonly indent?: { readonly piece: readonly number[]; readonly orig: readonly number[]; readonly shift: number };
  /** Per piece line: the original lines it is a changed version of, with the match's worth. */
  readonly changed?: ReadonlyMap<number, ReadonlyMap<number, number>>;
  /** Piece lines that are new and never match. */
  readonly added?: ReadonlySet<number>;
}

/**
 * The best placement of `piece` (keys) in `orig` (keys) within [from, to), under `rules`. Pairs are
 * empty when nothing matched.
 */
export function alignPiece(
  piece: readonly string[],
  orig: readonly string[],
  from: number,
  to: number,
  weightOf: (key: string) => number,
  rules: AlignRules = {},
): Alignment {
  const { blocked, changed, added } = rules;
  const n = piece.length;
  const weights = piece.map(k => weightOf(k));
  // Only stretches around the piece's telling lines (and changed versions) can score: trivial
  // matches earn no more than the deletions that reach them, and two groups of matches are
  // joined only when the deletions between them cost less than the smaller group earns, which is
  // less than the piece's whole weight. So the alignment runs on each such stretch alone.
  const total = weights.reduce((a, b) => a + b, 0);
  const join = Math.ceil(total / DELETE_COST) + 2 * n + 2;
  const pad = 2 * n + 2;
  const where = placesOf(orig);
  const hits: number[] = [];
  const seen = new Set<string>();
  piece.forEach((k, i) => {
    if (isTrivial(k) || added?.has(i) || seen.has(k)) return;
    seen.add(k);
    for (const j of where.get(k) ?? []) if (j >= from && j < to && !blocked?.(j)) hits.push(j);
  });
  if (changed) {
    for (const [i, row] of changed) {
      if (added?.has(i)) continue;
      for (const j of row.keys()) if (j >= from && j < to && !blocked?.(j)) hits.push(j);
    }
  }
  hits.sort((a, b) => a - b);
  // Nothing telling to go by: brackets and blank lines alone, anywhere.
  if (hits.length === 0) return alignStretch(piece, weights, orig, from, to, rules);
  let best: Alignment = { pairs: [], score: 0 };
  let lo = Math.max(from, hits[0] - pad);
  let last = hits[0];
  const run = (a: number, b: number): void => {
    const got = alignStretch(piece, weights, orig, a, b, rules);
    if (got.score > best.score + 1e-12) best = got;
  };
  for (const h of hits) {
    if (h - last > join) {
      run(lo, Math.min(to, last + pad + 1));
      lo = Math.max(from, h - pad);
    }
    last = h;
  }
  run(lo, Math.min(to, last + pad + 1));
  return best;
}

/** Lines of a file by key (the file's lines are aligned against many times over). */
const placesMemo = new WeakMap<readonly string[], ReadonlyMap<string, readonly number[]>>();

function placesOf(orig: readonly string[]): ReadonlyMap<string, readonly number[]> {
  let m = placesMemo.get(orig) as Map<string, number[]> | undefined;
  if (!m) {
    m = new Map();
    orig.forEach((k, j) => {
      const at = m!.get(k);
      if (at) at.push(j);
      else m!.set(k, [j]);
    });
    placesMemo.set(orig, m);
  }
  return m;
}

/** The alignment of `piece` within [lo, hi) of `orig`, by dynamic programming over the whole stretch. */
function alignStretch(
  piece: readonly string[],
  weights: readonly number[],
  orig: readonly string[],
  lo: number,
  hi: number,
  { blocked, indent, changed, added }: AlignRules,
): Alignment {
  const n = piece.length;
  if ((n + 1) * (hi - lo + 1) > MAX_CELLS) hi = Math.min(hi, lo + Math.floor(MAX_CELLS / (n + 1)) - 1);
  const w = hi - lo;
  const stride = w + 1;
  // trace: 0 = start, 1 = piece line unmatched, 2 = original line deleted, 3 = match
  const trace = new Uint8Array((n + 1) * stride);
  let prev = new Float64Array(stride);
  let cur = new Float64Array(stride);
  for (let i = 1; i <= n; i++) {
    const key = piece[i - 1];
    const wt = weights[i - 1];
    // A piece line known to be new (a closer of a block the piece opens) matches nothing.
    const free = !added?.has(i - 1);
    const versions = free ? changed?.get(i - 1) : undefined;
    cur[0] = prev[0];
    trace[i * stride] = 1;
    for (let j = 1; j <= w; j++) {
      let best = prev[j];
      let how = 1;
      const del = cur[j - 1] - DELETE_COST;
      if (del > best) { best = del; how = 2; }
      const oj = lo + j - 1;
      const version = versions?.get(oj);
      if (version !== undefined && !blocked?.(oj)) {
        // A changed version of this original line: it replaces it (worth less than a line kept).
        const m = prev[j - 1] + version;
        if (m > best) { best = m; how = 3; }
      }
      if (free && orig[oj] === key && !blocked?.(oj)) {
        // Between equally good matches, the one indented as the piece's other matches are wins
        // (which `}` closes what).
        const m = prev[j - 1] + wt + (indent && indent.orig[oj] - indent.piece[i - 1] === indent.shift ? SAME_INDENT_BONUS : 0);
        if (m > best) { best = m; how = 3; }
      }
      cur[j] = best;
      trace[i * stride + j] = how;
    }
    [prev, cur] = [cur, prev];
  }
  // prev is row n: the earliest end with the best score.
  let bestJ = 0;
  for (let j = 1; j <= w; j++) if (prev[j] > prev[bestJ] + 1e-12) bestJ = j;
  const score = prev[bestJ];
  const pairs: (readonly [number, number])[] = [];
  let i = n;
  let j = bestJ;
  while (i > 0 && j > 0) {
    const how = trace[i * stride + j];
    if (how === 3) {
      pairs.push([i - 1, lo + j - 1]);
      i--;
      j--;
    } else if (how === 2) j--;
    else i--;
  }
  pairs.reverse();
  return { pairs, score };
}

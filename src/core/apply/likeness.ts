/**
 * When a line of a snippet is a changed version of a line of the file (an argument added, a
 * modifier dropped, a name kept), and when it is another line however alike: a new import of
 * another module, a declaration of another name.
 */
import { editSimilarity } from '../similarity';
import { isTrivial, lineKey } from './align';

/** How alike an added edge line and the original line beside it must be to be taken as its new version. */
const EDGE_SIMILARITY = 0.6;

/**
 * Two non-blank lines alike enough (by characters in common) to be versions of one line; two
 * declarations of different names are not, however alike (`apFirstW` beside `apFirst`).
 */
export function similar(a: string, b: string, threshold = EDGE_SIMILARITY): boolean {
  const x = lineKey(a);
  const y = lineKey(b);
  if (!x || !y || isTrivial(x) || isTrivial(y)) return false;
  return changedVersion(x, y) >= threshold;
}

/** Two lines that declare different names (`isModified` beside `isDraftable`): never one line changed. */
function otherDeclaration(a: string, b: string): boolean {
  const x = DECLARED.exec(a)?.[1];
  const y = DECLARED.exec(b)?.[1];
  return x !== undefined && y !== undefined && x !== y;
}

/**
 * The name a top-level declaration declares (`function f(`, `const x =`, `class C`, at the margin),
 * one that a module holds once: not an overload signature (`function f(a: A): B;`), a `var`, nor
 * an interface (those may repeat).
 */
export function topDeclaration(line: string): string | undefined {
  const m = /^(?:export\s+)?(?:default\s+)?(?:async\s+)?(function\*?|class|const|let)\s+([A-Za-z_$][\w$]*)/.exec(line);
  if (!m || (m[1].startsWith('function') && /;\s*$/.test(line))) return undefined;
  return m[2];
}

/** The name a declaration line declares (`const x =`, `export function f(`, `class C`, Python's `def f(`), if it is one. */
export function declaredName(key: string): string | undefined {
  return DECLARED.exec(key)?.[1] ?? PY_DECLARED.exec(key)?.[1];
}

/** The name a Python `def` or `class` line declares. */
export const PY_DECLARED = /^(?:async\s+)?(?:def|class)\s+([A-Za-z_]\w*)\s*[(:]/;

/** The name a declaration line declares (`const x =`, `export function f(`, `class C`). */
const DECLARED = /^(?:export\s+)?(?:default\s+)?(?:declare\s+)?(?:async\s+)?(?:const|let|var|function\*?|class|interface|type|enum)\s+([A-Za-z_$][\w$]*)/;

/** Similarity for a changed line to be taken as the new version of an original line. */
const CHANGED_LINE_ANCHOR = 0.8;
/** Share of the shorter line that the common start and end must cover for an extended line (an argument added). */
const EXTENDED_LINE_SHARE = 0.9;

/**
 * The one piece line that is plainly a changed version of exactly one original line in [from, end):
 * by edit similarity, or by keeping all but a little of the shorter line at its start and end (a
 * line extended in the middle or at its end). Undefined when no line or more than one qualifies.
 */
export function changedLineAnchor(piece: readonly string[], orig: readonly string[], from: number): { piece: number; orig: number } | undefined {
  let best: { piece: number; orig: number; sim: number } | undefined;
  let tie = false;
  for (let i = 0; i < piece.length; i++) {
    const a = piece[i];
    if (isTrivial(a) || a.length < 10) continue;
    for (let j = from; j < orig.length; j++) {
      const b = orig[j];
      if (isTrivial(b)) continue;
      const sim = changedVersion(a, b);
      if (sim < CHANGED_LINE_ANCHOR) continue;
      if (!best || sim > best.sim + 1e-9) [best, tie] = [{ piece: i, orig: j, sim }, false];
      else if (Math.abs(sim - best.sim) <= 1e-9) tie = true;
    }
  }
  return best && !tie ? { piece: best.piece, orig: best.orig } : undefined;
}

/**
 * How plainly `a` is a changed version of `b` (keys): their edit similarity, or 0.9 when all but a
 * little of the shorter one is kept at the start and end of the longer (a line extended).
 */
function changedVersion(a: string, b: string): number {
  if (otherModule(a, b) || otherDeclaration(a, b)) return 0;
  if (sameNames(a, b)) return 0.9;
  if (Math.min(a.length, b.length) >= 8 && affixShare(a, b) >= EXTENDED_LINE_SHARE) return 0.9;
  if (Math.abs(a.length - b.length) > Math.max(a.length, b.length) / 2) return 0;
  return editSimilarity(a, b);
}

/** Keywords that change how a name is declared, not which: `doc!: Node` and `declare doc: Node` are one field. */
const MODIFIERS = new Set(['declare', 'readonly', 'public', 'private', 'protected', 'static', 'override', 'abstract', 'export', 'async', 'const', 'let', 'var']);

/** Two lines that name the same things in the same order (two at least), but for modifiers and punctuation. */
function sameNames(a: string, b: string): boolean {
  const names = (s: string): string => (s.match(/[A-Za-z_$][\w$]*/g) ?? []).filter(w => !MODIFIERS.has(w)).join(' ');
  const x = names(a);
  return x.includes(' ') && a !== b && x === names(b);
}

/** The module an import or re-export line names (its quoted path). */
const MODULE_OF = /^(?:import|export)\b.*\bfrom\s*(['"])(.*?)\1|^(?:import|export)\s*(['"])(.*?)\3|\brequire\((['"])(.*?)\5\)/;

/**
 * Two lines that import (or re-export) from different modules, by the last part of the path
 * (`querystring` and `node:querystring` are one module), or nothing in common from one, or a whole
 * import beside the first line of another: whatever else they share, one is not the other changed.
 */
function otherModule(a: string, b: string): boolean {
  const x = MODULE_OF.exec(a);
  const y = MODULE_OF.exec(b);
  // A whole import and the first line of one over several lines (`import type {`): two statements.
  if (!x !== !y) return /^(import|export)\b/.test(x ? b : a);
  if (!x || !y) return false;
  const name = (m: RegExpExecArray): string => (m[2] ?? m[4] ?? m[6]).split(/[/:\\]/).pop()!.replace(/\.[cm]?[jt]sx?$/, '');
  if (name(x) !== name(y)) return true;
  // From one module, two lines that import nothing in common (`{ createRetryer }`, `type { Retryer }`).
  const names = (line: string): string[] => (line.split(/\bfrom\b|\brequire\(/)[0].match(/[A-Za-z_$][\w$]*/g) ?? [])
    .filter(w => !['import', 'export', 'type', 'as', 'const', 'let', 'var', 'default'].includes(w));
  const [p, q] = [names(a), names(b)];
  return p.length > 0 && q.length > 0 && !p.some(w => q.includes(w));
}

/** An import statement whole on one line (it names its module and ends there). */
export const WHOLE_IMPORT = /^(import\b.*\bfrom\s*(['"])[^'"]*\2|import\s*(['"])[^'"]*\3|export\b.*\bfrom\s*(['"])[^'"]*\4|(const|let|var) .*= require\((['"])[^'"]*\6\)[^;]*);?$/;

/** Lines that import or include: never meant to be written twice. */
export const IMPORT_LINE = /^(import\b|export \{?[^=]*\bfrom\b|from \S+ import\b|#include\b|use [\w:]+|using [\w.]+;|(const|let|var) .*= require\()/;

/** Per piece line, the original lines it is a changed version of and the weight such a match earns. */
export type Versions = ReadonlyMap<number, ReadonlyMap<number, number>>;

/** Weight of a match between a line and its changed version, times their similarity: below a line kept as it is. */
const CHANGED_LINE_WEIGHT = 0.3;

/** Identifier-like words of three or more characters. */
export function wordsOf(key: string): ReadonlySet<string> {
  return new Set(key.match(/[A-Za-z_$][\w$]{2,}/g) ?? []);
}

/**
 * For each piece line found nowhere in the file, the original lines (from `from` on) it is plainly
 * a changed version of, with the weight such a match earns. Only lines sharing most of its words
 * are compared character by character.
 */
export function changedVersions(piece: readonly string[], orig: readonly string[], tokens: readonly ReadonlySet<string>[], from: number,
  counts: ReadonlyMap<string, number>): Versions {
  const out = new Map<number, Map<number, number>>();
  const index = linesByWord(tokens);
  for (let i = 0; i < piece.length; i++) {
    const a = piece[i];
    if (counts.has(a) || isTrivial(a) || a.length < 8) continue;
    const words = [...wordsOf(a)];
    if (words.length === 0) continue;
    // The lines sharing a word with it, and how many words each shares.
    const sharing = new Map<number, number>();
    for (const w of words) for (const j of index.get(w) ?? []) if (j >= from) sharing.set(j, (sharing.get(j) ?? 0) + 1);
    for (const j of [...sharing.keys()].sort((x, y) => x - y)) {
      const shared = sharing.get(j)!;
      if (shared * 2 < words.length || shared * 2 < tokens[j].size) continue;
      const sim = changedVersion(a, orig[j]);
      if (sim < CHANGED_LINE_ANCHOR) continue;
      let row = out.get(i);
      if (!row) out.set(i, (row = new Map()));
      row.set(j, CHANGED_LINE_WEIGHT * sim);
    }
  }
  return out;
}

/** The file's lines by the words they hold, once per file. */
const wordMemo = new WeakMap<readonly ReadonlySet<string>[], ReadonlyMap<string, readonly number[]>>();

function linesByWord(tokens: readonly ReadonlySet<string>[]): ReadonlyMap<string, readonly number[]> {
  let m = wordMemo.get(tokens) as Map<string, number[]> | undefined;
  if (!m) {
    m = new Map();
    tokens.forEach((t, j) => {
      for (const w of t) {
        const at = m!.get(w);
        if (at) at.push(j);
        else m!.set(w, [j]);
      }
    });
    wordMemo.set(tokens, m);
  }
  return m;
}

/**
 * Common start plus common end of two strings, as a share of the shorter; 0 when what the shorter
 * has between them holds a word (a name replaced, such as `a()` by `sum(xs)`, is not an extension).
 */
function affixShare(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let pre = 0;
  while (pre < n && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < n - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const shorter = a.length <= b.length ? a : b;
  if (/[A-Za-z0-9_$]/.test(shorter.slice(pre, shorter.length - suf))) return 0;
  return (pre + suf) / n;
}

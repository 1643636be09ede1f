/**
 * What a snippet's lines say about the code they stand for, beyond their text: the declarations
 * they open and the comments that belong to them, the imports a snippet moves, the names a line
 * declares or assigns, and whether new lines read as others rewritten.
 */
import { isTrivial, lineKey } from './align';
import { delta } from './brackets';
import { declaredName, PY_DECLARED, WHOLE_IMPORT, wordsOf } from './likeness';

/** A comment, doc comment or annotation line (`// x`, a doc comment's lines, `# x`, `@dec`, a `#__PURE__` annotation). */
export const COMMENT_LINE = /^(\/\/|\/\*|\*|#(\s|$)|@[A-Za-z_])/;

/**
 * The comment and annotation lines directly above each declaration of a name the file never
 * mentions, when the file lacks one of them at least: they are the new declaration's own, however
 * alike the file's (a `#__PURE__` annotation or the end of a doc comment above another function),
 * and never placed by.
 */
export function commentsOfNewDeclarations(pk: readonly string[], fileNames: ReadonlySet<string>, counts: ReadonlyMap<string, number>): number[] {
  const out: number[] = [];
  pk.forEach((k, i) => {
    const name = declaredName(k);
    if (name === undefined || fileNames.has(name)) return;
    let j = i;
    while (j > 0 && pk[j - 1] !== '' && COMMENT_LINE.test(pk[j - 1]) && declaredName(pk[j - 1]) === undefined) j--;
    // Comments the file has, all of them, may be the file's own, with the declaration new below them.
    if (pk.slice(j, i).some(c => !counts.has(c))) for (let c = j; c < i; c++) out.push(c);
  });
  return out;
}

/** A line of an import statement: a whole import, or the first or last line of one over several lines. */
const IMPORT_PART = /^(import\b|export\s.*\bfrom\s|\}\s*from\s*['"]|from \S+ import\b)/;

/**
 * The whole one-line imports of the snippet (its pieces' lines in order) that the file holds once
 * and that no reading of the snippet's import lines can leave where they are: imports sorted, or
 * moved among the imports. A reading keeps the heaviest set of import lines in the file's order, where a line of an import
 * over several lines (which cannot move as a whole line) outweighs any number of one-line imports;
 * an import every such reading leaves out has moved. Those are no anchors: written where the
 * snippet puts them, their old lines are taken out (a module imports the same thing once). Where readings
 * differ, the alignment decides as for any line.
 */
export function movedImports(pk: readonly string[], raw: readonly string[], uniqueAt: ReadonlyMap<string, number>): number[] {
  const imports = pk.map((k, i) => ({ i, at: uniqueAt.get(k), whole: WHOLE_IMPORT.test(k) && !/^\s/.test(raw[i]) }))
    .filter((x): x is { i: number; at: number; whole: boolean } => x.at !== undefined && IMPORT_PART.test(pk[x.i]));
  const n = imports.length;
  if (n < 2) return [];
  const weight = imports.map(x => (x.whole ? 1 : n + 1));
  // The heaviest chain in the file's order ending at each line, and starting at each line.
  const upTo = weight.slice();
  const from = weight.slice();
  for (let b = 0; b < n; b++) for (let a = 0; a < b; a++) if (imports[a].at < imports[b].at) upTo[b] = Math.max(upTo[b], upTo[a] + weight[b]);
  for (let a = n - 1; a >= 0; a--) for (let b = a + 1; b < n; b++) if (imports[a].at < imports[b].at) from[a] = Math.max(from[a], from[b] + weight[a]);
  const heaviest = Math.max(...upTo);
  return imports.filter((x, k) => x.whole && upTo[k] + from[k] - weight[k] < heaviest).map(x => x.i);
}

/**
 * The name of the function, class or method a line opens: `function f(`, `class C`, Python's
 * `def f(` and `class C:`, or, indented as in a class body, `  name(args) {`.
 */
export function blockName(line: string): { name: string; method: boolean } | undefined {
  const key = lineKey(line);
  const declared = /^(?:export\s+)?(?:default\s+)?(?:declare\s+)?(?:async\s+)?(?:function\*?|class)\s+([A-Za-z_$][\w$]*)/.exec(key)?.[1]
    ?? PY_DECLARED.exec(key)?.[1];
  if (declared) return { name: declared, method: false };
  if (!/^\s/.test(line)) return undefined;
  const method = /^(?:(?:static|async|get|set|public|private|protected|override)\s+)*(?!(?:if|for|while|switch|catch|function|return|with)\b)(#?[A-Za-z_$][\w$]*)\s*\([^)]*\)\s*(?::[^{=]*)?\{\s*$/.exec(key)?.[1];
  return method ? { name: method, method: true } : undefined;
}

/** What a line declares or assigns to: its declared name, or the target of `a.b.c = ` (not `==`). */
function targetOf(key: string): string | undefined {
  return declaredName(key) ?? /^((?:[A-Za-z_$][\w$]*\.)+[A-Za-z_$][\w$]*)\s*=(?!=)/.exec(key)?.[1];
}

/** Two lines that declare, or assign to, the same name. */
export function sameTarget(a: string, b: string): boolean {
  const t = targetOf(a);
  return t !== undefined && t === targetOf(b);
}

/** Share of each side's words the other side holds, for added lines to read as a rewrite of the lines they replace. */
const REWRITE_WORDS = 0.6;

/**
 * Whether `added` reads as `replaced` rewritten: lines of code or comment text all (no bracket or
 * blank line, which could be the file's own beside them), most of the words of each found in the other.
 */
export function rewrites(added: readonly string[], replaced: readonly string[]): boolean {
  if ([...added, ...replaced].some(isTrivial)) return false;
  const words = (lines: readonly string[]): Set<string> => new Set(lines.flatMap(l => [...wordsOf(l)]));
  const [a, r] = [words(added), words(replaced)];
  if (a.size === 0 || r.size === 0) return false;
  const share = (x: Set<string>, y: Set<string>): number => [...x].filter(w => y.has(w)).length / x.size;
  return share(a, r) >= REWRITE_WORDS && share(r, a) >= REWRITE_WORDS;
}

/**
 * The run of a piece's lines that declares names the file never mentions, whole (a new method, a
 * new function with the comments above it that the file lacks, several such declarations one
 * after another): lines `from` to `to`, inclusive, where every statement is such a declaration and
 * every bracket opened is closed. The lines around it are the code it goes between. Python (no
 * brackets to end a declaration by) has none.
 */
export function newDeclarations(lines: readonly string[], fileNames: ReadonlySet<string>, inFile: (key: string) => boolean, languageId: string): { from: number; to: number } | undefined {
  if (languageId === 'python') return undefined;
  const keys = lines.map(lineKey);
  const fresh = (i: number): boolean => {
    const name = blockName(lines[i])?.name ?? declaredName(keys[i]);
    return name !== undefined && !fileNames.has(name.replace(/^#/, ''));
  };
  const first = keys.findIndex((_, i) => fresh(i));
  if (first < 0) return undefined;
  let from = first;
  while (from > 0 && keys[from - 1] !== '' && COMMENT_LINE.test(keys[from - 1]) && !inFile(keys[from - 1])) from--;
  let depth = 0;
  let to = -1;
  for (let i = first; i < lines.length; i++) {
    const code = keys[i] !== '' && !COMMENT_LINE.test(keys[i]);
    if (depth === 0 && code && !fresh(i)) break;
    depth += delta(lines[i], languageId);
    // A bracket closed that the run did not open: the run is inside a block of the code around it.
    if (depth < 0) return undefined;
    if (depth === 0 && code) to = i;
  }
  return to < first ? undefined : { from, to };
}

/**
 * Property: random edits of real files (this repository's own TypeScript and Python), each turned
 * into snippets the way assistants write them (changed lines with 1-3 lines of context, markers in
 * several spellings, edge markers dropped or kept, as written or pasted at the margin). Applying
 * a snippet gives back exactly the edited file, or reports an unplaced piece: never a wrong merge.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { structuredPatch } from 'diff';
import { applySnippet } from '../../src/core/apply';
import { Rng } from '../../src/core/rng';
import { ROOT } from './helpers/model';

const MARKERS = ['// ... existing code ...', '// ...', '// ... rest of the code ...', '/* ... existing code here ... */', '// (unchanged)'];

function sourceFiles(): string[] {
  const dirs = ['src/core', 'src/engine', 'src/vscode', 'src/cli', 'src/model', 'src/syntax'];
  return dirs.flatMap(d => fs.readdirSync(path.join(ROOT, d)).filter(f => f.endsWith('.ts')).map(f => path.join(ROOT, d, f)))
    .filter(f => fs.readFileSync(f, 'utf8').split('\n').length >= 40).sort();
}

/** One to three random edits: a changed line, new lines, a deleted line. */
function randomEdit(lines: string[], rand: () => number): string[] {
  const out = [...lines];
  const edits = 1 + Math.floor(rand() * 3);
  for (let e = 0; e < edits; e++) {
    const candidates = out.map((_, i) => i).filter(i => /[A-Za-z]{3}/.test(out[i]) && !/^\s*(\/\/|\*|\/\*)/.test(out[i]));
    const at = candidates[Math.floor(rand() * candidates.length)];
    const ws = /^\s*/.exec(out[at])![0];
    const kind = rand();
    if (kind < 0.45) out[at] = `${out[at].replace(/;\s*$/, '')} /* edited ${e} */${out[at].trimEnd().endsWith(';') ? ';' : ''}`;
    else if (kind < 0.8) out.splice(at + 1, 0, `${ws}const added${e}_${at} = ${at} + ${e}; // new`);
    else if (kind < 0.9 && !/[{}()[\]]/.test(out[at])) out.splice(at, 1);
    // A statement wrapped in a new block: the one line moves in, the brackets around it are new.
    else if (kind >= 0.9 && /;\s*$/.test(out[at]) && !/[{}]/.test(out[at])) out.splice(at, 1, `${ws}if (flag${e}) {`, `${ws}  ${out[at].trim()}`, `${ws}}`);
  }
  return out;
}

/**
 * Snippet of `after` with `context` lines around each hunk of the diff, markers between; undefined
 * when a hunk's code starts or ends with a blank line: beside a marker, a blank line cannot tell
 * whether the lines next to it were deleted, so no snippet of that shape says what changed.
 */
function contextSnippet(before: string, after: string, context: number, marker: string, edges: boolean): string | undefined {
  const afterLines = after.split('\n');
  const beforeLines = before.split('\n');
  const hunks = structuredPatch('a', 'b', before, after, undefined, undefined, { context }).hunks;
  // Lines deleted at the very start or end of the file cannot be said by a snippet: without an edge
  // marker the rest of the file stays, so its first (or last) line just follows (precedes) them.
  const first = hunks[0];
  const lastHunk = hunks[hunks.length - 1];
  if (first && first.oldStart === 1 && first.lines[0]?.startsWith('-')) return undefined;
  if (lastHunk && lastHunk.oldStart + lastHunk.oldLines - 1 >= beforeLines.length - 1 && lastHunk.lines.filter(l => !l.startsWith('\\')).at(-1)?.startsWith('-')) return undefined;
  const parts: string[] = [];
  let last = 0;
  for (const h of hunks) {
    const start = h.newStart - 1;
    const end = start + h.newLines;
    if (start > last || (parts.length === 0 && start > 0)) parts.push(marker);
    const piece = afterLines.slice(start, end);
    if (piece.length === 0 || piece[0].trim() === '' || piece[piece.length - 1].trim() === '') return undefined;
    parts.push(...piece);
    last = end;
  }
  if (last < afterLines.length - 1) parts.push(marker);
  if (!edges) {
    if (parts[0] === marker) parts.shift();
    if (parts[parts.length - 1] === marker) parts.pop();
  }
  return `${parts.join('\n')}\n`;
}

/** The snippet with every line's indentation cut by the least indentation of its code lines. */
function dedent(snippet: string): string {
  const lines = snippet.split('\n');
  const least = Math.min(...lines.filter(l => l.trim() !== '').map(l => /^ */.exec(l)![0].length));
  return lines.map(l => l.slice(Math.min(least, /^ */.exec(l)![0].length))).join('\n');
}

/** Outcomes of applying snippets: exact, honestly unplaced, or wrong (named by `label`). */
class Outcomes {
  exact = 0;
  unplaced = 0;
  readonly wrong: string[] = [];

  /** Applies `snippet` to `before` and counts whether it gave `after`. */
  apply(before: string, snippet: string, after: string, label: string): void {
    const r = applySnippet(before, snippet, { languageId: 'typescript' });
    if (r.unplaced.length) this.unplaced++;
    else if (r.text === after) this.exact++;
    else this.wrong.push(label);
  }

  get total(): number {
    return this.exact + this.unplaced + this.wrong.length;
  }

  /** Logs the counts under `name`; no wrong merge, and at least `share` of them exact. */
  check(name: string, share: number): void {
    console.log(`${name}: ${this.total} snippets, ${this.exact} exact, ${this.unplaced} unplaced, ${this.wrong.length} wrong`);
    assert.deepEqual(this.wrong, [], 'no wrong merge');
    assert.ok(this.exact >= share * this.total, `most snippets apply exactly (${this.exact} of ${this.total})`);
  }
}

test('random edits of real files, applied from their snippets (as written and pasted at the margin): exact, or honestly unplaced, never wrong', () => {
  const rng = new Rng(20261206);
  const rand = (): number => rng.next();
  const outcomes = new Outcomes();
  for (const file of sourceFiles()) {
    const before = fs.readFileSync(file, 'utf8');
    for (let trial = 0; trial < 3; trial++) {
      const after = randomEdit(before.split('\n'), rand).join('\n');
      if (after === before) continue;
      for (const context of [1, 2, 3]) {
        const marker = MARKERS[Math.floor(rand() * MARKERS.length)];
        const snippet = contextSnippet(before, after, context, marker, rand() < 0.5);
        if (!snippet) continue;
        // As written, and pasted at the margin (every line shallower by the snippet's least indentation).
        for (const shown of [snippet, dedent(snippet)]) {
          outcomes.apply(before, shown, after, `${path.relative(ROOT, file)} trial ${trial} context ${context}${shown === snippet ? '' : ' dedented'}`);
        }
      }
    }
  }
  outcomes.check('apply property', 0.9);
});

// A renamed function or method (its first line changed, its body kept), shown with 1-3 lines of context or whole
// between markers: the old declaration is replaced, or the piece refused, never kept beside the new one.
test('renamed functions and methods, applied from their snippets: exact, or honestly unplaced, never wrong', () => {
  const outcomes = new Outcomes();
  for (const file of sourceFiles()) {
    const before = fs.readFileSync(file, 'utf8');
    const lines = before.split('\n');
    let renamed = 0;
    lines.forEach((line, i) => {
      // A function, or a method in a class body.
      const m = /^(\s*)(?:export\s+)?(?:async\s+)?function\*?\s+(\w+)\s*[(<]/.exec(line)
        ?? /^(\s+)(?:(?:async|static|private|public|protected)\s+)*(?!(?:if|for|while|switch|catch|return|function)\b)([A-Za-z_$][\w$]*)\([^)]*\)(?:: [^{=]*)? \{$/.exec(line);
      if (!m || renamed >= 6) return;
      renamed++;
      const afterLines = lines.slice();
      afterLines[i] = line.replace(m[2], `${m[2]}Renamed`);
      const after = afterLines.join('\n');
      let end = i + 1;
      while (end < lines.length && !lines[end].startsWith(`${m[1]}}`)) end++;
      const snippets = [1, 2, 3].map(context => contextSnippet(before, after, context, MARKERS[context], true));
      if (end < lines.length) snippets.push(`${[MARKERS[0], ...afterLines.slice(i, end + 1), MARKERS[0]].join('\n')}\n`);
      for (const snippet of snippets) {
        if (snippet) outcomes.apply(before, snippet, after, `${path.relative(ROOT, file)}:${i + 1} ${m[2]}`);
      }
    });
  }
  outcomes.check('apply property, renames', 0.8);
});

// A new method inserted between two methods, its body a copy of the next method's (a variant of
// it, the commonest way such a method is written), shown with 1-3 lines of context: it goes in
// between, both neighbours kept, or the piece is refused; its body never takes the neighbour's place.
test('new methods that copy the next method\'s body, applied from their snippets: exact, or honestly unplaced, never wrong', () => {
  const outcomes = new Outcomes();
  const METHOD = /^ {2}(?:(?:private|public|static|async|readonly)\s+)*(?!(?:if|for|while|switch|catch)\b)([A-Za-z_]\w*)\s*\([^)]*\)\s*(?::[^{=]*)?\{\s*$/;
  for (const file of sourceFiles()) {
    const before = fs.readFileSync(file, 'utf8');
    const lines = before.split('\n');
    const methods: { start: number; end: number; name: string }[] = [];
    lines.forEach((line, i) => {
      const m = METHOD.exec(line);
      if (!m) return;
      let end = i + 1;
      while (end < lines.length && !lines[end].startsWith('  }')) end++;
      if (end < lines.length && end - i <= 25) methods.push({ start: i, end, name: m[1] });
    });
    for (let k = 0; k + 1 < methods.length; k++) {
      const [a, b] = [methods[k], methods[k + 1]];
      const gap = b.start === a.end + 2 && lines[a.end + 1].trim() === '' ? [''] : b.start === a.end + 1 ? [] : undefined;
      if (!gap) continue;
      const copy = lines.slice(b.start, b.end + 1);
      copy[0] = copy[0].replace(b.name, `${b.name}Variant`);
      if (copy.length > 2) copy[1] = `${copy[1]} // variant`;
      const after = [...lines.slice(0, a.end + 1), ...gap, ...copy, ...lines.slice(a.end + 1)].join('\n');
      for (const context of [1, 3]) {
        const snippet = contextSnippet(before, after, context, MARKERS[context], true);
        if (snippet) outcomes.apply(before, snippet, after, `${path.relative(ROOT, file)}:${b.start + 1} ${b.name} (context ${context})`);
      }
    }
  }
  assert.ok(outcomes.total > 50, `enough methods side by side (${outcomes.total})`);
  outcomes.check('apply property, new methods like their neighbour', 0.8);
});

/**
 * Parsing a document and presenting the tree through core's SyntaxNode interface. Adapted nodes
 * read the web-tree-sitter tree lazily, so they are valid only inside `withTree`'s callback.
 */
import type { Edit, Language, Node, Point, Query, Tree } from 'web-tree-sitter';
import type { AnchorRole, AnchorRoles, SyntaxNode } from '../core/syntaxTree';
import { grammarFor, type GrammarInfo } from './languages';
import { loadLanguage, loadQuery, newParser } from './loader';

class TreeSitterNode implements SyntaxNode {
  private kids: SyntaxNode[] | undefined;

  constructor(private readonly node: Node) {}

  get id(): number { return this.node.id; }
  get type(): string { return this.node.type; }
  // web-tree-sitter reports indices of JS strings in UTF-16 code units, like VS Code offsets.
  get start(): number { return this.node.startIndex; }
  get end(): number { return this.node.endIndex; }
  get isNamed(): boolean { return this.node.isNamed; }
  get isExtra(): boolean { return this.node.isExtra; }
  get isMissing(): boolean { return this.node.isMissing; }
  get hasError(): boolean { return this.node.hasError; }

  get children(): readonly SyntaxNode[] {
    this.kids ??= this.node.children.filter((c): c is Node => c !== null).map(c => new TreeSitterNode(c));
    return this.kids;
  }
}

export function adaptNode(node: Node): SyntaxNode {
  return new TreeSitterNode(node);
}

/** The grammar's language, or undefined when its wasm cannot be found or loaded. */
export async function tryLoadLanguage(grammar: GrammarInfo): Promise<Language | undefined> {
  try {
    return await loadLanguage(grammar);
  } catch {
    return undefined;
  }
}

/**
 * Parses `text` and runs `fn` on the adapted root, awaiting it before the tree is released;
 * nothing of the tree may escape `fn`. Recent trees are kept (`TreeCache`): the same text again is
 * not parsed again, and a text that differs from a recent one in one span (an edit's document with a
 * fill in it) is parsed incrementally from it.
 */
export async function withTree<T>(text: string, language: Language, fn: (root: SyntaxNode, tree: Tree) => T | Promise<T>): Promise<T> {
  const entry = trees.acquire(text, language);
  try {
    return await fn(adaptNode(entry.tree.rootNode), entry.tree);
  } finally {
    trees.release(entry);
  }
}

interface CachedTree {
  readonly text: string;
  readonly language: Language;
  readonly tree: Tree;
  /** Callbacks of `withTree` running on it: an evicted tree is deleted when the last one returns. */
  users: number;
  evicted: boolean;
}

/**
 * The last few parsed trees, most recent last. An edit parses one document many times over: the
 * original for every check, and the original with each candidate fill in it. Parsing a
 * 1,000-line file takes tens of milliseconds; re-parsing it after a change of a few lines, with the
 * old tree edited to match (tree-sitter's incremental parsing), takes a fraction of that and gives
 * the same tree.
 */
class TreeCache {
  private entries: CachedTree[] = [];

  constructor(private readonly maxTrees: number, private readonly maxChars: number) {}

  acquire(text: string, language: Language): CachedTree {
    const hit = this.entries.findIndex((e) => e.language === language && e.text === text);
    if (hit >= 0) {
      const [entry] = this.entries.splice(hit, 1);
      this.entries.push(entry!);
      entry!.users++;
      return entry!;
    }
    const entry: CachedTree = { text, language, tree: this.parse(text, language), users: 1, evicted: false };
    this.entries.push(entry);
    let chars = this.entries.reduce((n, e) => n + e.text.length, 0);
    while (this.entries.length > 1 && (this.entries.length > this.maxTrees || chars > this.maxChars)) {
      const old = this.entries.shift()!;
      chars -= old.text.length;
      old.evicted = true;
      if (old.users === 0) old.tree.delete();
    }
    return entry;
  }

  release(entry: CachedTree): void {
    entry.users--;
    if (entry.evicted && entry.users === 0) entry.tree.delete();
  }

  /** A fresh tree of `text`: incrementally from the recent tree of the same language it differs from least. */
  private parse(text: string, language: Language): Tree {
    const parser = newParser(language);
    let base: Tree | undefined;
    try {
      let best: { entry: CachedTree; change: TextChange } | undefined;
      for (const e of this.entries) {
        if (e.language !== language) continue;
        const change = textChange(e.text, text);
        if (!best || change.changed < best.change.changed) best = { entry: e, change };
      }
      // Worth it when most of the text is kept; otherwise a fresh parse is as quick.
      if (best && best.change.changed < text.length / 2) {
        base = best.entry.tree.copy();
        base.edit(best.change.edit);
      }
      const tree = parser.parse(text, base ?? null);
      if (!tree) throw new Error('tree-sitter returned no tree');
      return tree;
    } finally {
      base?.delete();
      parser.delete();
    }
  }
}

const trees = new TreeCache(6, 8_000_000);

interface TextChange {
  readonly edit: Edit;
  /** Characters of the new text outside the common start and end. */
  readonly changed: number;
}

/** The one span in which `after` differs from `before`: their common start and end kept. */
export function textChange(before: string, after: string): TextChange {
  const most = Math.min(before.length, after.length);
  let head = 0;
  while (head < most && before.charCodeAt(head) === after.charCodeAt(head)) head++;
  let tail = 0;
  while (tail < most - head && before.charCodeAt(before.length - 1 - tail) === after.charCodeAt(after.length - 1 - tail)) tail++;
  const oldEnd = before.length - tail;
  const newEnd = after.length - tail;
  return {
    edit: {
      startIndex: head, oldEndIndex: oldEnd, newEndIndex: newEnd,
      startPosition: pointAt(before, head), oldEndPosition: pointAt(before, oldEnd), newEndPosition: pointAt(after, newEnd),
    },
    changed: newEnd - head + (oldEnd - head),
  };
}

/** Row and column (UTF-16 code units, as web-tree-sitter counts them for JS strings) of `offset`. */
function pointAt(text: string, offset: number): Point {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: offset - lineStart };
}

const ROLE_OF_CAPTURE: Readonly<Record<string, AnchorRole>> = {
  anchor: 'anchor',
  'anchor.wrap': 'wrap',
  'anchor.leading': 'leading',
};

/** The anchor roles of the nodes of `tree` (from the grammar's anchors.scm). */
export function anchorRoles(query: Query, tree: Tree): AnchorRoles {
  const roles = new Map<number, AnchorRole>();
  for (const capture of query.captures(tree.rootNode)) {
    const role = ROLE_OF_CAPTURE[capture.name];
    // A node captured both as an anchor and as a wrapper is a wrapper.
    if (role && roles.get(capture.node.id) !== 'wrap') roles.set(capture.node.id, role);
  }
  return roles;
}

export function loadAnchorQuery(grammar: GrammarInfo): Promise<Query> {
  return loadQuery(grammar, 'anchors');
}

/**
 * Loads the parser runtime, the language's grammar and its anchor query ahead of the first fill
 * (they take a tenth of a second and more on a busy machine), and parses `text` when given, so the
 * fill finds its tree made; nothing for a language without a grammar, and a failure stays for the
 * fill to report.
 */
export async function preloadSyntax(languageId: string, text?: string): Promise<void> {
  const grammar = grammarFor(languageId);
  const language = grammar && await tryLoadLanguage(grammar);
  if (!grammar || !language) return;
  await loadAnchorQuery(grammar).catch(() => undefined);
  if (text !== undefined) await withTree(text, language, () => undefined);
}

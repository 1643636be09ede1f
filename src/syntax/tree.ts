/**
 * Parsing a document and presenting the tree through core's SyntaxNode interface. Adapted nodes
 * read the web-tree-sitter tree lazily, so they are valid only inside `withTree`'s callback; the
 * tree and the parser are deleted when it returns.
 */
import type { Language, Node, Query, Tree } from 'web-tree-sitter';
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
 * Parses `text` and runs `fn` on the adapted root, awaiting it before the tree is deleted;
 * nothing of the tree may escape `fn`.
 */
export async function withTree<T>(text: string, language: Language, fn: (root: SyntaxNode, tree: Tree) => T | Promise<T>): Promise<T> {
  const parser = newParser(language);
  let tree: Tree | null = null;
  try {
    tree = parser.parse(text);
    if (!tree) throw new Error('tree-sitter returned no tree');
    return await fn(adaptNode(tree.rootNode), tree);
  } finally {
    tree?.delete();
    parser.delete();
  }
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
 * (they take a tenth of a second and more on a busy machine); nothing for a language without a
 * grammar, and a failure stays for the fill to report.
 */
export async function preloadSyntax(languageId: string): Promise<void> {
  const grammar = grammarFor(languageId);
  if (!grammar || !(await tryLoadLanguage(grammar))) return;
  await loadAnchorQuery(grammar).catch(() => undefined);
}

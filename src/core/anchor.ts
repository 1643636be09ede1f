/**
 * Anchoring decisions: widen a selection to the units an edit should replace. Pure; the syntax
 * tree and the roles of its nodes (from the language's anchors.scm query) are passed in.
 *
 * Syntax anchoring, for a selection:
 *   1. trim whitespace off the selection;
 *   2. A = the smallest anchor containing it (the root stands in when none does);
 *   3. C = the anchors directly inside A (nearest anchor ancestor is A) that the selection touches;
 *   4. if C is empty, the result is A (or the comments selected, when that is all); if the
 *      selection also covers A's own text outside C (a header, a closing brace), A; otherwise
 *      the run from C's first to C's last node, plus any comments, separators and leading
 *      attributes the selection touches around it;
 *   5. a single node inside a wrapper (export, decorated definition) becomes the wrapper; leading
 *      attribute siblings and a trailing `;` are taken along.
 * An empty selection (a cursor) anchors to the smallest anchor on the cursor's line content.
 */
import type { OffsetRange } from './types';
import type { AnchorRoles, SyntaxNode } from './syntaxTree';
import { pathTo } from './syntaxTree';
import { lineEndAt, lineStartAt } from './indent';

export type AnchoringMode = 'syntax' | 'lines' | 'exact';

export interface SyntaxAnchor {
  readonly range: OffsetRange;
  /** Types of the outermost nodes the range consists of, in order (for logs and tests). */
  readonly nodeTypes: readonly string[];
}

const isSpace = (ch: string | undefined): boolean => ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r';

/** Whole lines: from the first line's start through the last line's line break. */
export function anchorLines(text: string, range: OffsetRange): OffsetRange {
  const start = lineStartAt(text, range.start);
  // A selection that ends at column 0 (a full-line selection) does not take that next line.
  const lastChar = range.end > range.start && text[range.end - 1] === '\n' ? range.end - 1 : range.end;
  const endLine = lineEndAt(text, Math.max(lastChar, start));
  return { start, end: Math.min(text.length, endLine + 1) };
}

export function trimRange(text: string, range: OffsetRange): OffsetRange {
  let { start, end } = range;
  while (start < end && isSpace(text[start])) start++;
  while (end > start && isSpace(text[end - 1])) end--;
  return { start, end };
}

/**
 * Syntax anchoring (see the file comment). Returns undefined when no anchor applies (a cursor on a
 * blank top-level line, a selection of top-level comments only); callers then anchor to lines.
 */
export function anchorSyntax(text: string, root: SyntaxNode, roles: AnchorRoles, range: OffsetRange): SyntaxAnchor | undefined {
  const ctx = new Context(text, root, roles);
  const sel = trimRange(text, range);
  return sel.start === sel.end ? ctx.atCursor(range.start) : ctx.forSelection(sel);
}

class Context {
  constructor(
    private readonly text: string,
    private readonly root: SyntaxNode,
    private readonly roles: AnchorRoles,
  ) {}

  isAnchor(node: SyntaxNode, parent: SyntaxNode | undefined): boolean {
    const role = this.roles.get(node.id);
    if (role === 'anchor' || role === 'wrap') return true;
    // Top-level items are units even where the query does not name them.
    return role === undefined && parent === this.root && node.isNamed && !node.isExtra && node.type !== 'ERROR';
  }

  atCursor(offset: number): SyntaxAnchor | undefined {
    const probe = this.cursorProbe(offset);
    if (probe === undefined) return this.finish(this.deepestAnchor(offset, offset));
    let path = pathTo(this.root, probe, probe + 1);
    // On an attribute line, the unit is the item the attribute belongs to.
    const leading = path.find(n => this.roles.get(n.id) === 'leading');
    if (leading) {
      const parent = path[path.indexOf(leading) - 1]!;
      const next = parent.children.find(c => c.start >= leading.end && c.isNamed && !c.isExtra && this.roles.get(c.id) !== 'leading');
      if (next) path = pathTo(this.root, next.start, next.end);
    }
    return this.finish(this.lastAnchor(path));
  }

  forSelection(sel: OffsetRange): SyntaxAnchor | undefined {
    const path = pathTo(this.root, sel.start, sel.end);
    const outer = this.lastAnchor(path) ?? this.root;
    const inner = this.anchorsInside(outer, sel);
    if (inner.length === 0) {
      // Only comments selected: those comments, not the function around them.
      const loose = this.looseSpans(outer, sel);
      if (loose && loose.length > 0) {
        return { range: { start: loose[0]!.start, end: loose[loose.length - 1]!.end }, nodeTypes: loose.map(n => n.type) };
      }
      return outer === this.root ? undefined : this.finish(outer);
    }
    const first = inner[0]!;
    const last = inner[inner.length - 1]!;
    let start = first.start;
    let end = last.end;
    for (const excess of [{ start: sel.start, end: first.start }, { start: last.end, end: sel.end }]) {
      if (excess.start >= excess.end) continue;
      const spans = this.looseSpans(outer, excess);
      if (spans === undefined) {
        if (outer !== this.root) return this.finish(outer);
        continue;
      }
      for (const s of spans) {
        start = Math.min(start, s.start);
        end = Math.max(end, s.end);
      }
    }
    if (inner.length === 1 && start === first.start && end === first.end) return this.finish(first);
    return this.extend({ start, end }, inner.map(n => n.type));
  }

  /** The offset whose enclosing anchor a cursor means: the line's content, not its margins. */
  private cursorProbe(offset: number): number | undefined {
    const lineStart = lineStartAt(this.text, offset);
    const lineEnd = lineEndAt(this.text, offset);
    const { start, end } = trimRange(this.text, { start: lineStart, end: lineEnd });
    if (start === end) return undefined;
    return Math.min(Math.max(offset, start), end - 1);
  }

  private deepestAnchor(start: number, end: number): SyntaxNode | undefined {
    return this.lastAnchor(pathTo(this.root, start, end));
  }

  private lastAnchor(path: readonly SyntaxNode[]): SyntaxNode | undefined {
    for (let i = path.length - 1; i > 0; i--) {
      if (this.isAnchor(path[i]!, path[i - 1])) return path[i];
    }
    return undefined;
  }

  /** Anchors whose nearest anchor ancestor is `outer` and that overlap `sel`, in order. */
  private anchorsInside(outer: SyntaxNode, sel: OffsetRange): SyntaxNode[] {
    const found: SyntaxNode[] = [];
    const visit = (node: SyntaxNode): void => {
      for (const child of node.children) {
        if (child.end <= sel.start || child.start >= sel.end) continue;
        if (this.isAnchor(child, node)) found.push(child);
        else visit(child);
      }
    };
    visit(outer);
    return found;
  }

  /**
   * The pieces of `outer` inside `excess` that may ride along with a run of anchors — comments,
   * separators, attributes — or undefined when `excess` holds other code of `outer`.
   */
  private looseSpans(outer: SyntaxNode, excess: OffsetRange): SyntaxNode[] | undefined {
    const spans: SyntaxNode[] = [];
    let blocked = false;
    const visit = (node: SyntaxNode): void => {
      for (const child of node.children) {
        if (blocked || child.end <= excess.start || child.start >= excess.end) continue;
        const loose = child.isExtra || this.roles.get(child.id) === 'leading' || (!child.isNamed && (child.type === ';' || child.type === ','));
        if (loose) spans.push(child);
        else if (child.children.length === 0) blocked = true;
        else visit(child);
      }
    };
    visit(outer);
    return blocked ? undefined : spans;
  }

  /** A single anchor, grown to its wrappers, its leading attributes and its `;`. */
  private finish(node: SyntaxNode | undefined): SyntaxAnchor | undefined {
    if (!node) return undefined;
    const chain = this.ancestors(node);
    while (chain.length > 1 && this.roles.get(chain[chain.length - 1]!.id) === 'wrap') {
      node = chain.pop()!;
    }
    return this.extend({ start: node.start, end: node.end }, [node.type]);
  }

  private extend(range: OffsetRange, nodeTypes: string[]): SyntaxAnchor {
    const end = range.end;
    let start = range.start;
    const path = pathTo(this.root, start, Math.min(start + 1, end));
    const k = path.findIndex((n, idx) => idx > 0 && n.start === start);
    if (k > 0) {
      const siblings = path[k - 1]!.children;
      let i = siblings.indexOf(path[k]!);
      while (i > 0 && this.roles.get(siblings[i - 1]!.id) === 'leading' && /^\s*$/.test(this.text.slice(siblings[i - 1]!.end, start))) {
        start = siblings[--i]!.start;
      }
    }
    const semi = this.trailingSemicolon(end);
    return { range: { start, end: semi ?? end }, nodeTypes };
  }

  /**
   * The end of a `;` that terminates the unit ending at `end` as a separate token of a container
   * (a class body field, a C struct at top level) — not one that belongs to a statement around it.
   */
  private trailingSemicolon(end: number): number | undefined {
    const m = /^[ \t]*;/.exec(this.text.slice(end, end + 80));
    if (!m) return undefined;
    const semi = end + m[0].length - 1;
    const path = pathTo(this.root, semi, semi + 1);
    const token = path[path.length - 1]!;
    const parent = path[path.length - 2];
    if (!parent || token.isNamed || token.type !== ';') return undefined;
    const grand = path[path.length - 3];
    if (this.isAnchor(parent, grand)) return undefined;
    const unit = parent.children.find(c => c.end === end);
    return unit && this.isAnchor(unit, parent) ? semi + 1 : undefined;
  }

  /** The ancestors of `node`, root first, `node` excluded. */
  private ancestors(node: SyntaxNode): SyntaxNode[] {
    const chain: SyntaxNode[] = [];
    let at = this.root;
    while (at.id !== node.id) {
      chain.push(at);
      const next = at.children.find(c => c.id === node.id) ?? at.children.find(c => c.start <= node.start && node.end <= c.end && c.end > c.start);
      if (!next) break;
      at = next;
    }
    return chain;
  }
}

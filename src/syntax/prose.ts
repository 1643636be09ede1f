/**
 * `proseRanges`: the comments and string literals that overlap a range of a document. Repair does
 * not rename inside them: what looks like a misspelt name there is usually prose or data.
 */
import type { OffsetRange } from '../core/types';
import type { SyntaxNode } from '../core/syntaxTree';
import { grammarFor } from './languages';
import { tryLoadLanguage, withTree } from './tree';

const PROSE = /comment|string|char_literal|character_literal|heredoc|template_literal/;

export async function proseRanges(text: string, languageId: string, range: OffsetRange): Promise<OffsetRange[] | undefined> {
  const grammar = grammarFor(languageId);
  const language = grammar && await tryLoadLanguage(grammar);
  if (!language) return undefined;
  return withTree(text, language, (root) => {
    const out: OffsetRange[] = [];
    const visit = (n: SyntaxNode) => {
      if (n.end <= range.start || n.start >= range.end) return;
      if (PROSE.test(n.type)) {
        out.push({ start: n.start, end: n.end });
        return;
      }
      for (const c of n.children) visit(c);
    };
    visit(root);
    return out;
  });
}

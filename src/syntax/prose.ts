/**
 * `proseRanges`: the comments and string literals that overlap a range of a document. Repair does
 * not rename inside them: what looks like a misspelt name there is usually prose or data. The code
 * a string holds is not prose: a template literal's `${...}` (JavaScript, TypeScript) and an
 * f-string's `{...}` (Python) are left out of its range, and their own strings and comments are
 * found in turn.
 */
import type { OffsetRange } from '../core/types';
import type { SyntaxNode } from '../core/syntaxTree';
import { grammarFor } from './languages';
import { tryLoadLanguage, withTree } from './tree';

const PROSE = /comment|string|char_literal|character_literal|heredoc|template_literal/;
/** The code inside a string: `template_substitution` (JavaScript), `interpolation` (Python). */
const CODE_IN_PROSE = /substitution|interpolation/;

export async function proseRanges(text: string, languageId: string, range: OffsetRange): Promise<OffsetRange[] | undefined> {
  const grammar = grammarFor(languageId);
  const language = grammar && await tryLoadLanguage(grammar);
  if (!language) return undefined;
  return withTree(text, language, (root) => {
    const out: OffsetRange[] = [];
    const visit = (n: SyntaxNode) => {
      if (n.end <= range.start || n.start >= range.end) return;
      if (PROSE.test(n.type)) {
        // The string's text around the code it holds.
        let at = n.start;
        for (const c of n.children) {
          if (!CODE_IN_PROSE.test(c.type)) continue;
          if (c.start > at) out.push({ start: at, end: c.start });
          visit(c);
          at = c.end;
        }
        if (n.end > at) out.push({ start: at, end: n.end });
        return;
      }
      for (const c of n.children) visit(c);
    };
    visit(root);
    return out;
  });
}

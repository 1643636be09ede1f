/**
 * Applying a chat assistant's edit snippet (the changed code, with `// ... existing code ...`
 * markers for what stays) to the original file, by alignment alone: every piece is placed by the
 * lines it shares with the original, in order; original lines between two placed lines that the
 * piece leaves out are deleted (adjacency without a marker); lines it adds are written in the
 * file's own indentation. A piece that matches nothing, or fits two places equally well, is
 * reported unplaced: never dropped or guessed.
 */
import { columns, detectIndentStyle, leadingWhitespace, type IndentStyle } from '../indent';
import { alignPiece, BARE_KEYWORDS, isTrivial, lineKey, lineWeight, type Alignment } from './align';
import { balanced, collapsesBlock, bracketsOf, closersOfNewBlocks, delta, ownClosers, type Brackets } from './brackets';
import { changedLineAnchor, changedVersions, declaredName, IMPORT_LINE, similar, topDeclaration, WHOLE_IMPORT, wordsOf, type Versions } from './likeness';
import { blockName, COMMENT_LINE, commentsOfNewDeclarations, movedImports, newDeclarations, rewrites, sameTarget } from './declarations';
import { splitSnippet, stripFence, type SnippetPiece } from './snippet';
import type { ApplyOptions, ApplyResult, Placement, UnplacedPiece } from './types';

export type { ApplyOptions, ApplyResult, Placement, UnplacedPiece } from './types';
export { isMarkerLine, splitSnippet, stripFence } from './snippet';

/**
 * Evidence (about one telling line) by which a piece's place must beat its best other place; less,
 * and the piece is refused as ambiguous rather than placed on a coin's toss.
 */
const AMBIGUOUS_MARGIN = 1;
/** How far (lines) above where a piece goes its unmatched bracket-only first line is looked for in the file. */
const EDGE_LINE_REACH = 4;
/** Share of the file's telling lines a marker-less snippet must match, from the top, to be the whole file. */
const WHOLE_FILE_SHARE = 0.6;
/** How far (lines) a piece's edge may reach past its matched lines to take in a block's opener or closer. */
const EDGE_REACH = 400;
/** New code at the top or end is refused when one of its lines is this alike to a line there (a changed line, not a new one). */
const CHANGED_LINE_SIMILARITY = 0.8;
/** Lines at the top (or end) of the file that new code put there must not resemble. */
const EDGE_LOOK = 50;
interface Placed {
  readonly piece: SnippetPiece;
  readonly pairs: readonly (readonly [number, number])[];
  /** Original lines [start, end) the piece replaces. */
  start: number;
  end: number;
  /** Original lines matched as changed versions (the piece's text replaces them). */
  readonly changed?: ReadonlySet<number>;
  readonly anchors?: number;
  readonly margin?: number;
}

export function applySnippet(original: string, snippet: string, opts: ApplyOptions = {}): ApplyResult {
  const eol = /\r\n/.test(original) && (original.match(/\r\n/g)!.length * 2 >= (original.match(/\n/g) ?? []).length) ? '\r\n' : '\n';
  const finalNewline = /\n$/.test(original);
  const origLines = original.replace(/\r\n/g, '\n').split('\n');
  if (finalNewline) origLines.pop();
  const { code, lineOffset } = stripFence(snippet);
  const parsed = splitSnippet(code, lineOffset);
  const join = (lines: readonly string[]): string => lines.join(eol) + (finalNewline && lines.length ? eol : '');
  const empty = (reason: string): ApplyResult => ({ text: original, unplaced: [{ snippetLines: [1, Math.max(1, code.split('\n').length)], reason }], pieces: 0, wholeFile: false, modelCalls: 0 });
  if (parsed.pieces.length === 0) return empty('the snippet holds no code, only markers or blank lines');

  const keys = origLines.map(lineKey);
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  const weightOf = (k: string): number => lineWeight(k, counts.get(k) ?? 0);
  const style = detectIndentStyle(origLines.join('\n'));
  const snippetStyle = detectIndentStyle(code, style);
  const languageId = opts.languageId ?? '';

  const origIndent = origLines.map(indentOf);
  /** The alignment, run again with the indentation its telling matches agree on as a tie-breaker. */
  const tokens = keys.map(wordsOf);
  const uniqueAt = new Map<string, number>();
  keys.forEach((k, j) => { if (counts.get(k) === 1 && !isTrivial(k)) uniqueAt.set(k, j); });
  /** Where the file holds each telling line it holds a few times at most. */
  const placesOf = new Map<string, number[]>();
  keys.forEach((k, j) => {
    if ((counts.get(k) ?? 0) > COPIED_LINE_PLACES || isTrivial(k)) return;
    const at = placesOf.get(k);
    if (at) at.push(j);
    else placesOf.set(k, [j]);
  });
  // Imports the snippet as a whole moves (its pieces are in the file's order, one after another).
  const allRaw = parsed.pieces.flatMap(p => p.lines);
  const allKeys = allRaw.map(lineKey);
  const movedImportKeys = new Set(movedImports(allKeys, allRaw, uniqueAt).map(i => allKeys[i]));
  const alignBest = (pk: readonly string[], raw: readonly string[], from: number, found: Versions, blocked?: (j: number) => boolean,
    against: readonly string[] = keys, force?: { piece: number; orig: number }) => {
    // A forced pair is worth more than any other placement: the alignment is the best one that keeps it.
    const versions: Versions = force ? new Map(found).set(force.piece, new Map(found.get(force.piece)).set(force.orig, FORCED_PAIR)) : found;
    const deltas = raw.map(l => delta(l, languageId));
    const pieceBrackets = raw.map(l => bracketsOf(l, languageId));
    const added = new Set<number>(commentsOfNewDeclarations(pk, fileNames(), counts));
    pk.forEach((k, i) => { if (movedImportKeys.has(k) && !/^\s/.test(raw[i])) added.add(i); });
    // The indentation the first alignment's telling matches agree on (null: not aligned yet); the
    // later alignments of this call change only bracket lines, so they keep it.
    let indent: { piece: number[]; orig: number[]; shift: number } | undefined | null = null;
    const once = (v: Versions = versions) => {
      if (indent === null) {
        const first = alignPiece(pk, against, from, against.length, weightOf, { blocked, changed: v, added });
        const telling = first.pairs.filter(([i]) => !isTrivial(pk[i]));
        if (telling.length === 0) {
          indent = undefined;
          return first;
        }
        const pieceIndent = raw.map(indentOf);
        const votes = new Map<number, number>();
        for (const [i, o] of telling) votes.set(origIndent[o] - pieceIndent[i], (votes.get(origIndent[o] - pieceIndent[i]) ?? 0) + 1);
        indent = { piece: pieceIndent, orig: origIndent, shift: [...votes].sort((a, b) => b[1] - a[1])[0][0] };
      }
      return alignPiece(pk, against, from, against.length, weightOf, { blocked, indent, changed: v, added });
    };
    // A closing line whose block the piece itself opens with a new line is new too: matched to a
    // closer of the file, it would close the file's block instead (and the new one stay open).
    let best = once();
    for (let round = 0; round < 3; round++) {
      const more = closersOfNewBlocks(pk, deltas, pieceBrackets, best.pairs).filter(i => !added.has(i));
      if (more.length === 0) break;
      for (const i of more) added.add(i);
      best = once();
    }
    // A closing line matched to another block's closer than the one its opening line's block ends
    // with (the brackets say so): aligned again with each such closer drawn to its own, and kept
    // when the brackets then add up.
    if (!balanced(best.pairs, raw, origLines, languageId)) {
      const own = ownClosers(pk, deltas, pieceBrackets, best.pairs, origBrackets());
      if (own.length > 0) {
        const drawn = new Map(versions);
        for (const [i, c] of own) drawn.set(i, new Map(versions.get(i)).set(c, CLOSER_PULL));
        const again = once(drawn);
        if (balanced(again.pairs, raw, origLines, languageId)) {
          // The pull is no evidence: the score counts such a closer as the bracket line it is.
          const pulled = again.pairs.filter(([i, o]) => own.some(([a, c]) => a === i && c === o)).length;
          return { pairs: again.pairs, score: again.score - pulled * (CLOSER_PULL - weightOf('}')) };
        }
      }
    }
    return best;
  };
  let fileNameCache: ReadonlySet<string> | undefined;
  /** Every name the file mentions. */
  const fileNames = (): ReadonlySet<string> => (fileNameCache ??= new Set(original.match(/[A-Za-z_$][\w$]*/g) ?? []));
  let origBracketCache: Brackets[] | undefined;
  const origBrackets = (): readonly Brackets[] => (origBracketCache ??= origLines.map(l => bracketsOf(l, languageId)));

  /**
   * A piece that is new declarations between lines the file has side by side, at one place only
   * (after `from`): the lines around the declarations, matched there as they are. Nothing in the
   * file is replaced, so no other reading deletes less; code that resembles the new declarations
   * elsewhere (a neighbour with a body like theirs) is no evidence against it.
   */
  const insertedBetween = (pk: readonly string[], lines: readonly string[], from: number): (readonly [number, number])[] | undefined => {
    const block = newDeclarations(lines, fileNames(), k => counts.has(k), languageId);
    if (!block) return undefined;
    // Set apart by a blank line on each side, where the file has one between the lines around
    // them: the second blank line is the new declarations' own.
    const to = block.from > 0 && pk[block.from - 1] === '' && pk[block.to + 1] === '' ? block.to + 1 : block.to;
    const head = pk.slice(0, block.from);
    const tail = pk.slice(to + 1);
    if (![...head, ...tail].some(k => !isTrivial(k))) return undefined;
    let found = -1;
    for (let x = from + head.length - 1; x + tail.length < keys.length; x++) {
      let same = true;
      for (let d = 0; d < head.length && same; d++) same = keys[x - head.length + 1 + d] === head[d];
      for (let d = 0; d < tail.length && same; d++) same = keys[x + 1 + d] === tail[d];
      if (!same) continue;
      if (found >= 0) return undefined;
      found = x;
    }
    if (found < 0) return undefined;
    return [...head.map((_, d) => [d, found - head.length + 1 + d] as const), ...tail.map((_, d) => [to + 1 + d, found + 1 + d] as const)];
  };

  /**
   * Whether the file's code right after a piece's insertion point is a declaration that the piece
   * does not show as it is (the new declarations may be that one renamed).
   */
  const renames = (pairs: readonly (readonly [number, number])[]): boolean => {
    const matched = new Set(pairs.map(([, o]) => o));
    let j = pairs[pairs.findIndex(([i], k) => k + 1 === pairs.length || pairs[k + 1][0] !== i + 1)][1] + 1;
    while (j < keys.length && (keys[j] === '' || COMMENT_LINE.test(keys[j]))) j++;
    return j < keys.length && !matched.has(j) && (blockName(origLines[j]) ?? declaredName(keys[j])) !== undefined;
  };

  // Pass 1: each piece's matched lines, in order.
  const placed: Placed[] = [];
  const unplaced: UnplacedPiece[] = [];
  let cursor = 0;
  for (const piece of parsed.pieces) {
    const pk = piece.lines.map(lineKey);
    const where = (why: string): void => void unplaced.push({ snippetLines: [piece.first + 1, piece.last + 1], reason: why });
    if (pk.every(k => isTrivial(k))) {
      where('only brackets or blank lines: nothing to place them by');
      continue;
    }
    // The lines it is a changed version of, found once for every alignment of this piece.
    let versions = changedVersions(pk, keys, tokens, cursor, counts);
    let best = alignBest(pk, piece.lines, cursor, versions);
    // Lines taken for changed versions of others drew the alignment over brackets the piece does
    // not have (it deletes or closes blocks it never shows): by the lines kept as they are alone,
    // the brackets may add up.
    if (versions.size > 0 && !balanced(best.pairs, piece.lines, origLines, languageId) && !collapsesBlock(best.pairs, piece.lines, origLines, languageId)) {
      const plain = alignBest(pk, piece.lines, cursor, new Map());
      if (plain.pairs.some(([i]) => !isTrivial(pk[i])) && balanced(plain.pairs, piece.lines, origLines, languageId)) {
        best = plain;
        versions = new Map();
      }
    }
    // A line of the piece that the file holds once, elsewhere, left unmatched: the piece would
    // copy it. Code that repeats a block elsewhere in the file drew the alignment there; the piece
    // belongs around that line (a window its size), where it is aligned again.
    const arounds = copiedLines(best, pk, placesOf, cursor).map(copied => ({ copied, around: alignBest(pk, piece.lines, cursor, versions, undefined, keys, copied) }))
      .filter(({ copied, around }) => around.pairs.some(([i, o]) => i === copied.piece && o === copied.orig) && copiedLines(around, pk, placesOf, cursor).length === 0);
    arounds.sort((a, b) => b.around.score - a.around.score);
    if (arounds.length > 1 && arounds[1].around.score > arounds[0].around.score - AMBIGUOUS_MARGIN) {
      where(`its edge line "${pk[arounds[0].copied.piece].slice(0, 60)}" is in the file at lines ${arounds.map(a => a.copied.orig + 1).join(', ')}, and the piece fits around each: add a line of context around it`);
      continue;
    }
    if (arounds.length > 0) best = arounds[0].around;
    best = { pairs: weakLead(best.pairs, pk, keys), score: best.score };
    // The reading as new declarations between lines the file has side by side. Where the file's
    // code right after them is a declaration the piece does not show as it is, the new
    // declarations may be that one renamed: then the alignment decides, and this reading is taken
    // only where the alignment would be refused, for new lines replacing a declaration the snippet
    // never names (here) or for a second place almost as good (below).
    const between = insertedBetween(pk, piece.lines, cursor);
    let inserted = false;
    if (between && (!renames(between) || lostDeclaration(best.pairs, piece.lines, origLines))) {
      best = { pairs: between, score: between.reduce((sum, [i]) => sum + weightOf(pk[i]), 0) };
      inserted = true;
    }
    let telling = best.pairs.filter(([i]) => !isTrivial(pk[i]));
    let changed: ReadonlySet<number> = new Set();
    if (telling.length === 0) {
      // No line of the piece is in the file as it is: a line that is plainly a changed version of
      // one original line (and of no other) places it, and replaces that line.
      const fuzzy = changedLineAnchor(pk, keys, cursor);
      if (fuzzy) {
        const against = keys.slice();
        against[fuzzy.orig] = pk[fuzzy.piece];
        best = alignBest(pk, piece.lines, cursor, changedVersions(pk, against, tokens, cursor, counts), undefined, against);
        telling = best.pairs.filter(([i]) => !isTrivial(pk[i]));
        changed = new Set([fuzzy.orig]);
      }
    }
    if (telling.length === 0) {
      // A short line the file holds once (`#pid;`, `ok();`): too short to tell among many, yet
      // only one place has it.
      const short = pk.findIndex(k => isTrivial(k) && SHORT_NAME.test(k) && counts.get(k) === 1 && keys.indexOf(k, cursor) >= 0);
      if (short >= 0) {
        const forced = alignBest(pk, piece.lines, cursor, versions, undefined, keys, { piece: short, orig: keys.indexOf(pk[short], cursor) });
        if (forced.pairs.some(([i]) => i === short)) {
          best = { pairs: forced.pairs, score: forced.score - FORCED_PAIR + weightOf(pk[short]) };
          telling = best.pairs.filter(([i]) => i === short);
        }
      }
    }
    if (telling.length === 0 && parsed.markers > 0) {
      // New code with nothing to match: at the top when the snippet starts with it (a marker
      // after it, none before), at the end when the snippet ends with it.
      const index = parsed.pieces.indexOf(piece);
      const near = (from: number, to: number): number => {
        for (let j = Math.max(0, from); j < Math.min(to, origLines.length); j++) if (piece.lines.some(l => similar(l, origLines[j], CHANGED_LINE_SIMILARITY))) return j;
        return -1;
      };
      const top = near(0, EDGE_LOOK);
      const bottom = near(origLines.length - EDGE_LOOK, origLines.length);
      if (index === 0 && !piece.markerBefore && piece.markerAfter && top >= 0) {
        where(`matches no line of the file exactly, but reads like a changed line ${top + 1}: include an unchanged line around it`);
        continue;
      }
      if (index === parsed.pieces.length - 1 && piece.markerBefore && !piece.markerAfter && bottom >= 0) {
        where(`matches no line of the file exactly, but reads like a changed line ${bottom + 1}: include an unchanged line around it`);
        continue;
      }
      // New code at an edge is new: a piece whose other lines are statements the file holds (a
      // `continue;` or `return;` around a new line) is context for an edit somewhere inside, too
      // common to say where.
      const atTop = index === 0 && !piece.markerBefore && piece.markerAfter;
      const atEnd = index === parsed.pieces.length - 1 && piece.markerBefore && !piece.markerAfter;
      if (atTop || atEnd) {
        const shared = overlap(pk, keys, atTop ? 'end' : 'start');
        const rest = atTop ? pk.slice(0, pk.length - shared) : pk.slice(shared);
        const held = rest.find(k => k !== '' && /[A-Za-z0-9_$]/.test(k) && counts.has(k));
        if (held !== undefined) {
          where(`its only lines found in the file (such as "${held.trim()}") are too common to say where it goes: include a telling unchanged line around it`);
          continue;
        }
        // Code at the very top closes no bracket it did not open (nor code at the very end opens
        // one it does not close): such a piece is the inside of a block somewhere in the file.
        const lines = atTop ? piece.lines.slice(0, piece.lines.length - shared) : [...piece.lines.slice(shared)].reverse();
        let depth = 0;
        if (lines.some(line => (depth += (atTop ? 1 : -1) * delta(line, languageId)) < 0)) {
          where(`it ${atTop ? 'closes a bracket it does not open' : 'opens a bracket it does not close'}, so it is not new code at the ${atTop ? 'top' : 'end'} of the file: include a telling unchanged line around it`);
          continue;
        }
      }
      // The blank lines the snippet puts between the new code and the marker separate it from
      // the file's code, unless the file has a blank line there already.
      // Lines the new code shares with the file's own first (last) lines, such as the `}` that
      // closes the file's last class, are those lines, not copies of them.
      if (index === 0 && !piece.markerBefore && piece.markerAfter) {
        const k = overlap(pk, keys, 'end');
        const gap = k === 0 && piece.blankAfter > 0 && origLines[0]?.trim() !== '' ? [''] : [];
        const pairs = Array.from({ length: k }, (_, i) => [pk.length - k + i, i] as const);
        placed.push({ piece: { ...piece, lines: [...piece.lines, ...gap] }, pairs, start: 0, end: k });
        continue;
      }
      if (index === parsed.pieces.length - 1 && piece.markerBefore && !piece.markerAfter) {
        const k = overlap(pk, keys, 'start');
        const gap = k === 0 && piece.blankBefore > 0 && origLines[origLines.length - 1]?.trim() !== '' ? [''] : [];
        const pairs = Array.from({ length: k }, (_, i) => [i + gap.length, keys.length - k + i] as const);
        placed.push({ piece: { ...piece, lines: [...gap, ...piece.lines] }, pairs, start: keys.length - k, end: keys.length });
        continue;
      }
    }
    if (telling.length === 0) {
      const earlier = cursor > 0 && alignPiece(pk, keys, 0, cursor, weightOf).pairs.some(([i]) => !isTrivial(pk[i]));
      where(earlier ? 'its code comes before the piece above it in the file: pieces must be in file order' : 'matches no line of the file');
      continue;
    }
    let start = best.pairs[0][1];
    const end = best.pairs[best.pairs.length - 1][1] + 1;
    // New code put before lines the file has, where the piece's own first line is the file's line
    // after them (or its last line the one before them): the same text reads as new code after
    // that line just as well. Only the meaning of the code could tell which.
    const [firstPair, lastPair] = [best.pairs[0], best.pairs[best.pairs.length - 1]];
    if ((firstPair[0] > 0 && lastPair[0] === pk.length - 1 && pk[0] !== '' && pk[0] === keys[lastPair[1]])
      || (lastPair[0] < pk.length - 1 && firstPair[0] === 0 && pk[pk.length - 1] !== '' && pk[pk.length - 1] === keys[firstPair[1]])) {
      where(`it reads the same as new code before line ${start + 1} of the file and as new code after line ${end}: add a line of context around it`);
      continue;
    }
    // A piece that starts with a line such as ` *` or `}` left unmatched, while the file has that
    // line a few lines above where the rest goes: the lines between are either deleted by the
    // snippet (adjacency) or kept, and one such line cannot say which. (At a piece's end an
    // unmatched closer is the end of the block the piece reaches into.)
    // Unless the piece's new lines before the rest read as those lines rewritten (the same words,
    // most of them, in lines of text only): then the edge line is the file's, and they replace the
    // lines between.
    const edge = edgeAbove(piece.markerBefore && firstPair[0] > 0 ? pk[0] : '', keys, start, cursor);
    if (edge !== undefined) {
      if (!rewrites(pk.slice(1, firstPair[0]), keys.slice(edge + 1, start))) {
        where(`its first line (${pk[0]}) is line ${edge + 1} of the file, lines above where the rest goes: are the lines between deleted or kept? Add a telling line of context there`);
        continue;
      }
      best = { pairs: [[0, edge], ...best.pairs], score: best.score + weightOf(pk[0]) };
      start = edge;
    }
    const other = alignBest(pk, piece.lines, cursor, versions, j => j >= start && j < end);
    // Placed by lines kept as they are, a piece must win by a line of evidence; placed only by
    // changed versions of lines (a renamed declaration), by any margin.
    const kept = best.pairs.some(([i, o]) => pk[i] === keys[o] && !isTrivial(pk[i]));
    const needed = kept ? AMBIGUOUS_MARGIN : 1e-9;
    // A place that keeps every telling line it spans (a pure insertion) is judged by what the other
    // place leaves out too: a line of the piece written anew while the file holds it (a copy) is
    // evidence against that place, as much as a match is for it.
    const spanned = new Set(best.pairs.map(([, o]) => o));
    let clean = true;
    for (let o = start; o < end && clean; o++) clean = spanned.has(o) || isTrivial(keys[o]);
    // Either way, a place that writes anew a declaration the file holds once (declaring its name a
    // second time) is that much less likely.
    const copies = clean ? (pairs: Alignment['pairs']) => copiedWeight(pairs, pk, counts, weightOf)
      : (pairs: Alignment['pairs']) => copiedWeight(pairs, pk, counts, weightOf, (k, i) => counts.get(k) === 1 && (declaredName(k) !== undefined || blockName(piece.lines[i]) !== undefined));
    // And a line of the piece that rewrites a declaration of the same name (`req.accepts = function(...)`
    // for `req.accepts = function()`) is as telling as a line kept as it is.
    const sameNamed = (pairs: Alignment['pairs']): number => pairs.filter(([i, o]) => pk[i] !== keys[o] && sameTarget(pk[i], keys[o])).length;
    // And where the piece's telling lines sit at the file's own indentation in one place and all at
    // another depth in the other, the snippet was cut from the first: that counts as a line. Not
    // for a piece at the margin (a line at column 0): pasted there, code of any depth is at the
    // margin, and code at the file's top level is too.
    const pieceIndent = piece.lines.map(indentOf);
    const atMargin = piece.lines.some((l, i) => l.trim() !== '' && pieceIndent[i] === 0);
    const asIs = (pairs: Alignment['pairs']): boolean | undefined => {
      const told = pairs.filter(([i]) => !isTrivial(pk[i]));
      if (told.length === 0) return undefined;
      const shifts = new Set(told.map(([i, o]) => origIndent[o] - pieceIndent[i]));
      return shifts.size === 1 ? shifts.has(0) : undefined;
    };
    const [bestAsIs, otherAsIs] = [asIs(best.pairs), asIs(other.pairs)];
    const indentation = atMargin ? 0 : bestAsIs === true && otherAsIs === false ? 1 : bestAsIs === false && otherAsIs === true ? -1 : 0;
    const margin = best.score - other.score + copies(other.pairs) - copies(best.pairs) + sameNamed(best.pairs) - sameNamed(other.pairs) + indentation;
    // A pure insertion whose new lines are one block beside the lines it keeps, against a place
    // that would wrap new code around a line the file has elsewhere (code written anew that
    // resembles it): the block is what context around an insertion looks like.
    const insertion = clean && kept && margin > 1e-9 && oneNewBlock(best.pairs, pk.length) && !oneNewBlock(other.pairs, pk.length);
    if (changed.size === 0 && margin < needed && !insertion && !inserted && other.pairs.some(([i]) => !isTrivial(pk[i]))) {
      if (between) {
        placed.push({ piece, pairs: between, start: between[0][1], end: between[between.length - 1][1] + 1, changed, anchors: telling.length, margin: 0 });
        cursor = between[between.length - 1][1] + 1;
        continue;
      }
      const how = margin <= 1e-9 ? 'equally well' : 'almost as well';
      where(`fits two places ${how} (lines ${start + 1} and ${other.pairs[0][1] + 1} of the file): add a line of context around it`);
      continue;
    }
    placed.push({ piece, pairs: best.pairs, start, end, changed, anchors: telling.length, margin: best.score - other.score });
    cursor = end;
  }

  // A single marker-less piece that matches most of the file from its top is the whole file.
  const telling = keys.filter(k => !isTrivial(k)).length;
  if (parsed.markers === 0 && placed.length === 1) {
    const p = placed[0];
    const firstTelling = keys.findIndex(k => !isTrivial(k));
    const matched = p.pairs.filter(([i]) => !isTrivial(lineKey(p.piece.lines[i]))).length;
    if (p.pairs[0][1] <= Math.max(0, firstTelling) && matched >= WHOLE_FILE_SHARE * telling) {
      p.start = 0;
      p.end = keys.length;
      return { text: join(render(p, origLines, style, snippetStyle, languageId)), unplaced, pieces: 1, wholeFile: true, modelCalls: 0 };
    }
  }

  // A piece that deletes, by adjacency, all the code another piece of the snippet consists of:
  // the other piece shows a block that moved (and nothing around it to place it by), and the
  // alignment ran this piece across the block's old place. No merge says what the snippet means.
  // (A move whose pieces carry context of their own is placed by that context.)
  const tellingOf = new Map(placed.map(q => [q, q.piece.lines.map(lineKey).filter(k => !isTrivial(k))]));
  for (const p of [...placed]) {
    const kept = new Set(p.pairs.map(([, o]) => o));
    const gone = Array.from({ length: p.end - p.start }, (_, d) => p.start + d).filter(j => !kept.has(j) && !p.changed?.has(j) && !isTrivial(keys[j]));
    if (gone.length === 0) continue;
    const deleted = new Set(gone.map(j => keys[j]));
    // Lines of p after the last line it deletes: the alignment ran p across the deleted stretch
    // to reach them.
    const lastDeleted = gone[gone.length - 1];
    const beyond = p.pairs.filter(([i, o]) => o > lastDeleted && !isTrivial(lineKey(p.piece.lines[i]))).length;
    const swallowed = placed.find(q => {
      if (q === p) return false;
      const telling = tellingOf.get(q)!;
      if (telling.length > 0 && telling.every(k => deleted.has(k))) return true;
      // Or a later piece writes anew more lines the file holds once, which p deletes, than p keeps
      // beyond them: p ran across code the snippet shows after it, and reading p's far lines as
      // the moved ones would move less. (An earlier piece that writes them anew moved them up,
      // and p deleting their old place is the move.)
      if (q.piece.first < p.piece.first) return false;
      const matched = new Set(q.pairs.map(([i]) => i));
      const rewritten = q.piece.lines.filter((l, i) => !matched.has(i) && deleted.has(lineKey(l)) && counts.get(lineKey(l)) === 1).length;
      return beyond > 0 && rewritten > beyond;
    });
    if (!swallowed) continue;
    unplaced.push({ snippetLines: [p.piece.first + 1, p.piece.last + 1],
      reason: `placed at lines ${p.start + 1}-${p.end}, it would delete the code of the snippet's lines ${swallowed.piece.first + 1}-${swallowed.piece.last + 1}, which the snippet keeps: a moved block? Add the lines around each end of the move` });
    placed.splice(placed.indexOf(p), 1);
  }

  // Pass 2: widen each piece's stretch over the edits at its edges, within its neighbours.
  for (let n = 0; n < placed.length; n++) {
    const p = placed[n];
    if (p.pairs.length === 0) continue;
    const floor = n > 0 ? placed[n - 1].end : 0;
    const ceiling = n + 1 < placed.length ? placed[n + 1].start : keys.length;
    widen(p, origLines, floor, ceiling, languageId, new Set(commentsOfNewDeclarations(p.piece.lines.map(lineKey), fileNames(), counts)));
  }

  // A blank line between a marker and a piece whose new first lines replace lines of the file, where
  // the file has code between its own blank line and those lines: that code is either kept (the
  // blank line only sets the piece apart) or replaced too (the blank line is the file's, shown as
  // context). No merge says which. (New lines that only go in leave the code above them as it is.)
  for (const p of [...placed]) {
    if (!p.piece.markerBefore || p.piece.blankBefore === 0 || p.pairs.length === 0 || p.pairs[0][0] === 0 || p.start === 0 || p.start === p.pairs[0][1]) continue;
    if (keys[p.start - 1] === '' || isTrivial(keys[p.start - 1])) continue;
    let j = p.start - 1;
    while (j > 0 && keys[j] !== '' && p.start - j <= EDGE_LINE_REACH) j--;
    if (keys[j] !== '') continue;
    unplaced.push({ snippetLines: [p.piece.first + 1, p.piece.last + 1],
      reason: `the blank line before its new first lines is the file's line ${j + 1}, or only sets the piece apart: are lines ${j + 2}-${p.start} replaced or kept? Add a telling line of context there` });
    placed.splice(placed.indexOf(p), 1);
  }

  // An import the file already has, written again by a piece while no piece replaces the old one:
  // the snippet moves the import and shows only where it goes. A whole import statement on one
  // line moves (the old line is taken out: a module imports the same thing once); any other is
  // refused.
  const moved = new Set<number>();
  for (const p of [...placed]) {
    const matched = new Set(p.pairs.map(([i]) => i));
    const again = p.piece.lines.map((line, i) => ({ i, q: uniqueAt.get(lineKey(line)) }))
      .filter(({ i, q }) => !matched.has(i) && q !== undefined && IMPORT_LINE.test(lineKey(p.piece.lines[i])) && !placed.some(o => q >= o.start && q < o.end));
    // Only imports at the top level of the module move (one inside a function is that function's own).
    const whole = again.filter(({ i, q }) => WHOLE_IMPORT.test(lineKey(p.piece.lines[i])) && !/^\s/.test(p.piece.lines[i]) && !/^\s/.test(origLines[q!]));
    if (again.length > 0 && whole.length === again.length) {
      for (const { q } of whole) moved.add(q!);
      continue;
    }
    if (again.length === 0) continue;
    const k = lineKey(p.piece.lines[again[0].i]);
    unplaced.push({ snippetLines: [p.piece.first + 1, p.piece.last + 1],
      reason: `it repeats line ${uniqueAt.get(k)! + 1} of the file (${k.slice(0, 60)}) and nothing replaces that line: a moved import? Include the place it moves from, or apply it by hand` });
    placed.splice(placed.indexOf(p), 1);
  }

  // A piece whose new lines take the place of lines that hold the first line of a function, class
  // or method the snippet never names: new code aligned across a neighbour that resembles it (a
  // new method's body matched to its neighbour's, a common `return false` at the end of the next
  // function), which the merge would delete. A deletion by adjacency (no new lines between the
  // two kept lines) stays, and so does a declaration whose first line is replaced by another
  // (renamed).
  for (const p of [...placed]) {
    const lost = lostDeclaration(p.pairs, p.piece.lines, origLines);
    if (!lost) continue;
    unplaced.push({ snippetLines: [p.piece.first + 1, p.piece.last + 1],
      reason: `placed at lines ${p.start + 1}-${p.end}, its new lines would replace the declaration of ${lost.name} (line ${lost.line + 1}), which the snippet never names: add a telling line of context around it` });
    placed.splice(placed.indexOf(p), 1);
  }

  // New top-level declarations at a piece's end whose names the file declares right after what the
  // piece replaces (a `const f = () => ...` rewritten as `function f() {...}`): the piece replaces
  // those declarations too, statement by statement, as long as each declares one of its new names.
  for (let n = 0; n < placed.length; n++) {
    const p = placed[n];
    if (p.pairs.length === 0) continue;
    const matched = new Set(p.pairs.map(([i]) => i));
    const lastMatched = p.pairs[p.pairs.length - 1][0];
    const names = new Set(p.piece.lines.map((l, i) => (i > lastMatched && !matched.has(i) ? topDeclaration(l) : undefined)).filter((x): x is string => !!x));
    if (names.size === 0) continue;
    const ceiling = n + 1 < placed.length ? placed[n + 1].start : keys.length;
    let end = p.end;
    for (let j = p.end; j < ceiling;) {
      if (keys[j] === '') { j++; continue; }
      const name = topDeclaration(origLines[j]);
      if (!name || !names.has(name)) break;
      // The whole statement: its brackets back to where they were.
      let depth = delta(origLines[j], languageId);
      let k = j + 1;
      while (depth > 0 && k < ceiling) depth += delta(origLines[k++], languageId);
      if (depth !== 0) break;
      names.delete(name);
      end = j = k;
    }
    p.end = end;
  }

  // A top-level declaration a piece adds, while the file declares the same name outside what the
  // pieces replace: the snippet rewrites a declaration it does not show (behind a marker), and
  // the merge would hold both.
  let declaredAt: Map<string, number[]> | undefined;
  for (const p of [...placed]) {
    const matched = new Set(p.pairs.map(([i]) => i));
    let twice: { name: string; line: number } | undefined;
    p.piece.lines.forEach((line, i) => {
      const name = matched.has(i) || twice ? undefined : topDeclaration(line);
      if (!name) return;
      declaredAt ??= origLines.reduce((m, l, j) => {
        const n = topDeclaration(l);
        if (n) m.set(n, [...(m.get(n) ?? []), j]);
        return m;
      }, new Map<string, number[]>());
      const q = declaredAt.get(name)?.find(j => !placed.some(o => j >= o.start && j < o.end));
      if (q !== undefined) twice = { name, line: q };
    });
    if (!twice) continue;
    unplaced.push({ snippetLines: [p.piece.first + 1, p.piece.last + 1],
      reason: `it declares ${twice.name}, which line ${twice.line + 1} of the file declares too, and nothing replaces that line: include it in the snippet (changed or left out by adjacency), or apply it by hand` });
    placed.splice(placed.indexOf(p), 1);
  }

  const out: string[] = [];
  let at = 0;
  const keep = (from: number, to: number): string[] => origLines.slice(from, to).filter((_, d) => !moved.has(from + d));
  for (let n = 0; n < placed.length; n++) {
    const p = placed[n];
    out.push(...keep(at, p.start));
    const { before, after } = separators(p, out[out.length - 1], n + 1 < placed.length && placed[n + 1].start === p.end ? placed[n + 1].piece.lines[0] : origLines[p.end]);
    out.push(...before, ...render(p, origLines, style, snippetStyle, languageId), ...after);
    at = p.end;
  }
  out.push(...keep(at, origLines.length));
  const placements: Placement[] = placed.map(p => ({
    snippetLines: [p.piece.first + 1, p.piece.last + 1], fileLines: [p.start + 1, p.end], anchors: p.anchors ?? 0, margin: p.margin ?? Infinity,
  }));
  return { text: join(out), unplaced, pieces: parsed.pieces.length, wholeFile: false, modelCalls: 0, placements };
}

/** Whether the piece lines left unmatched by `pairs` are one contiguous block (or none). */
function oneNewBlock(pairs: readonly (readonly [number, number])[], length: number): boolean {
  const matched = new Set(pairs.map(([i]) => i));
  let blocks = 0;
  for (let i = 0; i < length; i++) if (!matched.has(i) && (i === 0 || matched.has(i - 1))) blocks++;
  return blocks <= 1;
}

/** Evidence of the piece's telling lines an alignment leaves unmatched while the file holds them: lines it would write a second time. */
function copiedWeight(pairs: readonly (readonly [number, number])[], pk: readonly string[], counts: ReadonlyMap<string, number>, weightOf: (k: string) => number,
  which: (k: string, i: number) => boolean = () => true): number {
  const matched = new Set(pairs.map(([i]) => i));
  let sum = 0;
  pk.forEach((k, i) => { if (!matched.has(i) && !isTrivial(k) && counts.has(k) && which(k, i)) sum += weightOf(k); });
  return sum;
}

/**
 * The first function, class or method of the file whose first line lies between two matched lines
 * of a piece with new lines between them, and whose name the piece never mentions: the piece's new
 * lines would take its place.
 */
function lostDeclaration(pairs: readonly (readonly [number, number])[], lines: readonly string[], origLines: readonly string[]): { name: string; line: number } | undefined {
  // Names as blockName gives them: a private method is `#name`.
  const named = new Set(lines.flatMap(l => l.match(/#?[A-Za-z_$][\w$]*/g) ?? []));
  for (let k = 0; k + 1 < pairs.length; k++) {
    const [[i1, o1], [i2, o2]] = [pairs[k], pairs[k + 1]];
    if (i2 === i1 + 1) continue;
    const gone: { name: string; line: number; method: boolean }[] = [];
    for (let o = o1 + 1; o < o2; o++) {
      const block = blockName(origLines[o]);
      if (block && !named.has(block.name)) gone.push({ ...block, line: o });
    }
    // A method renamed keeps its first line as a changed version; a function or class renamed
    // (never a version of one of another name) is replaced by as many new first lines.
    const written = lines.slice(i1 + 1, i2).filter(l => blockName(l)?.method === false).length;
    const lost = gone.find(g => g.method) ?? (gone.length > written ? gone[0] : undefined);
    if (lost) return lost;
  }
  return undefined;
}

/** Where, a few lines above `start` (not before `from`), the file has `key`, a bracket-only line such as ` *` or `}`. */
function edgeAbove(key: string, keys: readonly string[], start: number, from: number): number | undefined {
  if (key === '' || !isTrivial(key)) return undefined;
  for (let j = start - 2; j >= Math.max(from, start - 1 - EDGE_LINE_REACH); j--) if (keys[j] === key) return j;
  return undefined;
}

/** How many lines at the `start` of the piece equal the file's last lines (or at its `end`, the file's first lines). */
function overlap(piece: readonly string[], file: readonly string[], side: 'start' | 'end'): number {
  for (let k = Math.min(piece.length, file.length); k > 0; k--) {
    let same = true;
    for (let i = 0; i < k && same; i++) same = side === 'start' ? piece[i] === file[file.length - k + i] : piece[piece.length - k + i] === file[i];
    if (same) return k;
  }
  return 0;
}

/**
 * Blank lines that keep new code at a piece's edge apart from the file's code, as the piece keeps
 * it apart from its own: new code that starts a piece and is followed by a blank line the file has,
 * after a marker and a blank line, is put after a blank line too (the one the marker took along);
 * new code that ends a piece after such a blank line, before the file's next declaration, is
 * followed by one. `prev` and `next` are the lines of the merged file around the piece.
 */
function separators(p: Placed, prev: string | undefined, next: string | undefined): { before: string[]; after: string[] } {
  const lines = p.piece.lines;
  const none = { before: [] as string[], after: [] as string[] };
  if (p.pairs.length === 0) return none;
  const first = p.pairs[0];
  const last = p.pairs[p.pairs.length - 1];
  const before = p.piece.markerBefore && p.piece.blankBefore > 0 && first[0] > 0 && lines[0].trim() !== ''
    && lines[first[0]].trim() === '' && prev !== undefined && prev.trim() !== '' ? [''] : [];
  const tail = lines.slice(last[0] + 1);
  const after = p.piece.markerAfter && tail.length > 0 && tail[tail.length - 1].trim() !== '' && lines[last[0]].trim() === ''
    && next !== undefined && next.trim() !== '' && !isTrivial(lineKey(next)) && indentOf(next) === indentOf(tail[0]) ? [''] : [];
  return { before, after };
}

/**
 * The pairs without those before the first telling line kept as it is that only brackets, blank
 * lines or changed versions tie to it across a telling line of the file that new lines of the
 * piece, none like it, would replace (a `/**` matched to the comment above another declaration takes that
 * declaration out): the piece's lines there are new.
 */
function weakLead(pairs: readonly (readonly [number, number])[], pk: readonly string[], keys: readonly string[]): readonly (readonly [number, number])[] {
  const f = pairs.findIndex(([i, o]) => pk[i] === keys[o] && !isTrivial(pk[i]));
  const weak = (k: number): boolean => {
    // Lines side by side in the piece delete what lies between them: the snippet says so.
    if (pairs[k + 1][0] - pairs[k][0] === 1) return false;
    const added = pk.slice(pairs[k][0] + 1, pairs[k + 1][0]);
    // A new line in place of one it resembles is that line changed.
    for (let o = pairs[k][1] + 1; o < pairs[k + 1][1]; o++) if (!isTrivial(keys[o]) && !added.some(a => similar(a, keys[o]))) return true;
    return false;
  };
  let any = false;
  for (let k = f - 1; k >= 0 && !any; k--) any = weak(k);
  if (!any) return pairs;
  // Such ties are no evidence for the others before the first telling line either: only the lines
  // next to it in the file stay matched.
  let k = f - 1;
  while (k >= 0 && pairs[k + 1][1] - pairs[k][1] === 1) k--;
  return pairs.slice(k + 1);
}

/** Weight that draws a closing line to the closer of its own block in the file (more than any line's, and taken out of the score). */
const CLOSER_PULL = 2;
/**
 * The piece's added lines before its first matched line (and after its last) either stand beside
 * the original or replace lines there. They replace when they open (or close) brackets that the
 * original's lines there open (or close): a changed declaration line, a block's closer the
 * alignment left unmatched. Otherwise an added edge line replaces the original line beside it
 * only when it reads as its new version, and is not one of the `own` lines (the comments of a
 * declaration the file never had, which read like a neighbour's comment but are the new code's).
 */
function widen(p: Placed, orig: readonly string[], floor: number, ceiling: number, languageId: string, own: ReadonlySet<number>): void {
  const lines = p.piece.lines;
  const firstMatched = p.pairs[0][0];
  const lastMatched = p.pairs[p.pairs.length - 1][0];
  const lead = lines.slice(0, firstMatched);
  const tail = lines.slice(lastMatched + 1);
  const leadDelta = lead.reduce((s, l) => s + delta(l, languageId), 0);
  // Blocks the piece opens among its matched lines and the file does not (new code between them)
  // are closed first by the closers after its last matched line; only the rest reach into the file.
  const firstOrig = p.pairs[0][1];
  const lastOrig = p.pairs[p.pairs.length - 1][1];
  let excess = 0;
  for (let i = firstMatched; i <= lastMatched; i++) excess += delta(lines[i], languageId);
  for (let o = firstOrig; o <= lastOrig; o++) excess -= delta(orig[o], languageId);
  // The piece's last matched line written without the block the file's line opens (a method
  // collapsed to one line): the piece takes out the rest of that block too.
  const collapsed = excess < 0 && collapsesBlock(p.pairs, lines, orig, languageId) ? excess : 0;
  const tailDelta = Math.min(0, tail.reduce((s, l) => s + delta(l, languageId), 0) + Math.max(0, excess) + collapsed);
  // Only openers before the first matched line (a changed declaration) and closers after the last
  // one (a block's end) reach into the original; a piece that ends by opening a block leaves the
  // rest of that block to the code after it.
  if (leadDelta > 0) {
    let d = 0;
    for (let k = 1; k <= EDGE_REACH && p.start - k >= floor; k++) {
      d += delta(orig[p.start - k], languageId);
      if (d === leadDelta) { p.start -= k; break; }
    }
  } else {
    for (let i = lead.length - 1; i >= 0 && p.start > floor && !own.has(i) && similar(lead[i], orig[p.start - 1]); i--) p.start--;
  }
  if (tailDelta < 0) {
    let d = 0;
    for (let k = 1; k <= EDGE_REACH && p.end + k - 1 < ceiling; k++) {
      d += delta(orig[p.end + k - 1], languageId);
      if (d === tailDelta) { p.end += k; break; }
    }
  } else if (lines[lastMatched].trim() !== '' && tail.some(l => l.trim() !== '') && tail.every(l => l.trim() === '' || indentOf(l) > indentOf(lines[lastMatched]))) {
    // The piece ends inside the block its last matched line opens (Python, or a block without
    // brackets): its lines are that block's new body, in place of the old one. (A blank line
    // opens no block: new lines after one are new code there.)
    const header = indentOf(orig[p.end - 1]);
    let end = p.end;
    while (end < ceiling && (orig[end].trim() === '' || indentOf(orig[end]) > header)) end++;
    while (end > p.end && orig[end - 1].trim() === '') end--;
    p.end = end;
  } else {
    for (let i = 0; i < tail.length && p.end < ceiling && !own.has(lastMatched + 1 + i) && similar(tail[i], orig[p.end]); i++) p.end++;
  }
}

/** Columns of a line's indentation (a tab counts 4). */
function indentOf(line: string): number {
  return columns(leadingWhitespace(line), 4);
}

/** Per line, whether it sits inside a block that a new line of the piece (not in `matched`) opens. */
function insideNewBlocks(lines: readonly string[], matched: ReadonlySet<number>, languageId: string): boolean[] {
  const stack: boolean[] = [];
  return lines.map((line, i) => {
    // What the line closes of the blocks before it (`} else {`) is closed before it is counted.
    const { open, close } = bracketsOf(line, languageId);
    stack.splice(Math.max(0, stack.length - close), close);
    const inside = stack.includes(true);
    for (let k = 0; k < open; k++) stack.push(!matched.has(i));
    return inside;
  });
}

/** A name of three characters at least (`#pid`, `foo(`), not a keyword line such as `return;` or `} else {`. */
const SHORT_NAME = new RegExp(`^(?!\\W*(?:${BARE_KEYWORDS})\\b)\\W*[#@]?[A-Za-z_$][\\w$]{2}`);

/** Weight that makes the alignment keep a pair (a piece's edge line and its one place in the file). */
const FORCED_PAIR = 1000;

/** A telling line the file holds up to this many times, left unmatched at a piece's edge, is looked for at each of its places. */
const COPIED_LINE_PLACES = 3;

/**
 * The original lines that the alignment would copy at an edge of the piece: its first or last
 * telling line left unmatched while the file holds that text (a few times at most) at or after
 * `from` and outside the stretch the piece replaces; one pair per place. (Snippets begin and end
 * with lines of the file; new code in between may well repeat lines from elsewhere.)
 */
function copiedLines(a: { pairs: readonly (readonly [number, number])[] }, pk: readonly string[], placesOf: ReadonlyMap<string, readonly number[]>, from: number): { piece: number; orig: number }[] {
  if (a.pairs.length === 0) return [];
  const matched = new Set(a.pairs.map(([i]) => i));
  const start = a.pairs[0][1];
  const end = a.pairs[a.pairs.length - 1][1];
  const edges = [pk.findIndex(k => !isTrivial(k)), pk.length - 1 - [...pk].reverse().findIndex(k => !isTrivial(k))];
  for (const i of edges) {
    if (i < 0 || i >= pk.length || matched.has(i)) continue;
    const places = (placesOf.get(pk[i]) ?? []).filter(q => q >= from && (q < start || q > end));
    if (places.length > 0) return places.map(orig => ({ piece: i, orig }));
  }
  return [];
}

/** The piece's lines as they go into the file: matched lines as the file has them, added lines re-indented to the file's style. */
function render(p: Placed, orig: readonly string[], style: IndentStyle, snippetStyle: IndentStyle, languageId: string): string[] {
  const matched = new Map(p.pairs);
  const { reindent, kept } = indentShift(p, orig, style, snippetStyle, languageId);
  return p.piece.lines.map((line, i) => {
    const o = matched.get(i);
    // A line kept is written as the file has it; a changed version, or a line the snippet moved
    // to another indentation than the rest of it, as the snippet has it.
    if (o !== undefined && !p.changed?.has(o) && lineKey(orig[o]) === lineKey(line) && kept(i, o)) return orig[o];
    return reindent ? reindent(line) : line;
  });
}


/**
 * How the piece's indentation maps to the file's, learned from its matched lines: undefined when
 * they agree verbatim; else a function that re-indents an added line. With the same kind of
 * indentation (spaces or tabs) that is a shift by the columns the matched lines moved; tabs against
 * spaces are converted level by level, in the file's unit.
 */
interface IndentMap {
  /** Re-indents a line of the snippet into the file's indentation; undefined when they agree. */
  readonly reindent?: (line: string) => string;
  /** Whether a matched pair sits where the rest of the piece says it should (else its indentation changed). */
  readonly kept: (i: number, o: number) => boolean;
}

function indentShift(p: Placed, orig: readonly string[], style: IndentStyle, snippetStyle: IndentStyle, languageId: string): IndentMap {
  // Telling lines kept as they are vote; a `}` may have been matched to another block's closer,
  // and a changed line may have moved.
  // Lines inside a block the piece's new lines open were moved by the edit (a statement wrapped in
  // a new `if`), not by the snippet's indentation: they vote only when no other line does.
  const inNew = insideNewBlocks(p.piece.lines, new Set(p.pairs.map(([i]) => i)), languageId);
  const matchedAll = p.pairs.filter(([i, o]) => orig[o].trim() !== '' && lineKey(p.piece.lines[i]) === lineKey(orig[o]));
  const outside = matchedAll.filter(([i]) => !inNew[i]);
  const nonblank = outside.some(([i, o]) => leadingWhitespace(p.piece.lines[i]) !== '' || leadingWhitespace(orig[o]) !== '') ? outside : matchedAll;
  const strong = nonblank.filter(([i]) => !isTrivial(lineKey(p.piece.lines[i])));
  const telling = strong.length ? strong : nonblank;
  const wsP = (i: number): string => leadingWhitespace(p.piece.lines[i]);
  const wsO = (o: number): string => leadingWhitespace(orig[o]);
  // Lines at the margin agree whatever the indentation style: the indented ones tell.
  const indented = telling.filter(([i, o]) => wsP(i) !== '' || wsO(o) !== '');
  const same = indented.filter(([i, o]) => wsP(i) === wsO(o)).length;
  const verbatim = (i: number, o: number): boolean => p.piece.lines[i].trim() === '' || wsP(i) === wsO(o);
  // As the file has it, but for the lines the edit itself re-indents (a block wrapped in `try`):
  // a snippet moved as a whole (pasted at the margin, or in tabs) matches no indented line verbatim.
  if (indented.length === 0 || same > 0) return { kept: verbatim };
  const tabFile = indented.some(([, o]) => wsO(o).includes('\t')) || (style.unit === '\t' && !indented.some(([, o]) => wsO(o).startsWith(' ')));
  const tabSnippet = indented.some(([i]) => wsP(i).includes('\t')) || (!snippetStyle.guessed && snippetStyle.unit === '\t');
  const tab = style.unit === '\t' ? style.width : 4;
  const colsP = (i: number): number => columns(wsP(i), tab);
  const colsO = (o: number): number => columns(wsO(o), tab);
  // Bracket-only lines kept as they are vote too, at half weight (one may be another block's
  // closer): a single telling line wrapped in a new block moved, the brackets around it did not.
  const brackets = strong.length > 0 ? nonblank.filter(([i, o]) => isTrivial(lineKey(p.piece.lines[i])) && (wsP(i) !== '' || wsO(o) !== '')) : [];
  const mode = (values: number[], halves: number[] = []): number => {
    const votes = new Map<number, number>();
    for (const v of values) votes.set(v, (votes.get(v) ?? 0) + 1);
    for (const v of halves) votes.set(v, (votes.get(v) ?? 0) + 0.5);
    let best = 0;
    let most = -1;
    for (const [v, c] of votes) if (c > most || (c === most && Math.abs(v) < Math.abs(best))) [best, most] = [v, c];
    return best;
  };
  if (tabFile === tabSnippet) {
    // The same kind of indentation, moved: shift every added line by the columns the matched lines moved.
    const shift = mode(indented.map(([i, o]) => colsO(o) - colsP(i)), brackets.map(([i, o]) => colsO(o) - colsP(i)));
    if (shift === 0) return { kept: verbatim };
    // A snippet indented deeper than the file has no line at the margin: one there says the lines
    // that moved in were moved by the edit (a line wrapped in a new block), not the snippet as a whole.
    if (shift < 0 && p.piece.lines.some((l) => l.trim() !== '' && leadingWhitespace(l) === '')) return { kept: verbatim };
    const build = (cols: number): string => (tabFile ? '\t'.repeat(Math.floor(cols / tab)) + ' '.repeat(cols % tab) : ' '.repeat(cols));
    return {
      kept: (i, o) => p.piece.lines[i].trim() === '' || colsO(o) - colsP(i) === shift,
      reindent: (line: string): string => {
        if (line.trim() === '') return '';
        const ws = leadingWhitespace(line);
        return build(Math.max(0, columns(ws, tab) + shift)) + line.slice(ws.length);
      },
    };
  }
  // Tabs against spaces: level by level, in the file's unit.
  const unitP = tabSnippet ? tab : snippetStyle.unit === '\t' ? 4 : snippetStyle.width;
  const unitO = tabFile ? tab : style.unit === '\t' ? 4 : style.width;
  const unit = tabFile ? '\t' : ' '.repeat(unitO);
  const shift = mode(indented.map(([i, o]) => Math.round(colsO(o) / unitO - colsP(i) / unitP)));
  return {
    kept: (i, o) => p.piece.lines[i].trim() === '' || Math.round(colsO(o) / unitO - colsP(i) / unitP) === shift,
    reindent: (line: string): string => {
      if (line.trim() === '') return '';
      const ws = leadingWhitespace(line);
      const cols = columns(ws, tab);
      const level = Math.floor(cols / unitP);
      return unit.repeat(Math.max(0, level + shift)) + ' '.repeat(cols - level * unitP) + line.slice(ws.length);
    },
  };
}

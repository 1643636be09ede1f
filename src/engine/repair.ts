/**
 * Diffuse Repair: score every token of a block with itself hidden, and where the model finds a
 * token improbable, re-mask the identifier, operator or literal it belongs to and ask what stood
 * there: the model's own denoised fill and the near alternatives (a name spelled nearby or in the
 * workspace, `<=` for `<`, n + 1 for n) are ranked by the model at the masked site. Code that no
 * longer parses gets its closing bracket back (or a stray one removed) where that leaves no syntax
 * error around the block and
 * the model likes it best. Every change must parse at least as well as what it replaces; rounds
 * repeat until nothing changes. Clean code comes back unchanged: "nothing to repair".
 *
 * Three rules keep it from editing correct code:
 *   - A real name is never replaced. A name is real when it is spelled anywhere besides the spot
 *     being repaired: elsewhere in the block or the document, or in the workspace (`names`, the
 *     core/names index the adapters feed). A name spelled nowhere else may be a slip: it is a site
 *     when the model doubts it, or when it is a real name with two neighbouring letters swapped,
 *     and it may only become a name one slip away (core/repairCandidates isSlip).
 *   - A replacement is proposed only when the model prefers it over the original by `margin` nats
 *     (REPAIR_MARGIN); among those that do, the smallest edit wins.
 *   - A number in a table (its line shaped like the line above or below) is data: never a site
 *     (core/repairCandidates numberInTable).
 *
 * The result's confidence is the model's judgement of each change: a replaced site's new text
 * carries its margin over the original as a probability (core/confidence marginConfidence). A
 * bracket put back carries none: the parser asked for it, and the model only chose where among
 * the parser's fixes (each weighed against the broken text at its own site).
 */
import { carryChars, marginConfidence, toSpans } from '../core/confidence';
import type { FillBackend, OffsetRange, SamplerOptions, TokenConfidence } from '../core/types';
import { suspiciousTokens, type RepairSelectOptions } from '../core/repairSelect';
import { applyBracketEdit, bracketEdits, bracketSite, dropsRealName, editDistance, IDENTIFIER, identifierCounts, isSlip, isSwap, nameCandidates, numberInTable, siteAt, type BracketEdit, type RepairSite } from '../core/repairCandidates';
import { pairingEdits } from '../core/bracketPairing';
import { OPEN_OF, scanBrackets } from '../core/indentBrackets';
import { leadingWhitespace, lineEndAt, lineStartAt } from '../core/indent';
import { familyOfLanguage, nameCounts, type NameLookup } from '../core/names';
import { anchorRange, preprocessed, proseRanges, validateFill, validateFills, type FillValidation } from '../syntax';
import type { RankScores, RankSite, TokenScores } from '../model/protocol';

export type ScoreFn = (text: string, prefix: string, suffix: string, passes: number, seed: number) => Promise<TokenScores>;
export type RankFn = (sites: readonly RankSite[]) => Promise<RankScores>;

/** The model's two views of existing code: per-token plausibility, and candidates ranked at a site. */
export interface RepairScorer {
  readonly score: ScoreFn;
  readonly rank: RankFn;
}

export interface RepairOptions {
  readonly docText: string;
  readonly range: OffsetRange;
  readonly languageId: string;
  readonly sampler: SamplerOptions;
  readonly select?: Partial<RepairSelectOptions>;
  /** Log-probability (nats) by which a replacement must beat the original at its site. */
  readonly margin?: number;
  /**
   * The workspace's names outside this document (core/names NameIndex.except). The document's own
   * names are always counted; a name that occurs anywhere besides the site is real and never replaced.
   */
  readonly names?: NameLookup;
  readonly passes?: number;
  readonly maxRounds?: number;
  readonly signal?: AbortSignal;
  /** Called with the suspicious spans (document offsets) before they are filled. */
  readonly onSuspects?: (spans: readonly OffsetRange[]) => void;
}

export interface RepairResult {
  readonly range: OffsetRange;
  readonly newText: string;
  /**
   * Spans of `newText` the repair wrote, each with p = marginConfidence(the nats by which the model
   * preferred it over the original); empty when nothing was replaced (always set: the margins
   * are known wherever the repair changed something).
   */
  readonly confidence?: readonly TokenConfidence[];
  readonly changed: boolean;
  readonly suspects: number;
  readonly rounds: number;
  readonly nfe: number;
  readonly ms: number;
}

const REPAIR_BATCH = 8;
/** Sites examined per round (the least probable first). */
const MAX_SITES = 8;
/** Bracket edits parsed at most per round, and characters of code before the block they may close. */
const BRACKET_EDITS = 120;
const BRACKET_CONTEXT = 1500;
/** Names counted as "spelled nearby": this many characters either side of the block. */
const NEARBY = 8000;

export const REPAIR_DEFAULTS: RepairSelectOptions = { threshold: 0.02, maxShare: 0.15, neighbourhood: 0, identifiers: true };
/**
 * Nats by which the model must prefer a change over the original at its site (the one rule for
 * proposing a change). Chosen on held-out files of the training packages (val.jsonl, 30 misspelled
 * and 30 clean blocks of 8-16 lines, never the packages reserved for evaluation): margins 3, 4 and 5
 * restored the same 80% of the typos and changed the same 1 clean block of 30, a margin of 2
 * changed 2. Most name fixes score 8 nats and more; the README's slip (`unitPirce`) 4.1.
 */
export const REPAIR_MARGIN = 4;

interface Replacement {
  readonly start: number;
  readonly end: number;
  readonly text: string;
  /** Nats by which the model preferred `text` over the original at the site. */
  readonly gain: number;
}

export async function runRepair(backend: FillBackend, scorer: RepairScorer, o: RepairOptions): Promise<RepairResult> {
  const t0 = performance.now();
  const select = { ...REPAIR_DEFAULTS, ...o.select };
  const margin = o.margin ?? REPAIR_MARGIN;
  const range = o.range.start === o.range.end ? (await anchorRange(o.docText, o.languageId, o.range, 'syntax')).range : o.range;
  const prefix = o.docText.slice(0, range.start);
  const suffix = o.docText.slice(range.end);
  const nearby = prefix.slice(-NEARBY) + '\n' + suffix.slice(0, NEARBY);
  const check = (text: string) => validateFill(o.docText, o.languageId, range, text);
  const family = familyOfLanguage(o.languageId) ?? 'plain';
  const context = prefix.slice(prefix.lastIndexOf('\n', Math.max(0, prefix.length - BRACKET_CONTEXT)) + 1);
  // Names of the document around the block (the block's own are counted each round, as it changes).
  const around = nameCounts(prefix, family);
  for (const [name, k] of nameCounts(suffix, family)) around.set(name, (around.get(name) ?? 0) + k);
  let block = o.docText.slice(range.start, range.end);
  // Per character of `block`: the confidence of the replacement that wrote it, NaN for the rest.
  let chars: Float32Array = new Float32Array(block.length).fill(NaN);
  let nfe = 0;
  let suspects = 0;
  let rounds = 0;
  while (rounds < (o.maxRounds ?? 3) && !o.signal?.aborted) {
    rounds++;
    const before = await validateFill(o.docText, o.languageId, range, block, { whole: true });
    // Code that stopped parsing: a bracket put back (or taken out) where the parser agrees. A
    // closer lost on a line of its own often breaks the code only where the parser gives up, at
    // the end of the function or the file: then the whole document must parse after the fix.
    const broken = !before.checked ? undefined : before.errorsAfter > 0 ? 'near' : (before.errorsInDocument ?? 0) > 0 ? 'far' : undefined;
    // Where the parser cannot tell (C and C++ behind macros, a macro's body), brackets that no
    // longer pair up in the whole file are the evidence.
    const fixed = (broken ? await fixBrackets(block, broken === 'far') : undefined) ?? (await pairBrackets(block, before));
    if (fixed !== undefined) {
      chars = carryChars(block, chars, fixed);
      block = fixed;
      continue;
    }
    const s = await scorer.score(block, prefix, suffix, o.passes ?? 4, o.sampler.seed + rounds);
    nfe += s.nfe;
    const known = identifierCounts(nearby + '\n' + block);
    const inBlock = nameCounts(block, family);
    // Real: spelled somewhere besides the one spot being repaired (the block, the file, the workspace).
    const real = (name: string) => (inBlock.get(name) ?? 0) + (around.get(name) ?? 0) + (o.names?.occurrences(name) ?? 0) > 1;
    const wider = () => widerNames(around, inBlock, o.names);
    const prose = (await proseRanges(prefix + block + suffix, o.languageId, { start: range.start, end: range.start + block.length })) ?? [];
    const inProse = (x: OffsetRange) => prose.some((p) => p.start < range.start + x.end && range.start + x.start < p.end);
    const undoubted = new Set<RepairSite>();
    let sites = sitesOf(block, s, known, select, real, wider, inProse, undoubted);
    if (sites.length === 0) break;
    suspects += sites.length;
    o.onSuspects?.(sites.map((x) => ({ start: range.start + x.start, end: range.start + x.end })));
    await addDenoised(block, sites.filter((x) => !undoubted.has(x)));
    // A name is only ever changed by one slip (core/repairCandidates isSlip); a site left with no
    // candidate is not ranked.
    for (const x of sites) {
      if (x.kind === 'identifier') x.candidates.splice(0, x.candidates.length, ...x.candidates.filter((c) => isSlip(x.original.trim(), c.trim())));
    }
    sites = sites.filter((x) => x.candidates.length > 0);
    if (sites.length === 0) break;
    const ranked = await scorer.rank(sites.map((x) => ({
      prefix: prefix + block.slice(0, x.start),
      suffix: block.slice(x.end) + suffix,
      candidates: [x.original, ...x.candidates],
    })));
    nfe += ranked.nfe;
    const picks: Replacement[] = [];
    sites.forEach((x, i) => {
      const sc = ranked.scores[i];
      // The one rule: a change is proposed only when the model prefers it over the original by the
      // margin. A candidate that would replace a real name is none; of those left above the margin,
      // the smallest edit wins (a slip is one or two keys), then the model's preference.
      const dist = (j: number) => editDistance(x.original.trim(), x.candidates[j - 1].trim(), 3);
      let best = -1;
      for (let j = 1; j < sc.length; j++) {
        if (dropsRealName(x.original, x.candidates[j - 1], real) || sc[j] - sc[0] < margin) continue;
        if (best < 0 || dist(j) < dist(best) || (dist(j) === dist(best) && sc[j] > sc[best])) best = j;
      }
      if (best > 0) picks.push({ start: x.start, end: x.end, text: x.candidates[best - 1], gain: sc[best] - sc[0] });
    });
    // The surest first; each must leave the code parsing at least as well as it found it.
    let next = block;
    let applied: Replacement[] = [];
    for (const r of picks.sort((a, b) => b.gain - a.gain)) {
      const trial = applyAll(block, [...applied, r]);
      const v = await check(trial);
      if (v.checked && v.errorsAfter > before.errorsAfter) continue;
      applied = [...applied, r];
      next = trial;
    }
    if (next === block) break;
    chars = replacedConfidence(chars, applied);
    block = next;
  }
  const original = o.docText.slice(range.start, range.end);
  const changed = block !== original;
  return { range, newText: block, confidence: changed ? toSpans(block, chars) : [], changed, suspects, rounds, nfe, ms: performance.now() - t0 };

  /** `whole`: the breakage shows only in the whole document, which must parse after the fix. */
  async function fixBrackets(text: string, whole: boolean): Promise<string | undefined> {
    const tryEdits = async (edits: readonly BracketEdit[]) => {
      // A closer put on a blank line takes the indentation of the line it closes.
      const edited = edits.map((e) => (whole ? indentLikeOpener(text, e, o.languageId, context) : { text: applyBracketEdit(text, e), edit: e }));
      const checks = await validateFills(o.docText, o.languageId, range, edited.map((x) => x.text), { whole });
      // A bracket put back (or taken out) must explain all the breakage around the block: one that
      // only lowers the count is a guess in code the grammar cannot read anyway (C and C++ behind
      // macros), and clean code must come back untouched.
      return edited.flatMap(({ text: t, edit: e }, i) => checks[i].checked && checks[i].errorsAfter === 0 && (!whole || checks[i].errorsInDocument === 0)
        ? [{ text: t, site: bracketSite(t, e), errors: checks[i].errorsAfter, edit: e, removed: e.delete ? text[e.at] : '' }]
        : []);
    };
    // Where only the whole document shows the breakage, a closer is only put back on a line left
    // blank in the block, where one stood on its own: anywhere else the parser is as happy with it
    // (`}#[inline]`) and the model is the only judge.
    const allowed = (e: BracketEdit) => !whole || (e.insert !== undefined && onBlankLine(text, e.at));
    // The block's own openers first; when none of their closers helps, the lines before the block
    // are read too: the closer it lost may be of an opener above it.
    const own = bracketEdits(text, o.languageId, BRACKET_EDITS).filter(allowed);
    let fixes = await tryEdits(own);
    if (fixes.length === 0 && context && !o.signal?.aborted) {
      const tried = new Set(own.map((e) => `${e.at}${e.insert ?? '-'}`));
      const wider = bracketEdits(context + text, o.languageId, BRACKET_EDITS, context.length)
        .map((e) => ({ ...e, at: e.at - context.length }))
        .filter((e) => !tried.has(`${e.at}${e.insert ?? '-'}`) && allowed(e));
      fixes = await tryEdits(wider);
    }
    if (o.signal?.aborted) return undefined;
    if (fixes.length === 0) return undefined;
    const fewest = Math.min(...fixes.map((f) => f.errors));
    const best = fixes.filter((f) => f.errors === fewest);
    suspects += 1;
    o.onSuspects?.(best.map((f) => ({ start: range.start + f.site.start, end: range.start + f.site.end })));
    if (best.length === 1) return best[0].text;
    const gains = await weigh(best);
    return best[gains.indexOf(Math.max(...gains))].text;
  }

  /**
   * A bracket put back (or taken out) where the whole file's brackets then pair up
   * (core/bracketPairing). The fixes the model prefers to the broken text at their
   * own site are checked by the parser: one must leave no more syntax errors, in the block and in
   * the whole document, than there were, and fewer in all when there were any (but in C and C++,
   * whose macros the parser cannot read). The fewest errors win, then the model's preference.
   */
  async function pairBrackets(text: string, before: FillValidation): Promise<string | undefined> {
    // Without a grammar (Markdown, shell, plain text) nothing checks the fix: `1) Install` is prose.
    if (!before.checked) return undefined;
    const edits = pairingEdits(prefix + text + suffix, prefix.length, prefix.length + text.length, o.languageId);
    if (edits.length === 0 || o.signal?.aborted) return undefined;
    const seen = new Set<string>();
    const fixes = edits.flatMap((e) => {
      const put = onBlankLine(text, e.at) ? indentLikeOpener(text, e, o.languageId, context) : { text: applyBracketEdit(text, e), edit: e };
      if (seen.has(put.text)) return [];
      seen.add(put.text);
      return [{ ...put, site: bracketSite(put.text, put.edit), removed: e.delete ? text[e.at] : '' }];
    });
    const gains = await weigh(fixes);
    const liked = fixes.map((f, i) => ({ f, gain: gains[i] })).filter((x) => x.gain > 0);
    if (liked.length === 0 || o.signal?.aborted) return undefined;
    suspects += 1;
    o.onSuspects?.(liked.map((x) => ({ start: range.start + x.f.site.start, end: range.start + x.f.site.end })));
    const checks = await validateFills(o.docText, o.languageId, range, liked.map((x) => x.f.text), { whole: true });
    // Where the parser sees the breakage, the fix must mend some of it; where it sees none (a
    // macro's body), or reads the code before its macros are expanded (C, C++), the fix must not
    // break what it reads. Of those, the fewest errors, then the model's preference.
    const had = before.errorsAfter + (before.errorsInDocument ?? 0);
    const mustMend = had > 0 && !preprocessed(o.languageId);
    const errors = (i: number) => checks[i].errorsAfter + (checks[i].errorsInDocument ?? 0);
    const kept = liked.flatMap((x, i) => {
      const c = checks[i];
      const ok = c.checked && (c.errorsAfter <= before.errorsAfter && (c.errorsInDocument ?? 0) <= (before.errorsInDocument ?? 0) && (!mustMend || errors(i) < had));
      return ok ? [{ ...x, errors: errors(i) }] : [];
    });
    if (kept.length === 0) return undefined;
    kept.sort((a, b) => a.errors - b.errors || b.gain - a.gain);
    return kept[0].f.text;
  }

  /**
   * Each bracket fix weighed against the broken text at its own site (the run with the bracket, and
   * without it): nats by which the model prefers the fix there.
   */
  async function weigh(fixes: ReadonlyArray<{ text: string; site: OffsetRange; edit: BracketEdit; removed: string }>): Promise<number[]> {
    const ranked = await scorer.rank(fixes.map((f) => {
      const run = f.text.slice(f.site.start, f.site.end);
      const at = f.edit.at - f.site.start;
      const broken = f.edit.delete ? run.slice(0, at) + f.removed + run.slice(at) : run.slice(0, at) + run.slice(at + 1);
      return { prefix: prefix + f.text.slice(0, f.site.start), suffix: f.text.slice(f.site.end) + suffix, candidates: [run, broken] };
    }));
    nfe += ranked.nfe;
    return ranked.scores.map((sc) => sc[0] - sc[1]);
  }

  /** The model's own fill of each re-masked name joins its candidates when it is a slip away. */
  async function addDenoised(text: string, sites: RepairSite[]): Promise<void> {
    const names = sites.filter((x) => x.kind === 'identifier');
    for (let i = 0; i < names.length; i += REPAIR_BATCH) {
      const part = names.slice(i, i + REPAIR_BATCH);
      const out = await backend.fill(part.map((x) => ({
        prefix: prefix + text.slice(0, x.start),
        suffix: text.slice(x.end) + suffix,
        original: x.original,
        languageId: o.languageId,
      })), o.sampler, { signal: o.signal });
      nfe += out.nfe;
      part.forEach((x, k) => {
        const fill = out.texts[k];
        const lead = x.original.startsWith(' ') ? ' ' : '';
        const word = fill.trim();
        if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(word) && editDistance(word, x.original.trim(), 2) <= 2) {
          const cand = lead + word;
          if (cand !== x.original && !x.candidates.includes(cand)) x.candidates.push(cand);
        }
      });
    }
  }
}

/**
 * Sites around the suspicious tokens, least probable first, without overlaps or prose. A name that
 * is not real gets the near names of the whole file and workspace as candidates too, after the
 * nearby ones. Then every name of the block that is spelled nowhere else yet is a slip away from a
 * real one is a site too, however plausible the model found it (the ranking and the margin decide);
 * those go into `undoubted`.
 */
function sitesOf(block: string, s: TokenScores, known: ReadonlyMap<string, number>, select: RepairSelectOptions,
  real: (name: string) => boolean, wider: () => ReadonlyMap<string, number>, skip: (x: OffsetRange) => boolean,
  undoubted: Set<RepairSite>): RepairSite[] {
  const picked = suspiciousTokens(block, s.spans, s.probs, select);
  const sites: RepairSite[] = [];
  let all: ReadonlyMap<string, number> | undefined;
  const widen = (site: RepairSite) => {
    if (site.kind !== 'identifier' || site.candidates.length >= NAME_CANDIDATES) return;
    const lead = site.original.startsWith(' ') ? ' ' : '';
    all ??= wider();
    for (const name of nameCandidates(site.original.trim(), all, NAME_CANDIDATES)) {
      if (site.candidates.length >= NAME_CANDIDATES) break;
      if (!site.candidates.includes(lead + name)) site.candidates.push(lead + name);
    }
  };
  const add = (site: RepairSite | undefined, doubted: boolean) => {
    if (!site || skip(site) || sites.some((x) => x.start < site.end && site.start < x.end)) return;
    if (site.kind === 'number' && numberInTable(block, site)) return;
    widen(site);
    if (!doubted) {
      // A name the model does not doubt is only checked against real names it spells with two
      // neighbouring letters swapped (`hots` for `host`): one a letter longer or shorter, another
      // letter, or another case is usually a deliberate variant (`lines` and `line`, `BOM_UTF32_BE`
      // and `BOM_UTF32_LE`, `ZipFile` and `zipfile`, `defineProperty_`).
      const word = site.original.trim();
      const slips = site.candidates.filter((c) => isSwap(word, c.trim()) && real(c.trim()));
      if (slips.length === 0) return;
      site.candidates.splice(0, site.candidates.length, ...slips);
      undoubted.add(site);
    }
    sites.push(site);
  };
  for (const i of picked) {
    if (sites.length >= MAX_SITES) break;
    add(siteAt(block, s.spans[i][0], s.spans[i][1], known, real), true);
  }
  for (const m of block.matchAll(IDENTIFIER)) {
    if (sites.length >= MAX_SITES) break;
    if (m[0].length < 3 || /[A-Za-z0-9_$]/.test(block[m.index - 1] ?? '') || real(m[0])) continue;
    const site = siteAt(block, m.index, m.index + m[0].length, known, real);
    if (site?.kind === 'identifier') add(site, false);
  }
  return sites;
}

/** Whether offset `at` of `text` is on a line of nothing but spaces. */
function onBlankLine(text: string, at: number): boolean {
  return text.slice(lineStartAt(text, at), lineEndAt(text, at)).trim() === '';
}

/**
 * The closer of `edit` put on its blank line of `text`; on an empty one, with the indentation of the
 * line of the innermost opener of its kind left open above it (`before`: the code above `text`,
 * where that opener may stand). And the edit as it then stands.
 */
function indentLikeOpener(text: string, edit: BracketEdit, languageId: string, before: string): { text: string; edit: BracketEdit } {
  const start = lineStartAt(text, edit.at);
  const end = lineEndAt(text, edit.at);
  const all = before + text;
  const kind = OPEN_OF[edit.insert ?? ''];
  const opener = scanBrackets(all.slice(0, before.length + edit.at), languageId).unclosed.filter((b) => b.ch === kind).pop();
  // The indentation left on the line is the writer's own: it stays.
  if (!opener || text.slice(start, end).replace(/\r$/, '') !== '') return { text: applyBracketEdit(text, edit), edit };
  const indent = leadingWhitespace(all.slice(lineStartAt(all, opener.at)));
  return { text: text.slice(0, start) + indent + (edit.insert ?? '') + text.slice(end), edit: { ...edit, at: start + indent.length } };
}

/** Near-name candidates a site may take at most. */
const NAME_CANDIDATES = 6;

/** The file's and the workspace's names with their counts, for near-name candidates. */
function widerNames(around: ReadonlyMap<string, number>, inBlock: ReadonlyMap<string, number>, names: NameLookup | undefined): Map<string, number> {
  const out = new Map(around);
  for (const [name, k] of inBlock) out.set(name, (out.get(name) ?? 0) + k);
  if (names) for (const [name, k] of names.entries()) out.set(name, (out.get(name) ?? 0) + k);
  return out;
}

function applyAll(text: string, rs: readonly Replacement[]): string {
  let out = text;
  for (const r of [...rs].sort((a, b) => b.start - a.start)) out = out.slice(0, r.start) + r.text + out.slice(r.end);
  return out;
}

/** Per-character confidence after applyAll: each replacement's text gets its margin as a probability. */
function replacedConfidence(chars: Float32Array, rs: readonly Replacement[]): Float32Array {
  let out = chars;
  for (const r of [...rs].sort((a, b) => b.start - a.start)) {
    const next = new Float32Array(out.length - (r.end - r.start) + r.text.length);
    next.set(out.subarray(0, r.start));
    next.fill(marginConfidence(r.gain), r.start, r.start + r.text.length);
    next.set(out.subarray(r.end), r.start + r.text.length);
    out = next;
  }
  return out;
}

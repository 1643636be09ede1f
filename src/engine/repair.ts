/**
 * Diffuse Repair: score every token of a block with itself hidden, and where the model finds a
 * token improbable, re-mask the identifier, operator or literal it belongs to and ask what stood
 * there: the model's own denoised fill and the near alternatives (a name spelled nearby, `<=` for
 * `<`, n + 1 for n) are ranked by the model at the masked site, and one replaces the original only
 * when the model prefers it by a clear margin. Code that no longer parses gets its closing bracket
 * back (or a stray one removed) where the parser agrees and the model likes it best. Every change
 * must parse at least as well as what it replaces; rounds repeat until nothing changes. Clean code
 * comes back unchanged: "nothing to repair".
 *
 * The result's confidence is the model's judgement of each change: a replaced site's new text
 * carries its margin over the original as a probability (core/confidence marginConfidence). A
 * bracket put back carries none: the model only chose among the parser's fixes, never weighed
 * one against the broken text.
 */
import { carryChars, marginConfidence, toSpans } from '../core/confidence';
import type { FillBackend, OffsetRange, SamplerOptions, TokenConfidence } from '../core/types';
import { suspiciousTokens, type RepairSelectOptions } from '../core/repairSelect';
import { applyBracketEdit, bracketEdits, bracketSite, editDistance, identifierCounts, siteAt, type RepairSite } from '../core/repairCandidates';
import { anchorRange, proseRanges, validateFill, validateFills } from '../syntax';
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
/** Names counted as "spelled nearby": this many characters either side of the block. */
const NEARBY = 8000;

export const REPAIR_DEFAULTS: RepairSelectOptions = { threshold: 0.02, maxShare: 0.15, neighbourhood: 0, identifiers: true };
export const REPAIR_MARGIN = 2;

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
  let block = o.docText.slice(range.start, range.end);
  // Per character of `block`: the confidence of the replacement that wrote it, NaN for the rest.
  let chars: Float32Array = new Float32Array(block.length).fill(NaN);
  let nfe = 0;
  let suspects = 0;
  let rounds = 0;
  while (rounds < (o.maxRounds ?? 3) && !o.signal?.aborted) {
    rounds++;
    const before = await check(block);
    // Code that stopped parsing: a bracket put back (or taken out) where the parser agrees.
    if (before.checked && before.errorsAfter > 0) {
      const fixed = await fixBrackets(block, before.errorsAfter);
      if (fixed !== undefined) {
        chars = carryChars(block, chars, fixed);
        block = fixed;
        continue;
      }
    }
    const s = await scorer.score(block, prefix, suffix, o.passes ?? 4, o.sampler.seed + rounds);
    nfe += s.nfe;
    const known = identifierCounts(nearby + '\n' + block);
    const prose = (await proseRanges(prefix + block + suffix, o.languageId, { start: range.start, end: range.start + block.length })) ?? [];
    const inProse = (x: OffsetRange) => prose.some((p) => p.start < range.start + x.end && range.start + x.start < p.end);
    const sites = sitesOf(block, s, known, select).filter((x) => !inProse(x));
    if (sites.length === 0) break;
    suspects += sites.length;
    o.onSuspects?.(sites.map((x) => ({ start: range.start + x.start, end: range.start + x.end })));
    await addDenoised(block, sites);
    const ranked = await scorer.rank(sites.map((x) => ({
      prefix: prefix + block.slice(0, x.start),
      suffix: block.slice(x.end) + suffix,
      candidates: [x.original, ...x.candidates],
    })));
    nfe += ranked.nfe;
    const picks: Replacement[] = [];
    sites.forEach((x, i) => {
      const sc = ranked.scores[i];
      let best = 1;
      for (let j = 2; j < sc.length; j++) if (sc[j] > sc[best]) best = j;
      if (sc.length > 1 && sc[best] - sc[0] >= margin) picks.push({ start: x.start, end: x.end, text: x.candidates[best - 1], gain: sc[best] - sc[0] });
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

  async function fixBrackets(text: string, errors: number): Promise<string | undefined> {
    const edits = bracketEdits(text);
    const edited = edits.map((e) => applyBracketEdit(text, e));
    const checks = await validateFills(o.docText, o.languageId, range, edited);
    if (o.signal?.aborted) return undefined;
    const fixes = edits.flatMap((e, i) => checks[i].checked && checks[i].errorsAfter < errors
      ? [{ text: edited[i], site: bracketSite(edited[i], e), errors: checks[i].errorsAfter }]
      : []);
    if (fixes.length === 0) return undefined;
    const fewest = Math.min(...fixes.map((f) => f.errors));
    const best = fixes.filter((f) => f.errors === fewest);
    suspects += 1;
    o.onSuspects?.(best.map((f) => ({ start: range.start + f.site.start, end: range.start + f.site.end })));
    if (best.length === 1) return best[0].text;
    const ranked = await scorer.rank(best.map((f) => ({
      prefix: prefix + f.text.slice(0, f.site.start),
      suffix: f.text.slice(f.site.end) + suffix,
      candidates: [f.text.slice(f.site.start, f.site.end)],
    })));
    nfe += ranked.nfe;
    let k = 0;
    ranked.scores.forEach((sc, i) => {
      if (sc[0] > ranked.scores[k][0]) k = i;
    });
    return best[k].text;
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

/** Sites around the suspicious tokens, least probable first, without overlaps. */
function sitesOf(block: string, s: TokenScores, known: ReadonlyMap<string, number>, select: RepairSelectOptions): RepairSite[] {
  const picked = suspiciousTokens(block, s.spans, s.probs, select);
  const sites: RepairSite[] = [];
  for (const i of picked) {
    const site = siteAt(block, s.spans[i][0], s.spans[i][1], known);
    if (!site || sites.some((x) => x.start < site.end && site.start < x.end)) continue;
    sites.push(site);
    if (sites.length >= MAX_SITES) break;
  }
  return sites;
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

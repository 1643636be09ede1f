/**
 * Fills a batch of holes with a loaded model: layout, denoise, decode. Runs inside the inference
 * worker; tests call it in-process with the same serialisable requests.
 */
import { canvasLength, layoutInfill, type Layout, type LayoutParams } from '../core/layout';
import { CancelledError, denoise, type CanvasRow } from '../core/sampler';
import { MASK_GLYPH, type FillOutput, type FillRequest, type SamplerOptions, type StepEvent, type TokenConfidence } from '../core/types';
import { loadModelPackage, type ModelPackage } from './modelPackage';
import { openSession, type OpenedSession, type ProviderChoice } from './session';
import { CodeTokenizer } from './tokenizer';

export interface LoadedModel {
  readonly pkg: ModelPackage;
  readonly tokenizer: CodeTokenizer;
  readonly session: OpenedSession;
}

export async function loadModel(dir: string, provider: ProviderChoice = 'auto', threads = 0): Promise<LoadedModel> {
  const pkg = loadModelPackage(dir);
  const tokenizer = new CodeTokenizer(pkg.tokenizerJson);
  const session = await openSession(pkg, provider, threads);
  return { pkg, tokenizer, session };
}

export function layoutParams(m: LoadedModel): LayoutParams {
  const c = m.pkg.config;
  return { maxContext: c.maxContext, maskId: c.special.mask, slack: c.sampler.slack, isNewline: (id) => m.tokenizer.isNewline(id) };
}

/** Share of a rewrite's original length (in tokens) its fill keeps: an empty answer would delete the code. */
const MIN_REWRITE_SHARE = 0.5;

export function layoutRequest(m: LoadedModel, r: FillRequest): Layout & { readonly minLength: number } {
  const p = layoutParams(m);
  const original = r.original ? m.tokenizer.encode(r.original).length : 0;
  const L = canvasLength(original, p.slack, r.maxTokens);
  const context = encodeContext(m, r.prefix, r.suffix);
  return { ...layoutInfill(context.prefix, context.suffix, L, p), minLength: Math.ceil(original * MIN_REWRITE_SHARE) };
}

/**
 * The tokens of the code around a canvas, as far as it can reach the model's context: only the
 * near end of a long prefix or suffix is tokenized (a site deep in a large file would otherwise
 * tokenize the whole file around it, for every fill, score and ranked site). A window of whole
 * lines a few characters per token wide is tried first and doubled until it holds the tokens the
 * context can take and a margin, or reaches the longest text those tokens could span; the margin
 * beyond the cut keeps the tokens that are kept the ones the whole text gives.
 */
export function encodeContext(m: LoadedModel, prefix: string, suffix: string): { prefix: number[]; suffix: number[] } {
  const need = m.pkg.config.maxContext + CONTEXT_MARGIN_TOKENS;
  const reach = need * m.tokenizer.maxTokenBytes;
  const encodeNear = (text: string, cut: (width: number) => string): number[] => {
    for (let width = need * CHARS_PER_TOKEN_GUESS; ; width *= 2) {
      if (width >= reach || width >= text.length) return m.tokenizer.encode(text.length > reach ? cut(reach) : text);
      const ids = m.tokenizer.encode(cut(width));
      if (ids.length >= need) return ids;
    }
  };
  return {
    prefix: encodeNear(prefix, (w) => prefix.slice(lineStartBefore(prefix, prefix.length - w))),
    suffix: encodeNear(suffix, (w) => suffix.slice(0, lineEndAfter(suffix, w))),
  };
}

/** Tokens of context tokenized beyond what the model's context can take, so a cut's edge is never kept. */
const CONTEXT_MARGIN_TOKENS = 16;
/** Characters per token the first window of context assumes (code averages about three). */
const CHARS_PER_TOKEN_GUESS = 4;

/** The start of the line holding `at` (0 when none begins before it). */
function lineStartBefore(text: string, at: number): number {
  return text.lastIndexOf('\n', at) + 1;
}

/** The offset just past the line break at or after `at` (the text's end when there is none). */
function lineEndAfter(text: string, at: number): number {
  const nl = text.indexOf('\n', at);
  return nl < 0 ? text.length : nl + 1;
}

/**
 * Canvas text with masked positions as MASK_GLYPH and padding dropped (for the live view), and the
 * committed tokens' confidence as spans of that text.
 */
export function canvasText(m: LoadedModel, row: CanvasRow): { text: string; masked: number; confidence: TokenConfidence[] } {
  const { mask } = m.pkg.config.special;
  let text = '';
  let masked = 0;
  const confidence: TokenConfidence[] = [];
  let run: number[] = [];
  let runProbs: number[] = [];
  const flush = (): void => {
    const { text: piece, ends } = m.tokenizer.decodeWithEnds(run);
    ends.forEach((end, i) => {
      const start = i ? ends[i - 1] : 0;
      if (end > start && Number.isFinite(runProbs[i])) confidence.push({ start: text.length + start, end: text.length + end, p: runProbs[i] });
    });
    text += piece;
    run = [];
    runProbs = [];
  };
  for (let p = row.start; p < row.start + row.length; p++) {
    const id = row.ids[p];
    if (id === mask) {
      flush();
      text += MASK_GLYPH;
      masked++;
    } else if (!m.tokenizer.isSpecial(id)) {
      run.push(id);
      runProbs.push(row.probs ? row.probs[p] : NaN);
    }
  }
  flush();
  return { text, masked, confidence };
}

export async function fillBatch(
  m: LoadedModel,
  requests: readonly FillRequest[],
  options: SamplerOptions,
  hooks: { onStep?: (e: StepEvent) => void; isCancelled?: () => boolean; beforeCall?: () => Promise<void> } = {},
): Promise<FillOutput> {
  const t0 = performance.now();
  const rows: CanvasRow[] = requests.map((r) => {
    const layout = layoutRequest(m, r);
    return { ...layout, probs: new Float32Array(layout.ids.length).fill(NaN) };
  });
  // The steps change the canvases only: the code around them is the context the session may cache.
  const call = options.contextCache === false ? (ids: readonly Int32Array[]) => m.session.forward(ids) : m.session.fillForward(rows.map((r) => ({ start: r.start, length: r.length })));
  const forward = hooks.beforeCall
    ? async (ids: readonly Int32Array[]) => {
        await hooks.beforeCall?.();
        if (hooks.isCancelled?.()) throw new CancelledError();
        return call(ids);
      }
    : call;
  const nfe = await denoise(forward, rows, m.pkg.config.special, options, {
    isCancelled: hooks.isCancelled,
    onStep: hooks.onStep
      ? (step, totalSteps, rs) => {
          const views = rs.map((r) => canvasText(m, r));
          hooks.onStep?.({ step, totalSteps, canvases: views.map((v) => v.text), masked: views.map((v) => v.masked), confidence: views.map((v) => v.confidence) });
        }
      : undefined,
  });
  // Every position is committed now: the canvas text is the fill, with its tokens' confidence.
  const done = rows.map((r) => canvasText(m, r));
  return { texts: done.map((d) => d.text), confidence: done.map((d) => d.confidence), nfe, ms: performance.now() - t0, canvasTokens: rows.map((r) => r.length) };
}

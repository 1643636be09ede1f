/**
 * One onnxruntime-node session over a model package. `run()` of onnxruntime-node blocks the
 * JavaScript thread, so this module is used inside the inference worker (or in-process by tests).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as OrtTypes from 'onnxruntime-node';
import type { Logits } from '../core/sampler';
import { canvasBatch, contextOf, holdsContext, packPast, pastMask, type CanvasSpan, type RowContext } from './contextCache';
import { ModelPackageError, type ContextCacheSpec, type ModelPackage } from './modelPackage';

// Loaded lazily so that a missing native binary is reported as a clear error at load time.
type Ort = typeof OrtTypes;

/** The outputs the position head adds (models/onnx_head.py). */
const POSITION_OUTPUTS = ['logits_at', 'top_values', 'top_indices', 'lse'] as const;

export type ProviderChoice = 'auto' | 'cpu' | 'cuda' | 'dml' | 'coreml' | 'webgpu';

/**
 * Providers this onnxruntime-node build offers on this platform, best first. CUDA and TensorRT are
 * listed by every Linux build but usable only when their libraries were installed
 * (`npm install --onnxruntime-node-install=cuda12`), so they count only when the library is there.
 */
export function availableProviders(ort: Ort): string[] {
  const listed = ort.listSupportedBackends().filter((b) => b.bundled || providerLibraryPresent(b.name)).map((b) => b.name);
  const order = ['cuda', 'dml', 'coreml', 'webgpu', 'cpu'];
  return order.filter((p) => listed.includes(p));
}

function providerLibraryPresent(name: string): boolean {
  try {
    const binDir = path.join(path.dirname(require.resolve('onnxruntime-node/package.json')), 'bin', 'napi-v6', process.platform, process.arch);
    return fs.readdirSync(binDir).some((f) => f.includes(`providers_${name}`));
  } catch {
    return false;
  }
}

/**
 * Turns off onnxruntime's own telemetry. Since 1.2x the Linux and macOS builds carry Microsoft's
 * 1DS telemetry: on first use they write a device id and an event queue (`onnxruntime.db`) under
 * `~/.cache/Microsoft/DeveloperTools/.onnxruntime/` for upload. The native library reads
 * `ORT_DISABLE_TELEMETRY` from the process environment at load: the worker process is started
 * with it set (workerClient.ts), and this sets it before an in-process load (tests, tools).
 */
export function disableOrtTelemetry(): void {
  process.env.ORT_DISABLE_TELEMETRY = '1';
}

function loadOrt(): Ort {
  disableOrtTelemetry();
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('onnxruntime-node') as Ort;
  } catch (e) {
    throw new ModelPackageError(`onnxruntime-node could not be loaded on ${process.platform}-${process.arch}: ${(e as Error).message}`);
  }
}

export interface OpenedSession {
  readonly provider: string;
  readonly fallbackNotice?: string;
  /** What this onnxruntime-node build can use on this machine, best first (for the log). */
  readonly available: readonly string[];
  /** One model call over whole rows. */
  forward(rows: readonly Int32Array[]): Promise<Logits>;
  /**
   * The model calls of one fill whose rows change only inside `canvases` (one per row). With a graph
   * that takes a context cache (config.json onnx.cache), the first call runs the whole rows and
   * keeps the keys and values of the code around the canvases; the calls after it run the canvases
   * alone, attending to those. Without one, every call is `forward`. The logits are indexed by the
   * whole rows' positions either way.
   */
  fillForward(canvases: readonly CanvasSpan[]): (rows: readonly Int32Array[]) => Promise<Logits>;
  release(): Promise<void>;
}

export async function openSession(pkg: ModelPackage, choice: ProviderChoice = 'auto', threads = 0): Promise<OpenedSession> {
  const ort = loadOrt();
  ort.env.logLevel = 'error';
  const available = availableProviders(ort);
  // WebGPU in Node is experimental and slower than CPU for small models: `auto` only tries the
  // native GPU providers; it is used when asked for by name.
  const candidates = choice === 'auto' ? available.filter((p) => p !== 'cpu' && p !== 'webgpu') : choice === 'cpu' ? [] : [choice];
  let fallbackNotice: string | undefined;
  const base: OrtTypes.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    ...(threads > 0 ? { intraOpNumThreads: threads } : {}),
    logSeverityLevel: 3,
    // Idle pool threads sleep instead of spinning: the editor, its language servers and the
    // browser share the cores, and a spinning thread takes their time (on two busy cores a step
    // took 45 ms spinning, 34 ms not; on quiet ones 26 and 28 ms).
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
  let session: OrtTypes.InferenceSession | undefined;
  let provider = 'cpu';
  for (const p of candidates) {
    try {
      session = await ort.InferenceSession.create(pkg.onnxPath, { ...base, executionProviders: [p] });
      provider = p;
      break;
    } catch (e) {
      fallbackNotice = `Execution provider "${p}" is not usable here (${firstLine(e)}); using CPU.`;
    }
  }
  if (choice !== 'auto' && choice !== 'cpu' && !available.includes(choice)) {
    fallbackNotice = `Execution provider "${choice}" is not in this onnxruntime-node build (available: ${available.join(', ')}); using CPU.`;
  }
  if (!session) {
    try {
      session = await ort.InferenceSession.create(pkg.onnxPath, { ...base, executionProviders: ['cpu'] });
    } catch (e) {
      throw new ModelPackageError(`model.onnx could not be loaded (${pkg.onnxPath}): ${firstLine(e)}`);
    }
  }
  const s = session;
  const c = pkg.config;
  for (const name of [c.inputIds, ...(c.attentionMask ? [c.attentionMask] : [])]) {
    if (!s.inputNames.includes(name)) {
      throw new ModelPackageError(`model.onnx has no input "${name}" (it has: ${s.inputNames.join(', ')}); check config.json onnx.inputs`);
    }
  }
  if (!s.outputNames.includes(c.output)) {
    throw new ModelPackageError(`model.onnx has no output "${c.output}" (it has: ${s.outputNames.join(', ')}); check config.json onnx.output`);
  }
  // A graph with the position head (models/onnx_head.py) computes the LM head and the sampler's
  // summary at the masked positions only: the full logits are neither computed nor copied.
  if (c.positions) {
    if (!s.inputNames.includes(c.positions)) {
      throw new ModelPackageError(`model.onnx has no input "${c.positions}" (it has: ${s.inputNames.join(', ')}); check config.json onnx.inputs.positions`);
    }
    const missing = POSITION_OUTPUTS.filter((o) => !s.outputNames.includes(o));
    if (missing.length) {
      throw new ModelPackageError(`model.onnx declares the input "${c.positions}" but lacks the outputs ${missing.join(', ')} (models/onnx_head.py adds them)`);
    }
  }

  // The context cache's inputs and outputs, when config.json declares them.
  const cache = c.cache;
  if (cache) {
    const inputs = [cache.positionIds, cache.pastMask, ...cacheNames(cache, cache.past)];
    const missingIn = inputs.filter((n) => !s.inputNames.includes(n));
    const missingOut = cacheNames(cache, cache.present).filter((n) => !s.outputNames.includes(n));
    if (missingIn.length || missingOut.length) {
      throw new ModelPackageError(`model.onnx lacks the context cache's ${[...missingIn.map((n) => `input "${n}"`), ...missingOut.map((n) => `output "${n}"`)].slice(0, 3).join(', ')}${missingIn.length + missingOut.length > 3 ? ', ...' : ''}; check config.json onnx.cache`);
    }
  }

  // Without the position head, the sampler's per-position summary (best tokens, softmax
  // denominator) is computed by onnxruntime over the logits (topk.onnx, scripts/topk_graph.py):
  // vectorised C++ instead of JavaScript loops over the 8,192-token vocabulary for every masked
  // position of every step, which took longer than the model itself. Without either the sampler
  // passes over the vocabulary.
  const topk = c.positions ? undefined : await openTopk(ort, base);

  function feedsFor(rows: readonly Int32Array[]): { feeds: Record<string, OrtTypes.Tensor>; B: number; T: number; masked: number[] } {
    const B = rows.length;
    const T = Math.max(...rows.map((r) => r.length));
    if (T > c.maxContext) throw new ModelPackageError(`Input of ${T} tokens exceeds the model context of ${c.maxContext}`);
    const ids = new BigInt64Array(B * T).fill(BigInt(c.special.pad));
    const att = new BigInt64Array(B * T);
    // Only the masked positions are read by the sampler and the scorer.
    const masked: number[] = [];
    rows.forEach((r, b) => {
      for (let t = 0; t < r.length; t++) {
        ids[b * T + t] = BigInt(r[t]);
        att[b * T + t] = 1n;
        if (r[t] === c.special.mask) masked.push(b * T + t);
      }
    });
    const feeds: Record<string, OrtTypes.Tensor> = { [c.inputIds]: new ort.Tensor('int64', ids, [B, T]) };
    if (c.attentionMask) feeds[c.attentionMask] = new ort.Tensor('int64', att, [B, T]);
    // A graph with a context cache sees whole rows as tokens at 0 .. T - 1 with no past.
    if (cache) Object.assign(feeds, noPast(cache, B), { [cache.positionIds]: new ort.Tensor('int64', BigInt64Array.from({ length: B * T }, (_, i) => BigInt(i % T)), [B, T]) });
    return { feeds, B, T, masked };
  }

  /** The past inputs of a call with no earlier tokens. */
  function noPast(spec: ContextCacheSpec, B: number): Record<string, OrtTypes.Tensor> {
    const feeds: Record<string, OrtTypes.Tensor> = { [spec.pastMask]: new ort.Tensor('int64', new BigInt64Array(0), [B, 0]) };
    for (const name of cacheNames(spec, spec.past)) feeds[name] = new ort.Tensor('float32', new Float32Array(0), [B, spec.heads, 0, spec.headDim]);
    return feeds;
  }

  function checkVocab(dims: readonly number[], expected: readonly number[]): void {
    if (dims.length !== expected.length || dims.some((d, i) => d !== expected[i])) {
      throw new ModelPackageError(`model.onnx returned logits of shape [${dims.join(', ')}], expected [${expected.join(', ')}]: the graph does not match config.json vocab_size`);
    }
  }

  /** The summary of the positions `masked` ([n, k] best tokens, [n] denominators) scattered to their places in [B * T]. */
  function scatterTop(BT: number, masked: readonly number[], sv: Float32Array, si: BigInt64Array, sl: Float32Array, k: number): NonNullable<Logits['top']> {
    const values = new Float32Array(BT * k).fill(NaN);
    const indices = new BigInt64Array(BT * k);
    const lse = new Float32Array(BT).fill(NaN);
    masked.forEach((at, i) => {
      values.set(sv.subarray(i * k, (i + 1) * k), at * k);
      indices.set(si.subarray(i * k, (i + 1) * k), at * k);
      lse[at] = sl[i];
    });
    return { k, values, indices, lse };
  }

  /** The whole rows' logits at their masked positions, and any `extra` outputs of the same call. */
  async function runAtPositions(rows: readonly Int32Array[], positionsName: string, extra: readonly string[] = []): Promise<{ logits: Logits; out: OrtTypes.InferenceSession.OnnxValueMapType }> {
    const { feeds, B, T, masked } = feedsFor(rows);
    // A call with nothing masked still needs one position to gather; its output is not read. A
    // shifted graph's head gives position t's logits at t - 1 (a row's first keeps its own).
    const asked = !masked.length ? [0] : c.logitsShifted ? masked.map((at) => (at % T === 0 ? at : at - 1)) : masked;
    feeds[positionsName] = new ort.Tensor('int64', BigInt64Array.from(asked, BigInt), [asked.length]);
    const out = await s.run(feeds, [...POSITION_OUTPUTS, ...extra]);
    return { logits: headLogits(out, asked.length, masked, B, T), out };
  }

  /** The logits of rows with no masked position: none to read. */
  function noLogits(B: number, T: number): Logits {
    return { data: new Float32Array(0), seqLen: T, vocab: c.vocabSize, slots: new Int32Array(B * T).fill(-1) };
  }

  /**
   * The position head's outputs for `asked` positions as the sampler reads them: indexed by the
   * whole rows' positions `masked` (b * T + t), the rest of the rows left out.
   */
  function headLogits(out: OrtTypes.InferenceSession.OnnxValueMapType, asked: number, masked: readonly number[], B: number, T: number): Logits {
    checkVocab(out.logits_at.dims, [asked, c.vocabSize]);
    if (!masked.length) return noLogits(B, T);
    const slots = new Int32Array(B * T).fill(-1);
    masked.forEach((at, i) => (slots[at] = i));
    const top = scatterTop(B * T, masked, out.top_values.data as Float32Array, out.top_indices.data as BigInt64Array, out.lse.data as Float32Array, out.top_values.dims[1]);
    return { data: out.logits_at.data as Float32Array, seqLen: T, vocab: c.vocabSize, slots, top };
  }

  async function forwardAll(rows: readonly Int32Array[]): Promise<Logits> {
    const { feeds, B, T, masked } = feedsFor(rows);
    const out = (await s.run(feeds))[c.output];
    checkVocab(out.dims, [B, T, c.vocabSize]);
    const ov = c.vocabSize;
    const data = out.data as Float32Array;
    if (!topk || masked.length === 0) return { data, seqLen: T, vocab: ov };
    // Their logits alone are summarised, copied into one [1, masked, vocab] batch, and the summary
    // scattered back to their places.
    const picked = new Float32Array(masked.length * ov);
    masked.forEach((at, i) => {
      // [MASK] is never proposed: left out of the best tokens and of the denominator.
      data[at * ov + c.special.mask] = -Infinity;
      picked.set(data.subarray(at * ov, (at + 1) * ov), i * ov);
    });
    const summary = await topk.run({ logits: new ort.Tensor('float32', picked, [1, masked.length, ov]) });
    const top = scatterTop(B * T, masked, summary.top_values.data as Float32Array, summary.top_indices.data as BigInt64Array, summary.lse.data as Float32Array, summary.top_values.dims[2]);
    return { data, seqLen: T, vocab: ov, top };
  }

  /** The keys and values of the code around the canvases, as the past inputs of a later call, from a whole-row call's outputs. */
  function pastOf(spec: ContextCacheSpec, present: OrtTypes.InferenceSession.OnnxValueMapType, context: RowContext, T: number): Record<string, OrtTypes.Tensor> {
    const B = context.ids.length;
    const mask = pastMask(context);
    if (mask.P === 0) return noPast(spec, B);
    const past: Record<string, OrtTypes.Tensor> = { [spec.pastMask]: new ort.Tensor('int64', mask.data, [B, mask.P]) };
    const names = cacheNames(spec, spec.present);
    cacheNames(spec, spec.past).forEach((name, i) => {
      const packed = packPast(present[names[i]].data as Float32Array, context, spec.heads, spec.headDim, T);
      past[name] = new ort.Tensor('float32', packed.data, [B, spec.heads, packed.P, spec.headDim]);
    });
    return past;
  }

  /** One call of a fill: the whole rows when `kept` holds no past for this context (and it is kept), else the canvases alone. */
  async function forwardCanvases(rows: readonly Int32Array[], spans: readonly CanvasSpan[], spec: ContextCacheSpec, positionsName: string,
    kept: { context?: RowContext; feeds?: Record<string, OrtTypes.Tensor> }): Promise<Logits> {
    // The code around the canvases is run with them once, as they stand at the fill's first call
    // (all masked): running it again at every step does not make fills better (npm run bench --
    // --only context), and the fill's calls after this one cost the canvases alone.
    if (!kept.feeds || !kept.context || !holdsContext(kept.context, rows, spans)) {
      const context = contextOf(rows, spans);
      const { logits, out } = await runAtPositions(rows, positionsName, cacheNames(spec, spec.present));
      kept.context = context;
      kept.feeds = pastOf(spec, out, context, logits.seqLen);
      return logits;
    }
    const batch = canvasBatch(rows, spans, c.special.mask, c.special.pad);
    const { N, T, asked, masked } = batch;
    const B = rows.length;
    // Nothing masked: nothing to run.
    if (!masked.length) return noLogits(B, T);
    const feeds: Record<string, OrtTypes.Tensor> = {
      ...kept.feeds,
      [c.inputIds]: new ort.Tensor('int64', batch.ids, [B, N]),
      [spec.positionIds]: new ort.Tensor('int64', batch.positions, [B, N]),
      [positionsName]: new ort.Tensor('int64', BigInt64Array.from(asked, BigInt), [asked.length]),
    };
    if (c.attentionMask) feeds[c.attentionMask] = new ort.Tensor('int64', batch.attention, [B, N]);
    return headLogits(await s.run(feeds, [...POSITION_OUTPUTS]), asked.length, masked, B, T);
  }

  const positionsName = c.positions;
  const forward = positionsName ? async (rows: readonly Int32Array[]) => (await runAtPositions(rows, positionsName)).logits : forwardAll;
  const fillForward = (canvases: readonly CanvasSpan[]): ((rows: readonly Int32Array[]) => Promise<Logits>) => {
    if (!cache || !positionsName || c.logitsShifted || !canvases.some((x) => x.length > 0)) return forward;
    const kept = {};
    return (rows) => forwardCanvases(rows, canvases, cache, positionsName, kept);
  };

  // Fail at load, not at the first fill, when the graph's vocabulary differs from config.json.
  await forward([Int32Array.from([c.special.mask, c.special.mask])]);
  return {
    provider, fallbackNotice, available, forward, fillForward,
    release: async () => {
      await s.release();
      await topk?.release();
    },
  };
}

/** The summary graph next to this module (dist/ in the bundles, src/model/ from the sources), or undefined. */
async function openTopk(ort: Ort, options: OrtTypes.InferenceSession.SessionOptions): Promise<OrtTypes.InferenceSession | undefined> {
  const file = path.join(__dirname, 'topk.onnx');
  if (!fs.existsSync(file)) return undefined;
  try {
    return await ort.InferenceSession.create(file, { ...options, executionProviders: ['cpu'] });
  } catch {
    return undefined;
  }
}

/** Each layer's key and value tensor names of a cache name pattern, layer by layer. */
function cacheNames(spec: ContextCacheSpec, pattern: string): string[] {
  const out: string[] = [];
  for (let l = 0; l < spec.layers; l++) for (const kind of ['key', 'value']) out.push(pattern.replace('{layer}', String(l)).replace('{kind}', kind));
  return out;
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0];
}

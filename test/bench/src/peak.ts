/**
 * The machine's limit: operations of one forward pass, counted from the model's shape, per second
 * of its measured time, as a share of the matmul peak measured by the same onnxruntime with the
 * same thread count: the int8 peak (the product the model's int8 weights use) for an int8 model,
 * the float32 one otherwise; both peaks are reported.
 */
import * as ort from 'onnxruntime-node';
import type { Engine } from './inproc';
import { matmulInt8Model, matmulModel } from './onnxGraph';
import { spread } from './stats';

export interface Architecture {
  readonly d_model: number;
  readonly n_layers: number;
  readonly d_ff: number;
  readonly vocab_size: number;
  readonly max_context: number;
}

/**
 * Multiply-adds x 2 of a bidirectional transformer over `batch` rows of `T` tokens: per layer the
 * QKV, output, and two MLP projections, the attention scores and their weighted sum, then the
 * vocabulary head. Norms, softmax and GELU are left out (a few percent at these sizes).
 */
/** Operations of one forward pass; the LM head runs over `headRows` positions per row (all of them without a position head). */
export function forwardFlops(a: Architecture, batch: number, T: number, headRows = T): number {
  const d = a.d_model;
  const perTokenLayer = 2 * (3 * d * d + d * d + 2 * d * a.d_ff);
  const attention = 2 * 2 * T * d;
  const head = 2 * d * a.vocab_size;
  return batch * (T * a.n_layers * (perTokenLayer + attention) + headRows * head);
}

export interface PeakResult {
  readonly matmul: { readonly size: number; readonly gflopsBest: number; readonly gflopsMedian: number };
  /** The int8 product's peak (giga-operations per second), the reference for an int8 model. */
  readonly matmulInt8: { readonly size: number; readonly gopsBest: number; readonly gopsMedian: number };
  /** Which peak the shares are of. */
  readonly reference: 'int8' | 'float32';
  readonly forwards: ReadonlyArray<{ readonly batch: number; readonly seq: number; readonly gflop: number; readonly msMedian: number; readonly gflops: number; readonly share: number }>;
  readonly peakShare: number;
}

async function timeRuns(run: () => Promise<unknown>, repeats: number): Promise<number[]> {
  await run();
  const ms: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await run();
    ms.push(performance.now() - t0);
  }
  return ms;
}

export async function measurePeak(e: Engine, arch: Architecture, threads: number, repeats: number, quantization = 'none'): Promise<PeakResult> {
  const N = 1024;
  const options = { intraOpNumThreads: threads, graphOptimizationLevel: 'all', executionProviders: ['cpu'] } as const;
  const a = new ort.Tensor('float32', Float32Array.from({ length: N * N }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5), [N, N]);
  const b = new ort.Tensor('float32', Float32Array.from({ length: N * N }, (_, i) => ((i * 104729) % 1000) / 1000 - 0.5), [N, N]);
  const mmFlop = 2 * N * N * N;
  const peakOf = async (model: Uint8Array, feeds: Record<string, ort.Tensor>) => {
    const session = await ort.InferenceSession.create(model, options);
    const ms = await timeRuns(() => session.run(feeds), repeats * 2);
    await session.release();
    return { best: mmFlop / (Math.min(...ms) / 1000) / 1e9, median: mmFlop / (spread(ms).median / 1000) / 1e9 };
  };
  const fp32 = await peakOf(matmulModel(N, N, N), { A: a, B: b });
  const bInt8 = new ort.Tensor('int8', Int8Array.from({ length: N * N }, (_, i) => ((i * 104729) % 255) - 127), [N, N]);
  const int8 = await peakOf(matmulInt8Model(N, N, N), { A: a, B: bInt8 });
  const reference = quantization === 'int8' ? 'int8' : 'float32';
  const best = reference === 'int8' ? int8.best : fp32.best;

  const T = arch.max_context;
  const forwards = [];
  // Rows as a fill sends them: a canvas of masked positions (a quarter of the row) in its context.
  const special = e.model.pkg.config.special;
  const canvas = { start: Math.floor(T * 0.375), end: Math.floor(T * 0.625) };
  const headRows = e.model.pkg.config.positions ? canvas.end - canvas.start : T;
  for (const batch of [1, 8]) {
    const rows = Array.from({ length: batch }, (_, r) => Int32Array.from({ length: T }, (_, i) =>
      i >= canvas.start && i < canvas.end ? special.mask : 16 + ((i * 31 + r * 17) % (arch.vocab_size - 16))));
    const ms = spread(await timeRuns(() => e.model.session.forward(rows), repeats)).median;
    const flop = forwardFlops(arch, batch, T, headRows);
    const gflops = flop / (ms / 1000) / 1e9;
    forwards.push({ batch, seq: T, gflop: flop / 1e9, msMedian: ms, gflops, share: gflops / best });
  }
  return {
    matmul: { size: N, gflopsBest: fp32.best, gflopsMedian: fp32.median },
    matmulInt8: { size: N, gopsBest: int8.best, gopsMedian: int8.median },
    reference,
    forwards,
    peakShare: forwards[0].share,
  };
}

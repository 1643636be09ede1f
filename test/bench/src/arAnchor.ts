/**
 * The cached autoregressive anchor: a causal twin of the shipped model (same width, depth, heads,
 * vocabulary, int8 weights; random weights) exported by models/training/export_ar.py as a prefill
 * graph and a one-token decode graph that takes the KV cache. It is what a decoder-only model of the
 * same size costs with the cache every real one has, rather than the bidirectional network re-run
 * over the whole row for each token (the speed section's `ar` baseline).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as Ort from 'onnxruntime-node';

const ARCH_KEYS = ['vocab_size', 'd_model', 'n_layers', 'n_heads', 'd_ff', 'max_context', 'rope_base'] as const;
/** export_ar.py's FORMAT_VERSION: an anchor of another version is rebuilt. */
const FORMAT_VERSION = 1;
const PYTHON = process.env.DIFFUSE_PYTHON ?? (fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

interface Meta {
  readonly format_version: number;
  readonly architecture: Record<string, number>;
  readonly quantization: string;
  readonly parameters: number;
  readonly weights: string;
  readonly cache: { readonly inputs: string[]; readonly outputs: string[] };
}

/** The folder (ignored by git) that holds the anchor of the model in `modelDir`. */
export function anchorDir(root: string, modelDir: string): string {
  return path.join(root, 'node_modules', '.cache', 'diffuse-edit-bench', 'ar-anchor', path.basename(modelDir));
}

export function buildCommand(root: string, modelDir: string): string[] {
  return [PYTHON, path.join(root, 'models', 'training', 'export_ar.py'), '--config', path.join(modelDir, 'config.json'), '--out', anchorDir(root, modelDir)];
}

/** The anchor's meta.json when it was built for this model's shape and quantization, else undefined. */
function upToDate(dir: string, modelDir: string): Meta | undefined {
  try {
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as Meta;
    const config = JSON.parse(fs.readFileSync(path.join(modelDir, 'config.json'), 'utf8')) as { architecture: Record<string, number>; onnx?: { quantization?: string } };
    const same = meta.format_version === FORMAT_VERSION && ARCH_KEYS.every((k) => meta.architecture[k] === config.architecture[k]) && meta.quantization === (config.onnx?.quantization ?? 'int8');
    return same && ['prefill.onnx', 'decode.onnx'].every((f) => fs.existsSync(path.join(dir, f))) ? meta : undefined;
  } catch {
    return undefined;
  }
}

/** Builds the anchor when it is missing or was built for another shape; says how when it cannot. */
export function ensureAnchor(root: string, modelDir: string, log: (s: string) => void): { dir: string; meta: Meta } {
  const dir = anchorDir(root, modelDir);
  let meta = upToDate(dir, modelDir);
  if (meta) return { dir, meta };
  const cmd = buildCommand(root, modelDir);
  log(`ar: building the cached AR anchor: ${cmd.join(' ')}`);
  const r = spawnSync(cmd[0], cmd.slice(1), { cwd: root, encoding: 'utf8' });
  meta = r.status === 0 ? upToDate(dir, modelDir) : undefined;
  if (!meta) {
    const why = r.error ? r.error.message : `${r.stderr ?? ''}`.trim().split('\n').slice(-3).join(' | ');
    throw new Error(`the cached AR anchor could not be built (${why}). It needs python3-torch and python3-onnx; run:\n  ${cmd.join(' ')}`);
  }
  return { dir, meta };
}

export interface Generation {
  readonly ms: number;
  readonly prefillMs: number;
  /** Tokens generated: the one prefill gives, then one per decode call. */
  readonly tokens: number;
}

export interface Anchor {
  readonly meta: Meta;
  /** Greedy generation of `n` tokens after `prompt`: prefill once, then one decode call per token. */
  generate(prompt: Int32Array, n: number): Promise<Generation>;
  /**
   * Largest |logit| difference between decoding `n` tokens with the cache and recomputing the whole
   * sequence without it, and the same against a cache of zeros (which must differ: the decode graph
   * reads the cache).
   */
  selfCheck(prompt: Int32Array, n: number): Promise<{ maxDiff: number; zeroCacheDiff: number }>;
  release(): Promise<void>;
}

type Feeds = Record<string, Ort.Tensor>;

export async function openAnchor(dir: string, meta: Meta, threads: number): Promise<Anchor> {
  process.env.ORT_DISABLE_TELEMETRY = '1';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ort = require('onnxruntime-node') as typeof Ort;
  // The options src/model/session.ts gives the shipped model on CPU.
  const options: Ort.InferenceSession.SessionOptions = { graphOptimizationLevel: 'all', executionProviders: ['cpu'], logSeverityLevel: 3, ...(threads > 0 ? { intraOpNumThreads: threads } : {}) };
  const prefill = await ort.InferenceSession.create(path.join(dir, 'prefill.onnx'), options);
  const decode = await ort.InferenceSession.create(path.join(dir, 'decode.onnx'), options);
  const { inputs: pastNames, outputs: presentNames } = meta.cache;
  const ids = (tokens: ArrayLike<number>) => new ort.Tensor('int64', BigInt64Array.from(Array.from(tokens, BigInt)), [1, tokens.length]);
  const argmax = (logits: Float32Array) => {
    let best = 0;
    for (let v = 1; v < logits.length; v++) if (logits[v] > logits[best]) best = v;
    return best;
  };
  const cacheOf = (out: Ort.InferenceSession.OnnxValueMapType): Feeds => Object.fromEntries(pastNames.map((n, i) => [n, out[presentNames[i]]]));
  async function step(token: number, cache: Feeds) {
    const out = await decode.run({ input_ids: ids([token]), ...cache });
    return { logits: out.logits.data as Float32Array, cache: cacheOf(out) };
  }

  return {
    meta,
    async generate(prompt, n) {
      const t0 = performance.now();
      const first = await prefill.run({ input_ids: ids(prompt) });
      const prefillMs = performance.now() - t0;
      let token = argmax(first.logits.data as Float32Array);
      let cache = cacheOf(first);
      for (let i = 1; i < n; i++) {
        const s = await step(token, cache);
        token = argmax(s.logits);
        cache = s.cache;
      }
      return { ms: performance.now() - t0, prefillMs, tokens: n };
    },
    async selfCheck(prompt, n) {
      const seq = [...prompt];
      const first = await prefill.run({ input_ids: ids(seq) });
      let cache = cacheOf(first);
      let zeros: Feeds = Object.fromEntries(Object.entries(cache).map(([k, t]) => [k, new ort.Tensor('float32', new Float32Array(t.size), t.dims)]));
      let maxDiff = 0;
      let zeroCacheDiff = 0;
      for (let i = 0; i < n; i++) {
        seq.push(4 + ((seq[seq.length - 1] * 31 + 7) % (meta.architecture.vocab_size - 4)));
        const cached = await step(seq[seq.length - 1], cache);
        const zeroed = await step(seq[seq.length - 1], zeros);
        const full = (await prefill.run({ input_ids: ids(seq) })).logits.data as Float32Array;
        for (let v = 0; v < full.length; v++) {
          maxDiff = Math.max(maxDiff, Math.abs(cached.logits[v] - full[v]));
          zeroCacheDiff = Math.max(zeroCacheDiff, Math.abs(zeroed.logits[v] - full[v]));
        }
        cache = cached.cache;
        zeros = zeroed.cache;
      }
      return { maxDiff, zeroCacheDiff };
    },
    async release() {
      await prefill.release();
      await decode.release();
    },
  };
}

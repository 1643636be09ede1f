/**
 * A model package folder: model.onnx + tokenizer.json + config.json. Loading validates everything
 * the engine relies on, so a mismatched or broken model fails here with a message naming the
 * problem, never later with garbage output.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const SUPPORTED_FORMAT = 1;

export interface ModelConfig {
  readonly formatVersion: number;
  readonly name: string;
  readonly description: string;
  readonly vocabSize: number;
  /**
   * The graph's vocabulary is larger than the tokenizer's (embedding matrices padded to a multiple
   * of 64 or 128, as in many Hugging Face checkpoints): ids past the tokenizer are never produced.
   */
  readonly paddedVocab?: boolean;
  readonly maxContext: number;
  readonly special: { readonly mask: number; readonly pad: number; readonly eos: number; readonly bos?: number };
  readonly inputIds: string;
  readonly attentionMask?: string;
  readonly output: string;
  /**
   * The graph's `positions` input (config.json onnx.inputs.positions): it then also returns the
   * logits and the sampler's summary at those flat positions only (models/onnx_head.py), and the
   * engine fetches those instead of the full `output`.
   */
  readonly positions?: string;
  /**
   * The graph moves each position's logits one place on (config.json onnx.logits_shifted, Dream):
   * the position head, which reads the logits before that shift, is asked for position i - 1 to
   * give position i's (the first of a row keeps its own).
   */
  readonly logitsShifted?: boolean;
  /**
   * The graph takes the keys and values of earlier tokens (config.json onnx.cache): a fill then
   * runs the code around its canvas once and, at every step, the canvas alone against it.
   */
  readonly cache?: ContextCacheSpec;
  readonly sampler: { strategy?: string; steps?: number; threshold?: number; temperature?: number; slack: number };
}

/**
 * config.json onnx.cache: the graph's extra inputs and outputs for a context cache
 * (models/training/export.py). `past` and `present` name each layer's tensors, with `{layer}` and
 * `{kind}` (key, value) in them; their layout is [batch, heads, tokens, head_dim] float32.
 */
export interface ContextCacheSpec {
  /** int64 [batch, seq]: the absolute position of each input token (its rotary angle). */
  readonly positionIds: string;
  /** int64 [batch, past]: 1 for a real earlier token, 0 for padding. */
  readonly pastMask: string;
  readonly past: string;
  readonly present: string;
  readonly layers: number;
  readonly heads: number;
  readonly headDim: number;
}

export interface ModelPackage {
  readonly dir: string;
  readonly config: ModelConfig;
  readonly onnxPath: string;
  readonly tokenizerJson: unknown;
}

export class ModelPackageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelPackageError';
  }
}

/** Fails unless `file` is a regular file this process can read, naming what is wrong with it. */
function requireReadableFile(file: string, what: string): void {
  if (!fs.existsSync(file)) throw new ModelPackageError(`Model folder is missing ${what}: ${file}`);
  if (!fs.statSync(file).isFile()) throw new ModelPackageError(`${what} is not a file: ${file}`);
  try {
    fs.accessSync(file, fs.constants.R_OK);
  } catch {
    throw new ModelPackageError(`${what} is not readable (check its permissions): ${file}`);
  }
}

function readJson(file: string, what: string): unknown {
  requireReadableFile(file, what);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ModelPackageError(`${what} could not be read (${file}): ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ModelPackageError(`${what} is not valid JSON (${file}): ${(e as Error).message}`);
  }
}

function int(obj: Record<string, unknown>, key: string, where: string): number {
  const v = obj[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new ModelPackageError(`config.json: "${where}${key}" must be a non-negative integer, got ${JSON.stringify(v)}`);
  }
  return v;
}

export function parseConfig(raw: unknown): ModelConfig {
  if (typeof raw !== 'object' || raw === null) throw new ModelPackageError('config.json must hold an object');
  const c = raw as Record<string, unknown>;
  const formatVersion = int(c, 'format_version', '');
  if (formatVersion !== SUPPORTED_FORMAT) {
    throw new ModelPackageError(`config.json: format_version ${formatVersion} is not supported (this version reads ${SUPPORTED_FORMAT})`);
  }
  const st = (c.special_tokens ?? {}) as Record<string, unknown>;
  const onnx = (c.onnx ?? {}) as Record<string, unknown>;
  const inputs = (onnx.inputs ?? {}) as Record<string, unknown>;
  const sampler = (c.sampler ?? {}) as Record<string, unknown>;
  const vocabSize = int(c, 'vocab_size', '');
  const special = { mask: int(st, 'mask', 'special_tokens.'), pad: int(st, 'pad', 'special_tokens.'), eos: int(st, 'eos', 'special_tokens.'), bos: typeof st.bos === 'number' ? st.bos : undefined };
  for (const [k, v] of Object.entries(special)) {
    if (v !== undefined && v >= vocabSize) throw new ModelPackageError(`config.json: special token "${k}" id ${v} is outside the vocabulary (${vocabSize})`);
  }
  return {
    formatVersion,
    name: typeof c.name === 'string' ? c.name : 'unnamed model',
    description: typeof c.description === 'string' ? c.description : '',
    vocabSize,
    paddedVocab: c.padded_vocab === true,
    maxContext: int(c, 'max_context', ''),
    special,
    inputIds: typeof inputs.input_ids === 'string' ? inputs.input_ids : 'input_ids',
    attentionMask: onnx.takes_attention_mask === false ? undefined : typeof inputs.attention_mask === 'string' ? inputs.attention_mask : 'attention_mask',
    output: typeof onnx.output === 'string' ? onnx.output : 'logits',
    positions: typeof inputs.positions === 'string' ? inputs.positions : undefined,
    logitsShifted: onnx.logits_shifted === true,
    cache: onnx.cache === undefined ? undefined : parseCache(onnx.cache),
    sampler: {
      strategy: typeof sampler.strategy === 'string' ? sampler.strategy : undefined,
      steps: typeof sampler.steps === 'number' ? sampler.steps : undefined,
      threshold: typeof sampler.threshold === 'number' ? sampler.threshold : undefined,
      temperature: typeof sampler.temperature === 'number' ? sampler.temperature : undefined,
      slack: typeof sampler.slack === 'number' ? sampler.slack : 0.25,
    },
  };
}

function parseCache(raw: unknown): ContextCacheSpec {
  if (typeof raw !== 'object' || raw === null) throw new ModelPackageError('config.json: "onnx.cache" must be an object');
  const c = raw as Record<string, unknown>;
  const name = (key: string, placeholders: readonly string[] = []): string => {
    const v = c[key];
    if (typeof v !== 'string' || !v || placeholders.some((p) => !v.includes(p))) {
      const needs = placeholders.length ? ` holding ${placeholders.join(' and ')}` : '';
      throw new ModelPackageError(`config.json: "onnx.cache.${key}" must be a tensor name${needs}, got ${JSON.stringify(v)}`);
    }
    return v;
  };
  const positive = (key: string): number => {
    const v = int(c, key, 'onnx.cache.');
    if (v === 0) throw new ModelPackageError(`config.json: "onnx.cache.${key}" must be positive`);
    return v;
  };
  return {
    positionIds: name('position_ids'), pastMask: name('past_mask'),
    past: name('past', ['{layer}', '{kind}']), present: name('present', ['{layer}', '{kind}']),
    layers: positive('layers'), heads: positive('heads'), headDim: positive('head_dim'),
  };
}

/** Bytes of a model folder's graph and its external weights (`model.onnx.data`); 0 for files that cannot be read. */
export function modelWeightBytes(dir: string): number {
  let sum = 0;
  for (const f of ['model.onnx', 'model.onnx.data']) {
    try {
      sum += fs.statSync(path.join(dir, f)).size;
    } catch {
      // absent: loading the package reports a missing model.onnx
    }
  }
  return sum;
}

/** Reads and checks a model folder (not the ONNX graph itself; the session checks that). */
export function loadModelPackage(dir: string): ModelPackage {
  if (!dir || !fs.existsSync(dir)) throw new ModelPackageError(`Model folder not found: ${dir || '(empty path)'}`);
  if (!fs.statSync(dir).isDirectory()) throw new ModelPackageError(`Model path is not a folder: ${dir}`);
  const config = parseConfig(readJson(path.join(dir, 'config.json'), 'config.json'));
  const tokenizerJson = readJson(path.join(dir, 'tokenizer.json'), 'tokenizer.json');
  const onnxPath = path.join(dir, 'model.onnx');
  requireReadableFile(onnxPath, 'model.onnx');
  if (fs.statSync(onnxPath).size === 0) throw new ModelPackageError(`model.onnx is empty: ${onnxPath}`);
  const vocab = (tokenizerJson as { model?: { vocab?: Record<string, number> } }).model?.vocab;
  if (!vocab || typeof vocab !== 'object') throw new ModelPackageError('tokenizer.json has no model.vocab');
  const size = Object.keys(vocab).length;
  if (config.paddedVocab) {
    const added = (tokenizerJson as { added_tokens?: Array<{ id?: unknown }> }).added_tokens ?? [];
    let maxId = -1;
    for (const id of Object.values(vocab)) if (id > maxId) maxId = id;
    for (const a of added) if (typeof a.id === 'number' && a.id > maxId) maxId = a.id;
    if (maxId >= config.vocabSize) {
      throw new ModelPackageError(`tokenizer.json has token id ${maxId}, outside the graph's vocab_size ${config.vocabSize}`);
    }
  } else if (size !== config.vocabSize) {
    throw new ModelPackageError(`Vocabulary size mismatch: tokenizer.json has ${size} tokens, config.json says vocab_size ${config.vocabSize}` +
      ' (if the graph\'s vocabulary is padded beyond the tokenizer, set "padded_vocab": true)');
  }
  return { dir, config, onnxPath, tokenizerJson };
}

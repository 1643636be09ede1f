// models/export_hf.py: the arguments and special ids on fake Hugging Face folders (no weights), the
// config.json and tokenizer.json the engine loads; then the ONNX export of randomly initialised
// Dream and LLaDA checkpoints (the hub's config keys and tensor names, small widths) through the
// built-in implementations (models/hf_families.py), run in the engine and compared with a float64
// reference that follows the families' published code (models/hf_reference.py).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadModelPackage } from '../../src/model/modelPackage';
import { byteLevelTable, CodeTokenizer } from '../../src/model/tokenizer';

const SCRIPT = path.join(__dirname, '..', '..', 'models', 'export_hf.py');
const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const hasPython = spawnSync(PYTHON, ['--version']).status === 0;
const opts = { skip: !hasPython && 'python3 is not available' };

/** GPT-2's byte-to-character map: the 256 base tokens of a byte-level BPE vocabulary, id = byte. */
function byteVocab(): Record<string, number> {
  return Object.fromEntries(byteLevelTable());
}

function tokenizerJson(added: string[]): unknown {
  return {
    version: '1.0', truncation: null, padding: null,
    added_tokens: added.map((content, i) => ({ id: 256 + i, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, vocab: byteVocab(), merges: [] },
  };
}

function hfFolder(config: Record<string, unknown>, added: string[], tokConfig?: Record<string, unknown>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'diffuse-hf-'));
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(tokenizerJson(added)));
  if (tokConfig) fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(tokConfig));
  return dir;
}

function exportHf(args: string[]) {
  const r = spawnSync(PYTHON, [SCRIPT, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('a Dream-style folder: ids from config.json, padded vocabulary, 4-D attention; the engine loads the package', opts, () => {
  const src = hfFolder({ model_type: 'Dream', vocab_size: 320, mask_token_id: 258, pad_token_id: 256, eos_token_id: 256, bos_token_id: 257, max_position_embeddings: 131072 },
    ['<|endoftext|>', '<|beginoftext|>', '<|mask|>']);
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'diffuse-pkg-')), 'dream');
  const r = exportHf(['--src', src, '--out', out, '--config-only', '--name', 'dream-test']);
  assert.equal(r.code, 0, r.err);
  const config = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'));
  assert.deepEqual(config.special_tokens, { mask: 258, pad: 256, eos: 256, bos: 257 });
  assert.equal(config.vocab_size, 320);
  assert.equal(config.padded_vocab, true);
  assert.equal(config.max_context, 2048, 'capped for the editor');
  assert.equal(config.onnx.attention, '4d');
  assert.ok(fs.existsSync(path.join(out, 'MODEL_CARD.md')));
  // The graph is not exported here; a placeholder lets the folder checks run.
  fs.writeFileSync(path.join(out, 'model.onnx'), Buffer.from([8, 1]));
  const pkg = loadModelPackage(out);
  assert.equal(pkg.config.name, 'dream-test');
  assert.equal(pkg.config.attentionMask, 'attention_mask');
  const tok = new CodeTokenizer(pkg.tokenizerJson);
  const code = 'def f(x):\n    return x + 1\n';
  assert.equal(tok.decode(tok.encode(code)), code);
  assert.equal(tok.isSpecial(258), true);
});

test('a LLaDA-style folder: the mask token found by name, no attention mask input', opts, () => {
  const src = hfFolder({ model_type: 'llada', vocab_size: 260, max_sequence_length: 4096 }, ['<|endoftext|>', '<|startoftext|>', '<|mdm_mask|>'],
    { eos_token: '<|endoftext|>', bos_token: { content: '<|startoftext|>' } });
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'diffuse-pkg-'));
  const r = exportHf(['--src', src, '--out', out, '--config-only', '--max-context', '1024']);
  assert.equal(r.code, 0, r.err);
  const config = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'));
  assert.deepEqual(config.special_tokens, { mask: 258, pad: 256, eos: 256, bos: 257 });
  assert.equal(config.onnx.takes_attention_mask, false);
  assert.equal(config.max_context, 1024);
  fs.writeFileSync(path.join(out, 'model.onnx'), Buffer.from([8, 1]));
  assert.equal(loadModelPackage(out).config.attentionMask, undefined);
});

test('missing ids, ids outside the vocabulary and a missing folder fail with one clear line', opts, () => {
  const noMask = hfFolder({ model_type: 'x', vocab_size: 300, eos_token_id: 256 }, ['<|endoftext|>']);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'diffuse-pkg-'));
  let r = exportHf(['--src', noMask, '--out', out, '--config-only']);
  assert.notEqual(r.code, 0);
  assert.match(r.err, /could not find the mask token id\(s\); pass --mask-token-id/);
  r = exportHf(['--src', noMask, '--out', out, '--config-only', '--mask-token-id', '400']);
  assert.match(r.err, /mask token id 400 is outside the model's vocab_size 300/);
  r = exportHf(['--src', path.join(noMask, 'nope'), '--out', out]);
  assert.match(r.err, /--src is not a folder/);
  assert.equal(fs.existsSync(path.join(out, 'config.json')), false, 'nothing is written on failure');
  r = exportHf(['--help']);
  assert.equal(r.code, 0);
  assert.match(r.out, /--attention \{auto,2d,4d,none\}/);
});

// A stand-in for transformers.AutoModel: a tiny torch module with Dream's forward() signature, so
// that the wrapper, torch.onnx.export with dynamic axes and the engine's session are exercised.
const STUB = `
import sys, types, torch
class Out:
    def __init__(self, logits): self.logits = logits
class Tiny(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = torch.nn.Embedding(320, 16)
        self.head = torch.nn.Linear(16, 320)
    def forward(self, input_ids, attention_mask=None, position_ids=None):
        assert attention_mask is not None and attention_mask.dim() == 4 and position_ids is not None
        h = self.emb(input_ids) + position_ids.unsqueeze(-1).float() * 0.01
        return Out(self.head(h))
class AutoModel:
    @staticmethod
    def from_pretrained(src, trust_remote_code=False, torch_dtype=None):
        assert trust_remote_code
        return Tiny()
sys.modules['transformers'] = types.SimpleNamespace(AutoModel=AutoModel)
sys.argv = ['export_hf.py'] + sys.argv[1:]
sys.path.insert(0, ${JSON.stringify(path.dirname(SCRIPT))})
import export_hf
export_hf.main()
`;

const hasTorch = hasPython && spawnSync(PYTHON, ['-c', 'import torch, onnx']).status === 0;
test('the ONNX export of a stand-in model loads in the engine and answers any batch and length', { skip: !hasTorch && 'torch and onnx are not installed' }, async () => {
  const src = hfFolder({ model_type: 'Dream', vocab_size: 320, mask_token_id: 258, pad_token_id: 256, eos_token_id: 256, max_position_embeddings: 512 },
    ['<|endoftext|>', '<|beginoftext|>', '<|mask|>']);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'diffuse-pkg-'));
  const r = spawnSync(PYTHON, ['-c', STUB, '--src', src, '--out', out], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const { loadModel } = await import('../../src/model/fillEngine');
  const m = await loadModel(out, 'cpu');
  try {
    const logits = await m.session.forward([Int32Array.from([1, 2, 3, 258, 258]), Int32Array.from([4, 258])]);
    assert.equal(logits.vocab, 320);
    assert.equal(logits.seqLen, 5);
  } finally {
    await m.session.release();
  }
});

// ---------------------------------------------------------------------------------------------------
// Random checkpoints of the two families, exported without transformers and checked in the engine.

const MODELS = path.dirname(SCRIPT);

function py(script: string, args: string[]): string {
  const r = spawnSync(PYTHON, [path.join(MODELS, script), ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, `${script} ${args.join(' ')}\n${r.stderr}`);
  return r.stdout;
}

/**
 * A checkpoint folder of `preset` (models/hf_checkpoint.py) and its package exported by export_hf.py,
 * in a temporary folder removed when the test ends.
 */
function exportRandom(t: TestContext, preset: string, extra: string[] = []): { src: string; pkg: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `diffuse-${preset}-`));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const src = path.join(dir, 'checkpoint');
  const pkg = path.join(dir, 'package');
  py('hf_checkpoint.py', ['random', '--preset', preset, '--out', src, '--seed', '1']);
  py('export_hf.py', ['--src', src, '--out', pkg, '--builtin', ...extra]);
  return { src, pkg };
}

/** Float64 logits of hf_reference.py for rows padded on the right, real positions only. */
function reference(src: string, rows: number[][]): number[][][] {
  const file = path.join(src, 'rows.json');
  fs.writeFileSync(file, JSON.stringify(rows));
  return JSON.parse(py('hf_reference.py', ['--src', src, '--rows', file])).logits;
}

function argmax(xs: ArrayLike<number>, from = 0, n = xs.length): number {
  let best = 0;
  for (let v = 1; v < n; v++) if (xs[from + v] > xs[from + best]) best = v;
  return best;
}

interface Agreement { same: number; total: number; ties: number; maxDiff: number; argmax: number[][] }

// Positions where the reference's two best logits are closer than this are ties that float32 may
// order either way (the graph's logits differ from the float64 reference by about 2e-7); they are
// counted apart and not compared.
const TIE = 1e-5;

/**
 * The graph's full logits for `rows` as one batch (its `logits` output, read with onnxruntime as the
 * session feeds it) against the reference: argmax and largest difference. Then the engine's session,
 * which reads the masked positions through the position head (onnx_head.py): its logits there must
 * be the full ones (for Dream, whose graph shifts its logits, that checks the head is asked for the
 * position before). The session never proposes [MASK] (its logit comes back as -Infinity), so that
 * column is left out.
 */
async function compare(pkg: string, rows: number[][], reference: number[][][]): Promise<Agreement> {
  const { loadModel } = await import('../../src/model/fillEngine');
  const { logitsAt } = await import('../../src/core/sampler');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');
  const m = await loadModel(pkg, 'cpu');
  const c = m.pkg.config;
  const mask = c.special.mask;
  const ref = reference.map((row) => row.map((logits) => logits.map((x, v) => (v === mask ? -Infinity : x))));
  const graph = await ort.InferenceSession.create(m.pkg.onnxPath);
  try {
    const T = Math.max(...rows.map((r) => r.length));
    const ids = new BigInt64Array(rows.length * T).fill(BigInt(c.special.pad));
    const att = new BigInt64Array(rows.length * T);
    rows.forEach((r, b) => r.forEach((id, t) => { ids[b * T + t] = BigInt(id); att[b * T + t] = 1n; }));
    const feeds: Record<string, import('onnxruntime-node').Tensor> = { [c.inputIds]: new ort.Tensor('int64', ids, [rows.length, T]) };
    if (c.attentionMask) feeds[c.attentionMask] = new ort.Tensor('int64', att, [rows.length, T]);
    assert.equal(c.positions, 'positions', 'export_hf.py adds the position head');
    feeds.positions = new ort.Tensor('int64', BigInt64Array.from([0n]), [1]);
    const full = (await graph.run(feeds, [c.output]))[c.output].data as Float32Array;
    const V = c.vocabSize;
    const a: Agreement = { same: 0, total: 0, ties: 0, maxDiff: 0, argmax: [] };
    rows.forEach((r, b) => {
      a.argmax.push([]);
      r.forEach((_, t) => {
        const off = (b * T + t) * V;
        const got = argmax(full.map((x, v) => (v % V === mask ? -Infinity : x)), off, V);
        a.argmax[b].push(got);
        const [first, second] = [...ref[b][t]].sort((x, y) => y - x);
        if (first - second < TIE) {
          a.ties++;
        } else {
          a.total++;
          if (got === argmax(ref[b][t])) a.same++;
        }
        ref[b][t].forEach((x, v) => { if (v !== mask) a.maxDiff = Math.max(a.maxDiff, Math.abs(x - full[off + v])); });
      });
    });
    const out = await m.session.forward(rows.map((r) => Int32Array.from(r)));
    let read = 0;
    rows.forEach((r, b) => r.forEach((id, t) => {
      if (id !== mask) return;
      const here = logitsAt(out, b * out.seqLen + t);
      let diff = 0;
      for (let v = 0; v < V; v++) if (v !== mask) diff = Math.max(diff, Math.abs(here[v] - full[(b * T + t) * V + v]));
      assert.ok(diff < 1e-4, `row ${b} position ${t}: the position head's logits differ from the graph's by ${diff}`);
      read++;
    }));
    assert.ok(read > 0, 'the rows have masked positions');
    return a;
  } finally {
    await graph.release();
    await m.session.release();
  }
}

// Three rows of different lengths, so that the batch is padded: bytes, [MASK] runs, the bos/eos ids.
function rowsFor(mask: number, bos: number): number[][] {
  return [
    [bos, 100, 101, 32, mask, mask, mask, 40, 41, mask, 10, 59, 125, 32, 32, mask],
    [bos, 35, mask, mask, 9, 61, 62],
    [bos, mask, 33],
  ];
}

const families = { skip: !hasTorch && 'torch and onnx are not installed' };

test('Dream (Qwen2 layout, GQA, q/k/v biases): the exported graph in the engine gives the reference argmax on a padded batch', families, async (t) => {
  const { src, pkg } = exportRandom(t, 'dream-tiny');
  const config = JSON.parse(fs.readFileSync(path.join(pkg, 'config.json'), 'utf8'));
  assert.equal(config.onnx.attention, '4d');
  assert.equal(config.onnx.logits_shifted, true, "Dream's logits predict the next position");
  const rows = rowsFor(config.special_tokens.mask, config.special_tokens.bos);
  const ref = reference(src, rows);
  const a = await compare(pkg, rows, ref);
  assert.equal(a.same, a.total, `argmax differs at ${a.total - a.same} of ${a.total} positions`);
  assert.ok(a.ties <= 2 && a.total >= 24, `${a.ties} ties of ${a.total + a.ties} positions`);
  assert.ok(a.maxDiff < 1e-4, `largest logit difference ${a.maxDiff}`);
  // Padding changes nothing for the real tokens: each row alone gives the same logits as in the batch.
  for (const [i, row] of rows.entries()) {
    const alone = await compare(pkg, [row], [ref[i]]);
    assert.equal(alone.same, alone.total);
    assert.ok(alone.maxDiff < 1e-4, `row ${i} alone: largest logit difference ${alone.maxDiff}`);
  }
});

test('LLaDA (model.transformer.blocks.N names, no attention mask): the exported graph in the engine gives the reference argmax', families, async (t) => {
  const { src, pkg } = exportRandom(t, 'llada-tiny');
  const config = JSON.parse(fs.readFileSync(path.join(pkg, 'config.json'), 'utf8'));
  assert.equal(config.onnx.takes_attention_mask, false);
  assert.equal(config.onnx.logits_shifted, false);
  assert.equal(config.vocab_size, 320, 'the logits are embedding_size wide');
  const rows = rowsFor(config.special_tokens.mask, config.special_tokens.bos);
  const a = await compare(pkg, rows, reference(src, rows));
  assert.equal(a.same, a.total, `argmax differs at ${a.total - a.same} of ${a.total} positions`);
  assert.ok(a.ties <= 2 && a.total >= 24, `${a.ties} ties of ${a.total + a.ties} positions`);
  assert.ok(a.maxDiff < 1e-4, `largest logit difference ${a.maxDiff}`);
});

test('--quantize int8: the engine runs the int8 graph, one file, and it keeps the reference argmax on most positions', families, async (t) => {
  const { src, pkg } = exportRandom(t, 'dream-tiny', ['--quantize', 'int8']);
  assert.equal(JSON.parse(fs.readFileSync(path.join(pkg, 'config.json'), 'utf8')).onnx.quantization, 'int8');
  assert.deepEqual(fs.readdirSync(pkg).filter((f) => f.startsWith('model.onnx')), ['model.onnx']);
  const rows = rowsFor(258, 256);
  const a = await compare(pkg, rows, reference(src, rows));
  assert.ok(a.same >= 0.8 * a.total, `int8 argmax agrees at ${a.same} of ${a.total} positions`);
  assert.ok(a.maxDiff < 0.05, `largest logit difference ${a.maxDiff}`);
});

test('--builtin refuses a model_type it does not implement, and a checkpoint without the tensors it needs', families, () => {
  const src = hfFolder({ model_type: 'mistral', vocab_size: 300, mask_token_id: 258, eos_token_id: 256 }, ['<|endoftext|>', '<|s|>', '<|mask|>']);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'diffuse-pkg-'));
  let r = exportHf(['--src', src, '--out', out, '--builtin']);
  assert.match(r.err, /model_type 'mistral' has no built-in implementation/);
  const dream = hfFolder({ model_type: 'Dream', vocab_size: 300, hidden_size: 8, intermediate_size: 16, num_attention_heads: 2,
    num_hidden_layers: 1, mask_token_id: 258, eos_token_id: 256 }, ['<|endoftext|>', '<|s|>', '<|mask|>']);
  fs.writeFileSync(path.join(dream, 'model.safetensors'), Buffer.concat([Buffer.from([2, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{}')]));
  r = exportHf(['--src', dream, '--out', out, '--builtin']);
  assert.match(r.err, /has no tensor model\.embed_tokens\.weight/);
  assert.equal(fs.existsSync(path.join(out, 'config.json')), false);
});

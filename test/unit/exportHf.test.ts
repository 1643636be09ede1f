// models/export_hf.py on fake Hugging Face folders (no weights, no transformers): the arguments,
// the special ids it finds, and that the engine loads the config.json and tokenizer.json it writes.
// The ONNX export itself needs transformers and a real checkpoint and is not exercised here.
import { test } from 'node:test';
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

// Bring-your-own model: `diffuse.model.path` / --model is checked at load, before any ONNX work,
// and each kind of broken folder gets a message that names the problem. A small hand-made folder
// stands in for a model (the graph itself is checked by the session; see modelPackage.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadModelPackage } from '../../src/model/modelPackage';

const VOCAB = { '[PAD]': 0, '[MASK]': 1, '[EOS]': 2, a: 3 };
const CONFIG = {
  format_version: 1, name: 'tiny', vocab_size: 4, max_context: 64,
  special_tokens: { mask: 1, pad: 0, eos: 2 },
  onnx: { inputs: { input_ids: 'input_ids', attention_mask: 'attention_mask' }, output: 'logits' },
};

function folder(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'diffuse-byom-'));
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(CONFIG));
  fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify({ model: { type: 'BPE', vocab: VOCAB, merges: [] } }));
  fs.writeFileSync(path.join(dir, 'model.onnx'), Buffer.from([8, 1]));
  return dir;
}

test('a complete folder loads, with the names and special ids of its config.json', () => {
  const pkg = loadModelPackage(folder());
  assert.equal(pkg.config.name, 'tiny');
  assert.deepEqual(pkg.config.special, { mask: 1, pad: 0, eos: 2, bos: undefined });
  assert.equal(pkg.config.attentionMask, 'attention_mask');
});

const broken: Array<[string, (dir: string) => string, RegExp]> = [
  ['a path that is a file', dir => path.join(dir, 'config.json'), /Model path is not a folder/],
  ['an empty path', () => '', /Model folder not found: \(empty path\)/],
  ['config.json that is a folder', dir => {
    fs.rmSync(path.join(dir, 'config.json'));
    fs.mkdirSync(path.join(dir, 'config.json'));
    return dir;
  }, /config\.json is not a file/],
  ['model.onnx that is a folder', dir => {
    fs.rmSync(path.join(dir, 'model.onnx'));
    fs.mkdirSync(path.join(dir, 'model.onnx'));
    return dir;
  }, /model\.onnx is not a file/],
  ['an empty model.onnx', dir => {
    fs.writeFileSync(path.join(dir, 'model.onnx'), '');
    return dir;
  }, /model\.onnx is empty/],
  ['a special id outside the vocabulary', dir => {
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...CONFIG, special_tokens: { mask: 9, pad: 0, eos: 2 } }));
    return dir;
  }, /special token "mask" id 9 is outside the vocabulary \(4\)/],
  ['a missing special id', dir => {
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...CONFIG, special_tokens: { pad: 0, eos: 2 } }));
    return dir;
  }, /"special_tokens\.mask" must be a non-negative integer/],
  ['a tokenizer without a vocabulary', dir => {
    fs.writeFileSync(path.join(dir, 'tokenizer.json'), '{"model": {}}');
    return dir;
  }, /tokenizer\.json has no model\.vocab/],
];

for (const [name, breakIt, message] of broken) {
  test(`${name} fails at load with a message naming it`, () => {
    const target = breakIt(folder());
    assert.throws(() => loadModelPackage(target), (e: Error) => e.name === 'ModelPackageError' && message.test(e.message));
  });
}

// Permissions do not bind root, so the check is only observable for other users.
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
test('an unreadable tokenizer.json is reported as unreadable, not as bad JSON', { skip: (isRoot || process.platform === 'win32') && 'permissions do not apply to this user' }, () => {
  const dir = folder();
  fs.chmodSync(path.join(dir, 'tokenizer.json'), 0o000);
  try {
    assert.throws(() => loadModelPackage(dir), /tokenizer\.json is not readable \(check its permissions\)/);
  } finally {
    fs.chmodSync(path.join(dir, 'tokenizer.json'), 0o644);
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadModel } from '../../src/model/fillEngine';
import { modelWeightBytes } from '../../src/model/modelPackage';
import { MODEL_DIR } from './helpers/model';

function copyModel(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'diffuse-model-'));
  for (const f of ['model.onnx', 'tokenizer.json', 'config.json']) fs.copyFileSync(path.join(MODEL_DIR, f), path.join(dir, f));
  return dir;
}

test('a copy of the default model in another folder loads', async () => {
  const dir = copyModel();
  const m = await loadModel(dir, 'cpu');
  assert.equal(m.pkg.config.vocabSize, m.tokenizer.vocabSize);
  await m.session.release();
});

const broken: Array<[string, (dir: string) => void, RegExp]> = [
  ['missing folder', (dir) => fs.rmSync(dir, { recursive: true }), /Model folder not found/],
  ['missing tokenizer', (dir) => fs.rmSync(path.join(dir, 'tokenizer.json')), /missing tokenizer\.json/],
  ['missing model.onnx', (dir) => fs.rmSync(path.join(dir, 'model.onnx')), /missing model\.onnx/],
  ['corrupt config', (dir) => fs.writeFileSync(path.join(dir, 'config.json'), '{ not json'), /config\.json is not valid JSON/],
  ['wrong vocab size', (dir) => {
    const c = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
    c.vocab_size = 32000;
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(c));
  }, /Vocabulary size mismatch: tokenizer\.json has \d+ tokens, config\.json says vocab_size 32000/],
  ['unknown format', (dir) => {
    const c = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
    c.format_version = 99;
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(c));
  }, /format_version 99 is not supported/],
  ['corrupt onnx', (dir) => fs.writeFileSync(path.join(dir, 'model.onnx'), Buffer.from('this is not a model')), /model\.onnx could not be loaded/],
  ['truncated onnx', (dir) => {
    const f = path.join(dir, 'model.onnx');
    fs.truncateSync(f, Math.floor(fs.statSync(f).size / 2));
  }, /model\.onnx could not be loaded/],
  ['wrong input name', (dir) => {
    const c = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
    c.onnx.inputs.input_ids = 'tokens';
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(c));
  }, /model\.onnx has no input "tokens"/],
  ['wrong positions input name', (dir) => {
    const c = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
    c.onnx.inputs.positions = 'where';
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(c));
  }, /model\.onnx has no input "where".*onnx\.inputs\.positions/],
];

for (const [name, breakIt, message] of broken) {
  test(`a model folder with ${name} fails at load with a message naming it`, async () => {
    const dir = copyModel();
    breakIt(dir);
    await assert.rejects(loadModel(dir, 'cpu'), (e: Error) => e.name === 'ModelPackageError' && message.test(e.message));
  });
}

test('a model folder\'s weight size counts model.onnx and its external data (what decides a preload)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'diffuse-size-'));
  try {
    assert.equal(modelWeightBytes(dir), 0, 'nothing there');
    // Sparse files: a 7B export's size without writing it.
    fs.writeFileSync(path.join(dir, 'model.onnx'), '');
    fs.truncateSync(path.join(dir, 'model.onnx'), 1_000_000);
    fs.writeFileSync(path.join(dir, 'model.onnx.data'), '');
    fs.truncateSync(path.join(dir, 'model.onnx.data'), 14_000_000_000);
    assert.equal(modelWeightBytes(dir), 14_001_000_000);
    assert.equal(modelWeightBytes(MODEL_DIR), fs.statSync(path.join(MODEL_DIR, 'model.onnx')).size, 'the bundled model is one file');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

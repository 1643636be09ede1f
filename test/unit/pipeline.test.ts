import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './helpers/model';

const python = '/usr/bin/python3';
const hasTorch = fs.existsSync(python) && spawnSync(python, ['-c', 'import torch, onnx'], { encoding: 'utf8' }).status === 0;

// The model pipeline in miniature (corpus slice, tokenizer, training, export, load in Node, torchrun).
test('the training pipeline runs end to end on a tiny configuration', { skip: !hasTorch && 'needs python3-torch and python3-onnx (see README)', timeout: 15 * 60_000 }, () => {
  const r = spawnSync(python, ['-m', 'unittest', '-v', path.join('models', 'training', 'tests', 'test_pipeline.py')], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`.slice(-4000));
  assert.match(r.stderr, /Ran 3 tests/);
});

// The speed benchmark's autoregressive anchor is a real KV-cached decoder (models/training/export_ar.py).
test('the cached autoregressive anchor decodes with its cache as a full causal recompute does', { skip: !hasTorch && 'needs python3-torch and python3-onnx (see README)', timeout: 5 * 60_000 }, () => {
  const r = spawnSync(python, ['-m', 'unittest', '-v', path.join('models', 'training', 'tests', 'test_export_ar.py')], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`.slice(-4000));
  assert.match(r.stderr, /Ran \d+ tests/);
  assert.match(r.stderr, /\nOK/);
});

// The rows the product's jobs need: visible slips to correct (Repair), short seams to fill (Apply).
test('training rows: slips to correct and seams to fill', { skip: !hasTorch && 'needs python3-torch and python3-onnx (see README)', timeout: 5 * 60_000 }, () => {
  const r = spawnSync(python, ['-m', 'unittest', '-v', path.join('models', 'training', 'tests', 'test_rows.py')], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`.slice(-4000));
  assert.match(r.stderr, /Ran 5 tests/);
  assert.match(r.stderr, /\nOK/);
});

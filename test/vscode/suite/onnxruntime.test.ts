// onnxruntime-node is a native module: prove it loads and runs inside the extension host, from the
// extension's own folder (the repository in development, the unpacked .vsix when installed).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FillRecord } from '../../../src/vscode/fillRecord';
import { activateTestApi, getExtension, openNewFile, rejectReviewsAndCloseEditors, repoRoot, TOTAL_FUNCTION } from './util';

type Ort = typeof import('onnxruntime-node');

function loadOrt(): Ort {
  const fromExtension = createRequire(path.join(getExtension().extensionPath, 'package.json'));
  return fromExtension('onnxruntime-node') as Ort;
}

suite('onnxruntime-node in the extension host', () => {
  test('loads from the extension folder', () => {
    const ort = loadOrt();
    assert.equal(typeof ort.InferenceSession.create, 'function');
  });

  test('runs a session and returns the expected numbers', async () => {
    const ort = loadOrt();
    // test/fixtures/onnx/tiny.onnx computes softmax(x @ W + b); see make_tiny.py for W and b.
    const session = await ort.InferenceSession.create(path.join(repoRoot, 'test', 'fixtures', 'onnx', 'tiny.onnx'));
    try {
      const x = [1, 2, 3, 4];
      const W = [[0.5, -1.0, 2.0], [1.5, 0.0, -0.5], [-2.0, 1.0, 0.25], [0.75, 0.5, 1.0]];
      const b = [0.1, -0.2, 0.3];
      const { y } = await session.run({ x: new ort.Tensor('float32', Float32Array.from(x), [1, 4]) });
      const logits = b.map((bias, j) => bias + x.reduce((sum, xi, i) => sum + xi * W[i][j], 0));
      const exp = logits.map(l => Math.exp(l - Math.max(...logits)));
      const expected = exp.map(e => e / exp.reduce((s, v) => s + v, 0));
      assert.deepEqual(y.dims, [1, 3]);
      const actual = Array.from(y.data as Float32Array);
      actual.forEach((v, j) => assert.ok(Math.abs(v - expected[j]) < 1e-5, `y[${j}] = ${v}, expected ${expected[j]}`));
    } finally {
      await session.release();
    }
  });

  test('opens the default model shipped with the extension', async function () {
    const modelFile = path.join(getExtension().extensionPath, 'models', 'diffuse-code-mini', 'model.onnx');
    if (!fs.existsSync(modelFile)) this.skip(); // the model is produced by models/training; absent in early checkouts
    const session = await loadOrt().InferenceSession.create(modelFile);
    try {
      assert.ok(session.inputNames.length > 0 && session.outputNames.length > 0);
    } finally {
      await session.release();
    }
  });

  test('a fill with the default settings runs the model shipped in the extension folder', async function () {
    this.timeout(180_000);
    const extensionPath = getExtension().extensionPath;
    // Set by test/vscode/install-vsix.mjs: the suite then runs against the installed .vsix.
    const installed = process.env.DIFFUSE_TEST_INSTALLED_VSIX;
    if (installed) {
      const inside = (dir: string, file: string) => !path.relative(dir, file).startsWith('..');
      assert.ok(!inside(repoRoot, extensionPath), `the extension runs from ${extensionPath}, inside the source tree`);
      assert.match(path.basename(extensionPath), /^diffuse-edit\.diffuse-edit-/, 'the installed copy in the extensions folder');
    }
    const api = await activateTestApi();
    try {
      const editor = await openNewFile('installed', [...TOTAL_FUNCTION, ''].join('\n'));
      editor.selection = new vscode.Selection(1, 0, 2, 0);
      const record = await vscode.commands.executeCommand<FillRecord>('diffuse.edit');
      assert.ok(record && ['review', 'no-change'].includes(record.outcome), `the fill finished: ${JSON.stringify(record)}`);
      assert.ok((record.nfe ?? 0) >= 1, 'the model was called');
      assert.equal(record.source, path.join(extensionPath, 'models', 'diffuse-code-mini'), 'the model came from the extension folder');
    } finally {
      await rejectReviewsAndCloseEditors(api);
    }
  });
});

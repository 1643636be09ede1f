import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { WorkerClient } from '../../src/model/workerClient';
import { MODEL_DIR, WORKER_JS, sampler, TS_PREFIX, TS_SUFFIX } from './helpers/model';

const built = fs.existsSync(WORKER_JS);

test('the worker fills, reports steps, and is cancelled between steps', { skip: !built && 'run npm run build first' }, async () => {
  const client = new WorkerClient({ workerPath: WORKER_JS, modelDir: MODEL_DIR, provider: 'cpu' });
  try {
    const info = await client.start();
    assert.equal(info.provider, 'cpu');
    let steps = 0;
    const out = await client.fill([{ prefix: TS_PREFIX, suffix: TS_SUFFIX, maxTokens: 8 }], sampler({ strategy: 'confidence', steps: 4 }), { onStep: () => steps++ });
    assert.equal(out.texts.length, 1);
    assert.equal(steps, out.nfe);
    const ac = new AbortController();
    let seen = 0;
    await assert.rejects(
      client.fill([{ prefix: TS_PREFIX, suffix: TS_SUFFIX, maxTokens: 40 }], sampler({ strategy: 'ar' }), {
        onStep: () => { if (++seen === 1) ac.abort(); },
        signal: ac.signal,
      }),
      (e: Error) => e.name === 'CancelledError',
    );
    assert.ok(seen <= 2, `cancel seen after ${seen} steps`);
  } finally {
    await client.stop();
  }
});

test('killing the worker mid-fill gives a clear error and the next fill works', { skip: !built && 'run npm run build first' }, async () => {
  const client = new WorkerClient({ workerPath: WORKER_JS, modelDir: MODEL_DIR, provider: 'cpu' });
  try {
    await client.start();
    const pending = client.fill([{ prefix: TS_PREFIX, suffix: TS_SUFFIX, maxTokens: 60 }], sampler({ strategy: 'ar' }), {
      onStep: (e) => { if (e.step === 2) void killWorker(client); },
    });
    await assert.rejects(pending, (e: Error) => e.name === 'WorkerCrashError' && /stopped unexpectedly \(signal SIGKILL\)/.test(e.message));
    const again = await client.fill([{ prefix: TS_PREFIX, suffix: TS_SUFFIX, maxTokens: 6 }], sampler());
    assert.equal(again.texts.length, 1);
  } finally {
    await client.stop();
  }
});

test('the worker is released after the idle timeout and restarts on demand', { skip: !built && 'run npm run build first' }, async () => {
  const client = new WorkerClient({ workerPath: WORKER_JS, modelDir: MODEL_DIR, provider: 'cpu', idleTimeoutMs: 200 });
  try {
    await client.fill([{ prefix: 'x = ', suffix: '\n', maxTokens: 3 }], sampler());
    assert.equal(client.running, true);
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(client.running, false);
    const out = await client.fill([{ prefix: 'x = ', suffix: '\n', maxTokens: 3 }], sampler());
    assert.equal(out.texts.length, 1);
  } finally {
    await client.stop();
  }
});

/** Simulates a crash: kills the worker process the way a native fault would, behind the client's back. */
async function killWorker(client: WorkerClient): Promise<void> {
  const w = (client as unknown as { worker?: { kill(signal: string): boolean } }).worker;
  w?.kill('SIGKILL');
}

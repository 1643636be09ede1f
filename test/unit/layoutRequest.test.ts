import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { layoutInfill } from '../../src/core/layout';
import { layoutParams, layoutRequest } from '../../src/model/fillEngine';
import { defaultModel, ROOT } from './helpers/model';

// A chunk deep in a large file: only the code near it is tokenized, and the canvas row is the one
// the whole text gives, token for token.
test('layoutRequest tokenizes only the code near the canvas that the context takes, with the same row as the whole text', async () => {
  const m = await defaultModel();
  const source = fs.readFileSync(path.join(ROOT, 'src', 'engine', 'syntaxRepair.ts'), 'utf8');
  // Long runs of indentation and blank lines near the cut as well as ordinary code.
  const big = Array.from({ length: 8 }, (_, i) => `${' '.repeat(4 * i)}\n\n${source}`).join('\n');
  const reach = (m.pkg.config.maxContext + 16) * m.tokenizer.maxTokenBytes;
  const encode = m.tokenizer.encode.bind(m.tokenizer);
  let encoded = 0;
  m.tokenizer.encode = (text: string) => {
    encoded += text.length;
    return encode(text);
  };
  for (const at of [big.length >> 2, big.length >> 1, big.length - 2000, 500]) {
    const r = { prefix: big.slice(0, at), suffix: big.slice(at + 300), original: big.slice(at, at + 300), languageId: 'typescript' };
    encoded = 0;
    const fast = layoutRequest(m, r);
    // A window a few characters per token wide, not the longest text the context's tokens could span.
    if (r.prefix.length > reach && r.suffix.length > reach) assert.ok(encoded < reach / 2, `${encoded} characters tokenized for a row at ${at}`);
    const L = fast.length;
    const whole = layoutInfill(m.tokenizer.encode(r.prefix), m.tokenizer.encode(r.suffix), L, layoutParams(m));
    assert.deepEqual([...fast.ids], [...whole.ids], `row at ${at}`);
    assert.equal(fast.start, whole.start);
    if (r.prefix.length > reach * 2) assert.ok(fast.droppedPrefix < whole.droppedPrefix, 'the far end of the prefix was never tokenized');
  }
  await m.session.release();
});

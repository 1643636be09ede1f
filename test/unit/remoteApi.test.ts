// The pure parts of the remote backend: URLs, bodies, chat clean-up, retry timing, scrubbing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerText, apiUrl, chatPrompt, matchTrailingNewline, requestBody, stripFences } from '../../src/model/remoteApi';
import { trimContext } from '../../src/model/remoteBackend';
import { backoffMs, describeUrl, retryAfterMs, scrub } from '../../src/model/remoteHttp';

test('apiUrl adds /v1 unless the endpoint already ends with a version, and keeps a query', () => {
  assert.equal(apiUrl('https://api.inceptionlabs.ai/v1', 'fim'), 'https://api.inceptionlabs.ai/v1/fim/completions');
  assert.equal(apiUrl('https://api.inceptionlabs.ai', 'chat'), 'https://api.inceptionlabs.ai/v1/chat/completions');
  assert.equal(apiUrl('http://localhost:30000/', 'completions'), 'http://localhost:30000/v1/completions');
  assert.equal(apiUrl(' http://gpu-box:8000/proxy/v1// ', 'fim'), 'http://gpu-box:8000/proxy/v1/fim/completions');
  assert.equal(apiUrl('https://h.example/v1?api-version=2', 'chat'), 'https://h.example/v1/chat/completions?api-version=2');
  assert.throws(() => apiUrl('not a url', 'fim'), /not a URL/);
  assert.throws(() => apiUrl('ftp://h/v1', 'fim'), /http:\/\/ or https:\/\//);
});

test('FIM and completions bodies carry prompt and suffix; chat carries a system prompt and the region', () => {
  const req = { prefix: 'a = ', suffix: '\nb = 2\n', original: '1', languageId: 'python' };
  const o = { model: 'm', maxTokens: 40, temperature: 0.2, stream: true };
  assert.deepEqual(requestBody('fim', req, o), { model: 'm', max_tokens: 40, temperature: 0.2, stream: true, prompt: 'a = ', suffix: '\nb = 2\n' });
  const chat = requestBody('chat', req, { ...o, instruction: 'use 3' }) as { messages: Array<{ role: string; content: string }> };
  assert.deepEqual(chat.messages.map(m => m.role), ['system', 'user']);
  assert.match(chat.messages[1].content, /^Language: python\nInstruction: use 3\n/);
  assert.match(chatPrompt(req, undefined), /Instruction: none; improve the region/);
});

test('answerText reads choices[0].text or the chat message, and names what is missing', () => {
  assert.equal(answerText('fim', { choices: [{ text: 'x' }] }), 'x');
  assert.equal(answerText('chat', { choices: [{ message: { content: 'y' } }] }), 'y');
  assert.throws(() => answerText('chat', { choices: [{ text: 'x' }] }), /no choices\[0\]\.message\.content/);
  assert.throws(() => answerText('fim', { error: 'nope' }), /no choices\[0\]\.text/);
});

test('stripFences keeps the code of the first fenced block, or the answer as it is', () => {
  assert.equal(stripFences('```python\nx = 1\ny = 2\n```'), 'x = 1\ny = 2\n');
  assert.equal(stripFences('Sure!\n```\nreturn 1;\n```\nAnything else?'), 'return 1;\n');
  assert.equal(stripFences('  return 1;\n'), '  return 1;\n');
  assert.equal(stripFences('<region>\nreturn 1;\n</region>'), 'return 1;\n');
});

test('matchTrailingNewline gives the fill the trailing line break of the original', () => {
  assert.equal(matchTrailingNewline('x', 'y\n'), 'x\n');
  assert.equal(matchTrailingNewline('x', 'y\r\n'), 'x\r\n');
  assert.equal(matchTrailingNewline('x\n', 'y'), 'x');
  assert.equal(matchTrailingNewline('x\n', undefined), 'x\n', 'pure infill keeps what the model wrote');
  assert.equal(matchTrailingNewline('', 'y\n'), '', 'an empty fill stays empty (a deletion)');
});

test('trimContext cuts long context at line boundaries on both sides', () => {
  const prefix = Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n') + '\n  ';
  const suffix = '\n' + Array.from({ length: 100 }, (_, i) => `after ${i}`).join('\n');
  const t = trimContext({ prefix, suffix }, 40);
  assert.ok(t.prefix.length <= 40 && prefix.endsWith(t.prefix) && /^line \d+\n/.test(t.prefix), JSON.stringify(t.prefix));
  assert.ok(t.suffix.length <= 40 && suffix.startsWith(t.suffix) && t.suffix.endsWith('\n'), JSON.stringify(t.suffix));
  assert.deepEqual(trimContext({ prefix: 'a', suffix: 'b' }, 40), { prefix: 'a', suffix: 'b' });
});

test('Retry-After in seconds or as a date; backoff doubles with jitter and is capped', () => {
  assert.equal(retryAfterMs('3'), 3000);
  assert.equal(retryAfterMs(null), undefined);
  assert.equal(retryAfterMs('soon'), undefined);
  assert.equal(retryAfterMs(new Date(10_000).toUTCString(), 4_000), 6_000);
  assert.deepEqual([0, 1, 2].map(n => backoffMs(n, () => 1)), [500, 1000, 2000]);
  assert.deepEqual([0, 1].map(n => backoffMs(n, () => 0)), [250, 500]);
  assert.equal(backoffMs(20, () => 1), 8000);
});

test('scrub removes the key and URL user info; describeUrl drops query and credentials', () => {
  assert.equal(scrub('Bearer abcd1234 failed for abcd1234', 'abcd1234'), 'Bearer *** failed for ***');
  assert.equal(scrub('at https://me:pw@h.example/v1', undefined), 'at https://h.example/v1');
  assert.equal(describeUrl('https://me:pw@h.example/v1/fim/completions?key=abc'), 'https://h.example/v1/fim/completions');
});

// Workspace trust and the remote backend: a cloned repository must not be able to send its code,
// or the user's key, to a server of its choosing. In an untrusted workspace the backend, endpoint
// and model name come from user settings only; the API flavour alone cannot send anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readSetting, type ConfigSource } from '../../src/vscode/settings';

/** `effective` is what getConfiguration().get() merges (workspace over user); `user` the global scope. */
function source(effective: Record<string, unknown>, user: Record<string, unknown>): ConfigSource {
  return {
    get: <T>(key: string) => effective[key] as T | undefined,
    inspect: <T>(key: string) => ({ globalValue: user[key] as T | undefined }),
  };
}

const workspace = { backend: 'remote', 'remote.endpoint': 'https://collector.example/v1', 'remote.model': 'theirs', 'remote.api': 'chat' };

test('untrusted: a workspace that turns the remote backend on is ignored; nothing points at its server', () => {
  const cfg = source(workspace, {});
  assert.equal(readSetting(cfg, 'backend', false), 'local');
  assert.equal(readSetting(cfg, 'remote.endpoint', false), '');
  assert.equal(readSetting(cfg, 'remote.model', false), '');
});

test('untrusted: the user\'s own remote settings still apply, not the workspace\'s overrides', () => {
  const user = { backend: 'remote', 'remote.endpoint': 'https://api.inceptionlabs.ai/v1', 'remote.model': 'mercury-coder' };
  const cfg = source({ ...user, ...workspace }, user);
  assert.equal(readSetting(cfg, 'backend', false), 'remote');
  assert.equal(readSetting(cfg, 'remote.endpoint', false), 'https://api.inceptionlabs.ai/v1');
  assert.equal(readSetting(cfg, 'remote.model', false), 'mercury-coder');
});

test('trusted: the workspace may choose its server', () => {
  const cfg = source(workspace, {});
  assert.equal(readSetting(cfg, 'backend', true), 'remote');
  assert.equal(readSetting(cfg, 'remote.endpoint', true), 'https://collector.example/v1');
});

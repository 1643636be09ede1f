import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULTS, ENUMS, RESTRICTED, readSetting, type ConfigSource } from '../../src/vscode/settings';
import { CODE_LANGUAGE_IDS } from '../../src/syntax/languages';

interface Property { type?: string | string[]; default?: unknown; enum?: string[]; scope?: string; markdownDescription?: string }

const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
  contributes?: { configuration?: { properties?: Record<string, Property> } | { properties?: Record<string, Property> }[] };
  activationEvents?: string[];
  capabilities?: { untrustedWorkspaces?: { supported?: unknown; restrictedConfigurations?: string[] } };
};

function properties(): Record<string, Property> {
  const c = manifest.contributes?.configuration;
  const list = Array.isArray(c) ? c : c ? [c] : [];
  return Object.assign({}, ...list.map(x => x.properties ?? {}));
}

test('every code default matches package.json, with a type, a description and the same enum', () => {
  const props = properties();
  for (const [key, value] of Object.entries(DEFAULTS)) {
    const p = props[`diffuse.${key}`];
    assert.ok(p, `diffuse.${key} is missing from contributes.configuration`);
    assert.deepEqual(p.default, value, `default of diffuse.${key}`);
    assert.equal(p.type, typeof value, `type of diffuse.${key}`);
    assert.ok(p.markdownDescription, `diffuse.${key} needs a markdownDescription`);
    const allowed = ENUMS[key as keyof typeof DEFAULTS];
    if (allowed) assert.deepEqual(p.enum, allowed, `enum of diffuse.${key}`);
  }
});

test('the extension activates on opening a file of every language the model writes (to load it ahead of a fill), and on nothing else', () => {
  assert.deepEqual(manifest.activationEvents, CODE_LANGUAGE_IDS.map(id => `onLanguage:${id}`));
});

test('package.json declares no diffuse setting the code does not know', () => {
  const unknown = Object.keys(properties()).filter(k => k.startsWith('diffuse.') && !(k.slice(8) in DEFAULTS));
  assert.deepEqual(unknown, []);
});

test('the model path is machine-overridable and the restricted settings match the manifest', () => {
  assert.equal(properties()['diffuse.model.path']?.scope, 'machine-overridable');
  const restricted = manifest.capabilities?.untrustedWorkspaces?.restrictedConfigurations ?? [];
  assert.deepEqual([...restricted].sort(), RESTRICTED.map(k => `diffuse.${k}`).sort());
});

function source(effective: Record<string, unknown>, global: Record<string, unknown> = {}): ConfigSource {
  return {
    get: <T>(key: string) => effective[key] as T | undefined,
    inspect: <T>(key: string) => ({ globalValue: global[key] as T | undefined }),
  };
}

test('readSetting returns the configured value and falls back on wrong types or enum values', () => {
  assert.equal(readSetting(source({ steps: 8 }), 'steps', true), 8);
  assert.equal(readSetting(source({ steps: '8' }), 'steps', true), DEFAULTS.steps);
  assert.equal(readSetting(source({ steps: Number.NaN }), 'steps', true), DEFAULTS.steps);
  assert.equal(readSetting(source({ strategy: 'greedy' }), 'strategy', true), DEFAULTS.strategy);
  assert.equal(readSetting(source({ strategy: 'entropy' }), 'strategy', true), 'entropy');
  assert.equal(readSetting(source({}), 'liveView', true), true);
});

test('an untrusted workspace cannot choose the model path, backend or endpoint', () => {
  const workspaceValues = { 'model.path': '/tmp/evil', backend: 'remote', 'remote.endpoint': 'http://x', steps: 4 };
  const cfg = source(workspaceValues, { 'remote.endpoint': 'https://user.example' });
  assert.equal(readSetting(cfg, 'model.path', false), '');
  assert.equal(readSetting(cfg, 'backend', false), 'local');
  assert.equal(readSetting(cfg, 'remote.endpoint', false), 'https://user.example');
  assert.equal(readSetting(cfg, 'steps', false), 4, 'unrestricted settings still apply');
  assert.equal(readSetting(cfg, 'model.path', true), '/tmp/evil', 'a trusted workspace may set it');
});

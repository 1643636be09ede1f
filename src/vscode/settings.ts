// Only types from 'vscode': this module also loads in plain Node, where the unit tests read DEFAULTS.
import type * as vscode from 'vscode';
import type { SamplerOptions, Strategy } from '../core/types';
import { DEFAULT_LOW_CONFIDENCE } from '../core/confidence';
import { DEFAULT_MAX_TOKENS, SAMPLER_DEFAULTS, samplerOptions } from '../engine/defaults';

export type ExecutionProvider = 'auto' | 'cpu' | 'cuda' | 'dml' | 'coreml' | 'webgpu';
export type Anchoring = 'syntax' | 'lines' | 'exact';
export type BackendKind = 'local' | 'remote';
import { DEFAULT_REPAIR_EFFORT, REPAIR_EFFORTS, type RepairEffort } from '../engine/effort';
import { REPAIR_MARGIN } from '../engine/repair';

export type RemoteApi = 'fim' | 'completions' | 'chat' | 'apply' | 'edit';

/** The type of every `diffuse.*` setting. */
export interface SettingTypes {
  'model.path': string;
  executionProvider: ExecutionProvider;
  steps: number;
  strategy: Strategy;
  threshold: number;
  temperature: number;
  maxTokens: number;
  anchoring: Anchoring;
  liveView: boolean;
  'review.lowConfidence': number;
  backend: BackendKind;
  'remote.endpoint': string;
  'remote.model': string;
  'remote.api': RemoteApi;
  wholeFileConfirmLines: number;
  maxFileBytes: number;
  debugLogContent: boolean;
  'repair.threshold': number;
  'repair.maxShare': number;
  'repair.margin': number;
  'repair.effort': RepairEffort;
  'worker.idleTimeoutSeconds': number;
  'worker.preload': boolean;
}

export type SettingKey = keyof SettingTypes;
type SettingValue<K extends SettingKey> = SettingTypes[K];

/** The code's defaults; test/unit/settings.test.ts checks them against package.json. */
export const DEFAULTS: Readonly<SettingTypes> = {
  'model.path': '',
  executionProvider: 'auto',
  steps: SAMPLER_DEFAULTS.steps,
  strategy: SAMPLER_DEFAULTS.strategy,
  threshold: SAMPLER_DEFAULTS.threshold,
  temperature: SAMPLER_DEFAULTS.temperature,
  maxTokens: DEFAULT_MAX_TOKENS,
  anchoring: 'syntax',
  liveView: true,
  'review.lowConfidence': DEFAULT_LOW_CONFIDENCE,
  backend: 'local',
  'remote.endpoint': '',
  'remote.model': '',
  'remote.api': 'fim',
  wholeFileConfirmLines: 400,
  maxFileBytes: 1_000_000,
  debugLogContent: false,
  'repair.threshold': 0.02,
  'repair.maxShare': 0.15,
  'repair.margin': REPAIR_MARGIN,
  'repair.effort': DEFAULT_REPAIR_EFFORT,
  'worker.idleTimeoutSeconds': 300,
  'worker.preload': true,
};

/** Settings that could point the extension at code or a server chosen by a workspace. */
export const RESTRICTED: readonly SettingKey[] = ['model.path', 'backend', 'remote.endpoint', 'remote.model'];

export const ENUMS: Partial<Record<SettingKey, readonly string[]>> = {
  'repair.effort': REPAIR_EFFORTS,
  executionProvider: ['auto', 'cpu', 'cuda', 'dml', 'coreml', 'webgpu'],
  strategy: ['confidence', 'threshold', 'entropy', 'margin', 'ar'],
  anchoring: ['syntax', 'lines', 'exact'],
  backend: ['local', 'remote'],
  'remote.api': ['fim', 'completions', 'chat', 'apply', 'edit'],
};

/** The slice of `WorkspaceConfiguration` the reader needs (lets tests pass a plain object). */
export interface ConfigSource {
  get<T>(key: string): T | undefined;
  inspect<T>(key: string): { globalValue?: T; defaultValue?: T; workspaceValue?: T; workspaceFolderValue?: T } | undefined;
}

/**
 * Typed reads of `diffuse.*`. A value of the wrong type or outside its enum falls back to the
 * default, so a hand-edited settings.json cannot crash a fill. In an untrusted workspace the
 * restricted settings come from the user (global) scope only: a cloned repository must not be able
 * to choose the model binary or the server that receives its code.
 */
export function readSetting<K extends SettingKey>(config: ConfigSource, key: K, trusted: boolean): SettingValue<K> {
  const fallback = DEFAULTS[key] as SettingValue<K>;
  let value: unknown;
  if (!trusted && RESTRICTED.includes(key)) {
    value = config.inspect<unknown>(key)?.globalValue;
  } else {
    value = config.get<unknown>(key);
  }
  if (typeof value !== typeof fallback) return fallback;
  const allowed = ENUMS[key];
  if (allowed && !allowed.includes(value as string)) return fallback;
  if (typeof value === 'number' && !Number.isFinite(value)) return fallback;
  return value as SettingValue<K>;
}

export class Settings {
  constructor(private readonly workspace: Pick<typeof vscode.workspace, 'getConfiguration' | 'isTrusted'>) {}

  // Read for no particular resource (`null`): the window's and the workspace's values, said
  // explicitly so VS Code does not warn about resource-scoped settings read without one.
  get<K extends SettingKey>(key: K): SettingValue<K> {
    return readSetting(this.workspace.getConfiguration('diffuse', null), key, this.workspace.isTrusted);
  }

  /** Whether the user set `key` (in a scope that counts: user settings only for restricted keys of an untrusted workspace). */
  isSet(key: SettingKey): boolean {
    const i = this.workspace.getConfiguration('diffuse', null).inspect<unknown>(key);
    if (!i) return false;
    const scopes = !this.workspace.isTrusted && RESTRICTED.includes(key) ? [i.globalValue] : [i.globalValue, i.workspaceValue, i.workspaceFolderValue];
    return scopes.some(v => v !== undefined);
  }

  /** The sampler settings the user set (the rest is left to the engine's defaults and the model's). */
  userSampler(): Partial<SamplerOptions> {
    const out: { -readonly [K in keyof SamplerOptions]?: SamplerOptions[K] } = {};
    if (this.isSet('steps')) out.steps = clampInt(this.get('steps'), 1, 1024);
    if (this.isSet('strategy')) out.strategy = this.get('strategy');
    if (this.isSet('threshold')) out.threshold = clamp(this.get('threshold'), 0, 1);
    if (this.isSet('temperature')) out.temperature = Math.max(0, this.get('temperature'));
    return out;
  }

  /**
   * Sampler options for one fill: the engine's defaults, the model's recommendations, then the
   * user's settings (engine/defaults samplerOptions); the seed is fixed so the same request gives
   * the same fill.
   */
  sampler(recommended?: Partial<SamplerOptions>): SamplerOptions {
    return samplerOptions(recommended, this.userSampler());
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

function clampInt(v: number, lo: number, hi: number): number {
  return Math.round(clamp(v, lo, hi));
}

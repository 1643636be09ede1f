import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { notify } from './notify';
import { modelWeightBytes } from '../model/modelPackage';
import { loadEngine, type Backend, type EditRequest, type EditResult, type Engine } from './engine';
import type { DiffuseLog } from './log';
import type { Settings } from './settings';

/** SecretStorage key of the remote backend's API key. */
export const API_KEY_SECRET = 'diffuse.remote.apiKey';

/** Largest model (model.onnx and its external weights) that diffuse.worker.preload loads ahead of a command. */
export const PRELOAD_MAX_BYTES = 2e9;

/** Settings whose change invalidates a created backend. */
const BACKEND_KEYS = ['model.path', 'executionProvider', 'backend', 'remote.endpoint', 'remote.model', 'remote.api',
  'worker.idleTimeoutSeconds'];

/** Whether Diffuse Edit… can pass an instruction, and if not, why (in words for the user). */
export type InstructionSupport = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Owns the one backend of the window: created on the first fill (the worker and the ONNX session
 * are expensive), shared by every file, and disposed when its settings or the API key change, when
 * the workspace becomes trusted, or when the extension stops.
 */
export class BackendService implements vscode.Disposable {
  private backend: Promise<Backend> | undefined;
  private usedHere = false;
  /** The size of the model folder preload last looked at (modelWeightBytes). */
  private weights: { readonly dir: string; readonly bytes: number } | undefined;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly settings: Settings,
    private readonly log?: DiffuseLog,
    private readonly engine: Engine = loadEngine(),
  ) {
    this.subscriptions = [
      vscode.workspace.onDidChangeConfiguration(e => {
        if (BACKEND_KEYS.some(k => e.affectsConfiguration(`diffuse.${k}`))) this.reset();
      }),
      // Trust makes the workspace's own model path and endpoint count (see Settings).
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.reset()),
      context.secrets.onDidChange(e => {
        if (e.key === API_KEY_SECRET) this.reset();
      }),
    ];
  }

  /**
   * The model folder in use: the setting, or the model shipped inside the extension. `~` is the home
   * folder; a relative path is taken from the first workspace folder (the extension host's working
   * directory means nothing to the user).
   */
  modelDir(): string {
    const configured = this.settings.get('model.path').trim();
    if (!configured) return path.join(this.context.extensionPath, 'models', 'diffuse-code-mini');
    const expanded = /^~(?=$|[\\/])/.test(configured) ? path.join(os.homedir(), configured.slice(1)) : configured;
    const base = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    return path.isAbsolute(expanded) || !base ? path.resolve(expanded) : path.resolve(base, expanded);
  }

  /**
   * Where fills will go, from the settings alone (nothing is started): the local model's folder
   * name, or the remote model and host, for the status bar.
   */
  configured(): { readonly model: string; readonly provider?: string } {
    if (this.settings.get('backend') !== 'remote') return { model: path.basename(this.modelDir()) };
    const endpoint = this.settings.get('remote.endpoint').trim();
    let host = 'no endpoint set';
    try {
      if (endpoint) host = new URL(endpoint).host;
    } catch {
      host = 'an invalid endpoint';
    }
    return { model: `${this.settings.get('remote.model').trim() || 'default model'} at ${host}`, provider: 'remote' };
  }

  /**
   * What the configured backend can do, from the settings alone: follow an instruction (Diffuse
   * Edit…), merge a snippet on the server (Diffuse Apply places snippets locally either way),
   * propose the next edit from the user's recent edits, score
   * every token (Diffuse Repair), and give the review its confidence.
   */
  capabilities(): { readonly instructions: boolean; readonly serverApply: boolean; readonly nextEdit: boolean; readonly tokenScores: boolean; readonly confidence: boolean } {
    const remote = this.settings.get('backend') === 'remote';
    const api = this.settings.get('remote.api');
    return {
      instructions: remote && api === 'chat',
      serverApply: remote && api === 'apply',
      nextEdit: remote && api === 'edit',
      tokenScores: !remote,
      confidence: !remote || api === 'completions' || api === 'chat',
    };
  }

  /** Whether fills run on the model shipped inside the extension (local, no model path set). */
  isBundled(): boolean {
    return this.settings.get('backend') !== 'remote' && !this.settings.get('model.path').trim();
  }

  /** Decided from the settings alone, so the user is told before anything is started or sent. */
  instructionSupport(): InstructionSupport {
    if (this.settings.get('backend') !== 'remote') {
      return { ok: false, reason: 'The local model cannot follow instructions: it rewrites the selection from the code around it.' };
    }
    const api = this.settings.get('remote.api');
    if (api !== 'chat') {
      return { ok: false, reason: `The remote "${api}" API cannot follow instructions; set "diffuse.remote.api" to "chat" for an instruction-following model.` };
    }
    return { ok: true };
  }

  /** Whether a command has asked for a backend in this window (Diffuse is in use here). */
  get used(): boolean {
    return this.usedHere;
  }

  /** The backend for a command (created on first use); marks Diffuse as in use in this window. */
  get(): Promise<Backend> {
    this.usedHere = true;
    return this.obtain();
  }

  private obtain(): Promise<Backend> {
    if (!this.backend) {
      const created = this.settings.get('backend') === 'remote' ? this.createRemote() : this.createLocal();
      // A failed start must not stick: the next fill retries (the user may have fixed the path).
      created.catch(() => {
        if (this.backend === created) this.backend = undefined;
      });
      this.backend = created;
    }
    return this.backend;
  }

  /**
   * Starts the local model ahead of the first fill, when `diffuse.worker.preload` allows; a
   * restarted worker after an idle release as well. A model whose weights pass PRELOAD_MAX_BYTES
   * (a 7B export) is left to load when a command needs it: opening a file must not take gigabytes
   * of memory. A failure stays in the log: the fill that needs the model reports it.
   */
  async warm(): Promise<void> {
    if (this.settings.get('backend') === 'remote' || !this.settings.get('worker.preload')) return;
    // Measured once per model folder, not on every selection that calls this: reset() (a changed
    // model path) measures again.
    const dir = this.modelDir();
    if (this.weights?.dir !== dir) {
      this.weights = { dir, bytes: modelWeightBytes(dir) };
      if (this.weights.bytes > PRELOAD_MAX_BYTES) {
        this.log?.info(`the model's weights are ${(this.weights.bytes / 1e9).toFixed(1)} GB: it loads when a command needs it, not ahead (diffuse.worker.preload covers models up to ${PRELOAD_MAX_BYTES / 1e9} GB)`);
      }
    }
    if (this.weights.bytes > PRELOAD_MAX_BYTES) return;
    try {
      await (await this.obtain()).warm?.();
    } catch (e) {
      this.log?.info(`the local model was not started ahead of a fill: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Whether the local model's worker is running now; false before a backend was created. */
  async modelRunning(): Promise<boolean> {
    const created = this.backend;
    if (!created) return false;
    try {
      return (await created).running === true;
    } catch {
      return false;
    }
  }

  async runEdit(request: EditRequest): Promise<{ result: EditResult; backend: Backend }> {
    const backend = await this.get();
    return { result: await this.engine.runEdit(backend, request), backend };
  }

  private async createLocal(): Promise<Backend> {
    const local = await this.engine.createLocalBackend({
      modelDir: this.modelDir(),
      executionProvider: this.settings.get('executionProvider'),
      workerPath: path.join(this.context.extensionPath, 'dist', 'worker.js'),
      idleTimeoutMs: Math.max(0, this.settings.get('worker.idleTimeoutSeconds')) * 1000,
    });
    const offered = local.availableProviders?.length ? local.availableProviders.join(', ') : 'unknown';
    this.log?.info(`local model: ${local.describe()}; execution provider "${local.provider}" ` +
      `(asked for "${this.settings.get('executionProvider')}"; this onnxruntime-node build can use here: ${offered})`);
    if (local.fallbackNotice) {
      this.log?.info(local.fallbackNotice);
      void notify.info(`Diffuse: ${local.fallbackNotice}`);
    }
    return local;
  }

  private async createRemote(): Promise<Backend> {
    const endpoint = this.settings.get('remote.endpoint').trim();
    if (!endpoint) {
      // Nothing is sent anywhere until the user names a server.
      throw new Error('"diffuse.backend" is "remote" but "diffuse.remote.endpoint" is empty: set the server\'s URL, or switch the backend to "local".');
    }
    const apiKey = await this.context.secrets.get(API_KEY_SECRET);
    const remote = this.engine.createRemoteBackend({
      endpoint,
      model: this.settings.get('remote.model'),
      api: this.settings.get('remote.api'),
      apiKey: apiKey || undefined,
    });
    this.log?.info(`remote backend: ${remote.describe()}, ${this.settings.get('remote.api')} API, ${apiKey ? 'with' : 'without'} an API key`);
    return remote;
  }

  /** Drops the backend; the next fill creates one from the current settings and key. */
  reset(): void {
    const old = this.backend;
    this.backend = undefined;
    this.weights = undefined;
    void old?.then(b => b.dispose(), () => undefined);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.reset();
  }
}

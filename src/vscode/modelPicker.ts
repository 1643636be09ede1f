import * as path from 'node:path';
import * as vscode from 'vscode';
import { loadModelPackage } from '../model/modelPackage';
import { listModels, type ListedModel } from '../model/remoteModels';
import { RemoteError } from '../model/remoteHttp';
import { API_KEY_SECRET, type BackendService } from './backendService';
import type { DiffuseLog } from './log';
import { notify } from './notify';
import { prompt } from './prompts';
import type { RemoteApi, Settings, SettingTypes } from './settings';

/** Inception's OpenAI-compatible API (Mercury). */
export const INCEPTION_ENDPOINT = 'https://api.inceptionlabs.ai/v1';

export const CHOICES = {
  bundled: '$(package) Bundled starter',
  inception: '$(cloud) Inception Mercury',
  server: '$(server) OpenAI-compatible server…',
  folder: '$(folder) Model folder…',
} as const;
type Choice = keyof typeof CHOICES;

/** The settings Choose Model writes, always in the user's settings. */
type ModelSettings = Partial<Pick<SettingTypes, 'backend' | 'model.path' | 'remote.endpoint' | 'remote.model' | 'remote.api'>>;
const MODEL_KEYS: ReadonlyArray<keyof ModelSettings> = ['backend', 'model.path', 'remote.endpoint', 'remote.model', 'remote.api'];

/** What a Mercury model is for, by its name: the edit models propose edits (next edit); the others chat. */
function mercuryApi(id: string): RemoteApi {
  return /edit/i.test(id) ? 'edit' : /coder/i.test(id) ? 'fim' : 'chat';
}

const API_ITEMS: ReadonlyArray<vscode.QuickPickItem & { api: RemoteApi }> = [
  { label: 'chat', api: 'chat', description: 'follows instructions; the one for SGLang and vLLM', detail: 'Rewrites through /v1/chat/completions; Diffuse Edit… passes your instruction.' },
  { label: 'completions', api: 'completions', description: 'prompt + suffix', detail: 'Fill in the middle through /v1/completions with a suffix (vLLM and llama.cpp refuse the suffix; SGLang drops it without a completion template).' },
  { label: 'edit', api: 'edit', description: '/v1/edit/completions', detail: 'Next edit in Inception\'s format: the region, the file and your recent edits.' },
  { label: 'fim', api: 'fim', description: '/v1/fim/completions', detail: 'A fill-in-the-middle endpoint in Inception\'s format.' },
];

/**
 * **Diffuse: Choose Model**: one quick pick between the bundled starter, Inception Mercury, an
 * OpenAI-compatible server and a model folder, each checked on the spot (the key by one request,
 * the server by its model list, the folder by loading it) before anything is written. It writes
 * user settings only, never the workspace's, and the key goes to secret storage.
 */
export class ModelPicker {
  /** Where Inception is reached (the in-host tests point it at a loopback server). */
  inceptionEndpoint = INCEPTION_ENDPOINT;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly settings: Settings,
    private readonly backends: BackendService,
    private readonly log: DiffuseLog,
  ) {}

  /** Runs the picker; resolves to the choice that was made and checked, or undefined. */
  async choose(): Promise<Choice | undefined> {
    const current = this.current();
    const all: Array<vscode.QuickPickItem & { choice: Choice }> = [
      { choice: 'bundled', label: CHOICES.bundled, description: 'diffuse-code-mini, on this machine', detail: 'Repairs, applies and short fills; cannot follow instructions.' },
      { choice: 'inception', label: CHOICES.inception, description: 'api.inceptionlabs.ai · needs an API key', detail: 'Diffusion models behind an API: fill in the middle, apply, chat that follows instructions.' },
      { choice: 'server', label: CHOICES.server, description: 'SGLang, vLLM, llama.cpp, …', detail: 'A server at a URL, local or remote; its models are listed to choose from.' },
      { choice: 'folder', label: CHOICES.folder, description: 'an ONNX model package', detail: 'model.onnx, tokenizer.json and config.json (e.g. from models/export_hf.py), run on this machine.' },
    ];
    const items = all.map(i => (i.choice === current ? { ...i, description: `${i.description} · in use` } : i));
    const picked = await prompt.pick(items, { title: 'Diffuse: Choose Model', placeHolder: 'Where fills come from' });
    if (!picked) return undefined;
    const done = picked.choice === 'bundled' ? await this.useBundled()
      : picked.choice === 'inception' ? await this.useInception()
        : picked.choice === 'server' ? await this.useServer()
          : await this.useFolder();
    return done ? picked.choice : undefined;
  }

  private current(): Choice {
    if (this.settings.get('backend') !== 'remote') return this.settings.get('model.path').trim() ? 'folder' : 'bundled';
    return this.settings.get('remote.endpoint').trim().replace(/\/+$/, '') === this.inceptionEndpoint ? 'inception' : 'server';
  }

  private async useBundled(): Promise<boolean> {
    await this.write({ backend: 'local', 'model.path': undefined });
    void notify.info('Diffuse: fills now come from the bundled starter model, on this machine.');
    return true;
  }

  private async useInception(): Promise<boolean> {
    const key = await prompt.input({
      title: 'Diffuse: Inception API key',
      prompt: 'From platform.inceptionlabs.ai (API Keys). Kept in VS Code\'s secret storage and sent only to Inception.',
      password: true,
      validateInput: v => (v.trim() ? undefined : 'Paste the key, or press Escape'),
    });
    if (!key?.trim()) return false;
    const models = await this.list(this.inceptionEndpoint, key.trim(), 'Inception');
    if (!models || models === 'needs-key') return false;
    const model = await this.pickModel(models, 'Inception', m => ({ edit: 'next edit: proposes what your recent edits lead to', fim: 'fill in the middle', chat: 'chat: follows instructions' } as Record<string, string>)[mercuryApi(m.id)] ?? '');
    if (!model) return false;
    const api = mercuryApi(model);
    await this.context.secrets.store(API_KEY_SECRET, key.trim());
    await this.write({ backend: 'remote', 'remote.endpoint': this.inceptionEndpoint, 'remote.model': model, 'remote.api': api });
    void notify.info(`Diffuse: fills now go to ${model} at Inception (${api} API).`);
    return true;
  }

  private async useServer(): Promise<boolean> {
    const endpoint = await prompt.input({
      title: 'Diffuse: server URL',
      prompt: 'The OpenAI-compatible base URL (/v1 is added when missing)',
      value: this.settings.get('backend') === 'remote' ? this.settings.get('remote.endpoint') : 'http://localhost:30000/v1',
      validateInput: v => {
        try {
          return ['http:', 'https:'].includes(new URL(v.trim()).protocol) ? undefined : 'An http:// or https:// URL';
        } catch {
          return 'An http:// or https:// URL, e.g. http://localhost:30000/v1';
        }
      },
    });
    if (!endpoint?.trim()) return false;
    const url = endpoint.trim();
    let key: string | undefined;
    let models = await this.list(url, undefined, new URL(url).host, true);
    if (models === 'needs-key') {
      key = (await prompt.input({ title: 'Diffuse: API key of the server', prompt: `${new URL(url).host} wants an API key; kept in VS Code's secret storage.`, password: true }))?.trim();
      if (!key) return false;
      models = await this.list(url, key, new URL(url).host);
    }
    if (!models || models === 'needs-key') return false;
    const model = await this.pickModel(models, new URL(url).host, m => m.ownedBy ?? '');
    if (!model) return false;
    const api = await prompt.pick(API_ITEMS, { title: `Diffuse: how to ask ${model}`, placeHolder: 'The API the server offers for it' });
    if (!api) return false;
    // A key meant for another server must never reach this one.
    if (key) await this.context.secrets.store(API_KEY_SECRET, key);
    else await this.context.secrets.delete(API_KEY_SECRET);
    await this.write({ backend: 'remote', 'remote.endpoint': url, 'remote.model': model, 'remote.api': api.api });
    void notify.info(`Diffuse: fills now go to ${model} at ${new URL(url).host} (${api.api} API).`);
    return true;
  }

  private async useFolder(): Promise<boolean> {
    const dir = await prompt.folder('Diffuse: model folder (model.onnx, tokenizer.json, config.json)');
    if (!dir) return false;
    try {
      loadModelPackage(dir);
    } catch (e) {
      void notify.error(`Diffuse: ${dir} is not a usable model folder: ${(e as Error).message}`);
      return false;
    }
    const before = this.snapshot();
    await this.write({ backend: 'local', 'model.path': dir });
    try {
      // Loading the graph is the check that counts: a folder whose model.onnx onnxruntime refuses is named now, not at the next fill.
      const backend = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Diffuse: loading ${path.basename(dir)}…` }, () => this.backends.get());
      void notify.info(`Diffuse: fills now come from ${backend.describe()}.`);
      return true;
    } catch (e) {
      await this.write(before);
      void notify.error(`Diffuse: ${dir} could not be loaded, so the model in use was kept: ${(e as Error).message}`);
      return false;
    }
  }

  /**
   * The server's models; a message and undefined when it cannot say. With `keyless`, a server that
   * wants a key answers 'needs-key' instead of an error.
   */
  private async list(endpoint: string, key: string | undefined, who: string, keyless = false): Promise<ListedModel[] | 'needs-key' | undefined> {
    try {
      const models = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Diffuse: asking ${who} for its models…` }, () => listModels(endpoint, key));
      if (models.length) return models;
      void notify.error(`Diffuse: ${who} lists no models.`);
      return undefined;
    } catch (e) {
      if (e instanceof RemoteError && e.kind === 'auth') {
        if (keyless && !key) return 'needs-key';
        void notify.error(`Diffuse: ${who} refused the API key (HTTP ${e.status}); it was not saved. Check the key and try Choose Model again.`);
        return undefined;
      }
      this.log.info(`model list of ${who}: ${(e as Error).message}`);
      void notify.error(`Diffuse: could not list the models of ${who}: ${(e as Error).message}`);
      return undefined;
    }
  }

  private async pickModel(models: readonly ListedModel[], who: string, describe: (m: ListedModel) => string): Promise<string | undefined> {
    const items = models.map(m => ({ label: m.id, description: describe(m) }));
    return (await prompt.pick(items, { title: `Diffuse: a model of ${who}`, placeHolder: `${models.length} model${models.length === 1 ? '' : 's'}` }))?.label;
  }

  private snapshot(): ModelSettings {
    const config = vscode.workspace.getConfiguration('diffuse');
    const out: Record<string, unknown> = {};
    for (const k of MODEL_KEYS) out[k] = config.inspect(k)?.globalValue;
    return out as ModelSettings;
  }

  /**
   * Writes the choice to the user's settings (undefined removes a key there). A workspace that sets
   * one of them itself would override the choice: the user is told which.
   */
  private async write(values: ModelSettings): Promise<void> {
    const config = vscode.workspace.getConfiguration('diffuse');
    for (const k of MODEL_KEYS) {
      if (k in values) await config.update(k, values[k], vscode.ConfigurationTarget.Global);
    }
    this.backends.reset();
    const overridden = MODEL_KEYS.filter(k => config.inspect(k)?.workspaceValue !== undefined || config.inspect(k)?.workspaceFolderValue !== undefined);
    if (overridden.length && vscode.workspace.isTrusted) {
      void notify.warn(`Diffuse: this workspace's settings set ${overridden.map(k => `diffuse.${k}`).join(', ')}, which override your choice here.`);
    }
  }
}

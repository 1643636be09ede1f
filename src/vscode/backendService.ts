import * as path from 'node:path';
import * as vscode from 'vscode';
import { loadEngine, type EditRequest, type EditResult, type Engine, type LocalBackend } from './engine';
import type { Settings } from './settings';

/** Settings whose change invalidates a created backend. */
const BACKEND_KEYS = ['model.path', 'executionProvider', 'backend', 'remote.endpoint', 'remote.model', 'remote.api',
  'worker.idleTimeoutSeconds'];

/**
 * Owns the one backend of the window: created on the first fill (the worker and the ONNX session
 * are expensive), shared by every file, and disposed when its settings change or the extension stops.
 */
export class BackendService implements vscode.Disposable {
  private backend: Promise<LocalBackend> | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly settings: Settings,
    private readonly engine: Engine = loadEngine(),
  ) {
    this.subscription = vscode.workspace.onDidChangeConfiguration(e => {
      if (BACKEND_KEYS.some(k => e.affectsConfiguration(`diffuse.${k}`))) this.reset();
    });
  }

  /** The model folder in use: the setting, or the model shipped inside the extension. */
  modelDir(): string {
    const configured = this.settings.get('model.path').trim();
    return configured || path.join(this.context.extensionPath, 'models', 'diffuse-code-mini');
  }

  get(): Promise<LocalBackend> {
    if (this.settings.get('backend') === 'remote') {
      return Promise.reject(new Error('The remote backend is not available in this version; set "diffuse.backend" to "local".'));
    }
    if (!this.backend) {
      const created = this.engine.createLocalBackend({
        modelDir: this.modelDir(),
        executionProvider: this.settings.get('executionProvider'),
        workerPath: path.join(this.context.extensionPath, 'dist', 'worker.js'),
        idleTimeoutMs: Math.max(0, this.settings.get('worker.idleTimeoutSeconds')) * 1000,
      });
      void created.then(b => {
        if (b.fallbackNotice) void vscode.window.showInformationMessage(`Diffuse: ${b.fallbackNotice}`);
      }, () => undefined);
      // A failed start must not stick: the next fill retries (the user may have fixed the path).
      created.catch(() => {
        if (this.backend === created) this.backend = undefined;
      });
      this.backend = created;
    }
    return this.backend;
  }

  async runEdit(request: EditRequest): Promise<{ result: EditResult; backend: LocalBackend }> {
    const backend = await this.get();
    return { result: await this.engine.runEdit(backend, request), backend };
  }

  private reset(): void {
    const old = this.backend;
    this.backend = undefined;
    void old?.then(b => b.dispose(), () => undefined);
  }

  dispose(): void {
    this.subscription.dispose();
    this.reset();
  }
}

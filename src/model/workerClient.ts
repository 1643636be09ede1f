/**
 * Client of the inference worker: request ids, step events, cancellation through shared memory,
 * a timeout per request, a restart after the worker dies, and release after an idle period.
 */
import { Worker } from 'node:worker_threads';
import type { FillOutput, FillRequest, SamplerOptions, StepEvent } from '../core/types';
import type { FromWorker, ModelInfo, ScoreMessage, TokenScores, ToWorker } from './protocol';
import { disableOrtTelemetry, type ProviderChoice } from './session';

export interface WorkerClientOptions {
  readonly workerPath: string;
  readonly modelDir: string;
  readonly provider?: ProviderChoice;
  readonly threads?: number;
  /** A request that takes longer is abandoned and the worker restarted. */
  readonly requestTimeoutMs?: number;
  readonly loadTimeoutMs?: number;
  /** The worker (and its memory) is released after this long without requests; 0 = never. */
  readonly idleTimeoutMs?: number;
}

export class WorkerError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

interface Pending {
  resolve: (v: FromWorker) => void;
  reject: (e: Error) => void;
  onStep?: (e: StepEvent) => void;
  timer?: ReturnType<typeof setTimeout>;
}

export class WorkerClient {
  private worker: Worker | undefined;
  private ready: Promise<ModelInfo> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private infoValue: ModelInfo | undefined;

  constructor(private readonly opts: WorkerClientOptions) {}

  get info(): ModelInfo | undefined {
    return this.infoValue;
  }

  get running(): boolean {
    return this.worker !== undefined;
  }

  /** Starts the worker and loads the model (again after a crash or idle release). */
  start(): Promise<ModelInfo> {
    if (this.ready) return this.ready;
    disableOrtTelemetry();
    const w = new Worker(this.opts.workerPath);
    this.worker = w;
    this.ready = new Promise<ModelInfo>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new WorkerError('TimeoutError', `The model did not load within ${(this.opts.loadTimeoutMs ?? 120_000) / 1000} s`));
        this.stop();
      }, this.opts.loadTimeoutMs ?? 120_000);
      this.pending.set(0, {
        resolve: (m) => {
          clearTimeout(timer);
          if (m.type === 'loaded') {
            this.infoValue = m.info;
            resolve(m.info);
          }
        },
        reject: (e) => {
          clearTimeout(timer);
          this.stop();
          reject(e);
        },
      });
    });
    this.ready.catch(() => undefined);
    w.on('message', (m: FromWorker) => this.onMessage(m));
    w.on('error', (e) => this.onExit(`Inference worker failed: ${e.message}`));
    w.on('exit', (code) => this.onExit(`Inference worker stopped unexpectedly (exit code ${code}); it restarts on the next request.`));
    w.unref();
    this.post({ type: 'load', modelDir: this.opts.modelDir, provider: this.opts.provider ?? 'auto', threads: this.opts.threads ?? 0 });
    return this.ready;
  }

  async fill(requests: readonly FillRequest[], options: SamplerOptions, hooks: { onStep?: (e: StepEvent) => void; signal?: AbortSignal } = {}): Promise<FillOutput> {
    const cancel = new SharedArrayBuffer(4);
    const m = await this.request((id) => ({ type: 'fill', id, requests, options, cancel, wantSteps: !!hooks.onStep }), cancel, hooks);
    if (m.type !== 'result') throw new WorkerError('ProtocolError', `Unexpected reply ${m.type}`);
    return m.output;
  }

  async score(msg: Omit<ScoreMessage, 'type' | 'id' | 'cancel'>, signal?: AbortSignal): Promise<TokenScores> {
    const cancel = new SharedArrayBuffer(4);
    const m = await this.request((id) => ({ type: 'score', id, cancel, ...msg }), cancel, { signal });
    if (m.type !== 'scores') throw new WorkerError('ProtocolError', `Unexpected reply ${m.type}`);
    return m.scores;
  }

  /** Terminates the worker at once (pending requests fail); the next request starts a new one. */
  async stop(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    this.ready = undefined;
    clearTimeout(this.idleTimer);
    if (w) {
      w.removeAllListeners('exit');
      w.removeAllListeners('error');
      this.failAll('Inference worker was stopped.');
      await w.terminate();
    }
  }

  private async request(
    make: (id: number) => ToWorker,
    cancel: SharedArrayBuffer,
    hooks: { onStep?: (e: StepEvent) => void; signal?: AbortSignal },
  ): Promise<FromWorker> {
    if (hooks.signal?.aborted) throw new WorkerError('CancelledError', 'Fill cancelled');
    await this.start();
    clearTimeout(this.idleTimer);
    const id = this.nextId++;
    const flag = new Int32Array(cancel);
    const onAbort = () => Atomics.store(flag, 0, 1);
    hooks.signal?.addEventListener('abort', onAbort);
    try {
      return await new Promise<FromWorker>((resolve, reject) => {
        const timeoutMs = this.opts.requestTimeoutMs ?? 300_000;
        const timer = setTimeout(() => {
          this.pending.delete(id);
          reject(new WorkerError('TimeoutError', `The model did not answer within ${timeoutMs / 1000} s; the inference worker was restarted.`));
          void this.stop();
        }, timeoutMs);
        this.pending.set(id, { resolve, reject, onStep: hooks.onStep, timer });
        this.post(make(id));
      });
    } finally {
      hooks.signal?.removeEventListener('abort', onAbort);
      this.armIdle();
    }
  }

  private post(m: ToWorker): void {
    this.worker?.postMessage(m);
  }

  private onMessage(m: FromWorker): void {
    const id = m.type === 'loaded' ? 0 : m.id;
    const p = this.pending.get(id);
    if (!p) return;
    if (m.type === 'step') {
      p.onStep?.(m.event);
      return;
    }
    this.pending.delete(id);
    clearTimeout(p.timer);
    if (m.type === 'error') p.reject(new WorkerError(m.name, m.message));
    else p.resolve(m);
  }

  private onExit(message: string): void {
    this.worker = undefined;
    this.ready = undefined;
    this.failAll(message);
  }

  private failAll(message: string): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new WorkerError('WorkerCrashError', message));
      this.pending.delete(id);
    }
  }

  private armIdle(): void {
    const ms = this.opts.idleTimeoutMs ?? 0;
    clearTimeout(this.idleTimer);
    if (ms > 0 && this.pending.size === 0) {
      this.idleTimer = setTimeout(() => void this.stop(), ms);
      this.idleTimer.unref?.();
    }
  }
}

/**
 * Client of the inference worker: request ids, step events, cancellation through shared memory,
 * a timeout per request, a restart after the worker dies, and release after an idle period.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { FillOutput, FillRequest, SamplerOptions, StepEvent } from '../core/types';
import type { CallArgs, CallName, CallResult, FromWorker, ModelInfo, RankScores, RankSite, ScoreArgs, TokenScores, ToWorker } from './protocol';
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
  private worker: ChildProcess | undefined;
  /** The last lines the worker wrote to stderr, for the message when it dies. */
  private stderrTail = '';
  private ready: Promise<ModelInfo> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private infoValue: ModelInfo | undefined;
  private peakRss = 0;

  constructor(private readonly opts: WorkerClientOptions) {}

  get info(): ModelInfo | undefined {
    return this.infoValue;
  }

  /** Peak resident memory of the worker process, as it last reported it (kB; 0 before any request). */
  get peakRssKb(): number {
    return this.peakRss;
  }

  get running(): boolean {
    return this.worker !== undefined;
  }

  /** Starts the worker and loads the model (again after a crash or idle release). */
  start(): Promise<ModelInfo> {
    if (this.ready) return this.ready;
    disableOrtTelemetry();
    this.stderrTail = '';
    // `serialization: 'advanced'` keeps typed arrays and large messages cheap over the IPC channel.
    const w = fork(this.opts.workerPath, [], {
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      // The parent's Node flags (preloads, loaders) apply to the worker too, but not a debugger port.
      execArgv: process.execArgv.filter((a) => !a.startsWith('--inspect')),
      env: { ...process.env, ORT_DISABLE_TELEMETRY: '1' },
    });
    this.worker = w;
    w.stderr?.on('data', (d: Buffer) => {
      this.stderrTail = (this.stderrTail + d.toString()).slice(-2000);
    });
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
            if (this.pending.size === 0) this.setRef(false);
            // A worker started ahead of its first request is released like any idle one.
            this.armIdle();
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
    w.on('exit', (code, signal) => {
      const why = this.stderrTail.trim().split('\n').filter(Boolean).pop();
      this.onExit(`Inference worker stopped unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`}${why ? `: ${why.slice(0, 200)}` : ''}); it restarts on the next request.`);
    });
    this.setRef(true); // loading counts as pending work
    this.post({ type: 'load', modelDir: this.opts.modelDir, provider: this.opts.provider ?? 'auto', threads: this.opts.threads ?? 0 });
    return this.ready;
  }

  /** Calls an operation of the worker's table (protocol.ts WorkerCalls) and resolves to its answer. */
  async call<K extends CallName>(op: K, args: CallArgs<K>, hooks: { onStep?: (e: StepEvent) => void; signal?: AbortSignal } = {}): Promise<CallResult<K>> {
    const m = await this.request((id) => ({ type: 'call', op, id, args } as ToWorker), hooks);
    if (m.type !== 'done') throw new WorkerError('ProtocolError', `Unexpected reply ${m.type}`);
    return m.result as CallResult<K>;
  }

  fill(requests: readonly FillRequest[], options: SamplerOptions, hooks: { onStep?: (e: StepEvent) => void; signal?: AbortSignal } = {}): Promise<FillOutput> {
    return this.call('fill', { requests, options, wantSteps: !!hooks.onStep }, hooks);
  }

  score(args: ScoreArgs, signal?: AbortSignal): Promise<TokenScores> {
    return this.call('score', args, { signal });
  }

  rank(sites: readonly RankSite[], signal?: AbortSignal): Promise<RankScores> {
    return this.call('rank', { sites }, { signal });
  }

  /** Kills the worker at once (pending requests fail); the next request starts a new one. */
  async stop(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    this.ready = undefined;
    clearTimeout(this.idleTimer);
    if (w) {
      w.removeAllListeners('exit');
      w.removeAllListeners('error');
      this.failAll('Inference worker was stopped.');
      if (w.exitCode === null && w.signalCode === null) {
        w.ref(); // the caller waits for the exit; an unreferenced child would not keep it waiting
        const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
        w.kill('SIGKILL');
        await exited;
      }
    }
  }

  private async request(
    make: (id: number) => ToWorker,
    hooks: { onStep?: (e: StepEvent) => void; signal?: AbortSignal },
  ): Promise<FromWorker> {
    if (hooks.signal?.aborted) throw new WorkerError('CancelledError', 'Fill cancelled');
    await this.start();
    clearTimeout(this.idleTimer);
    const id = this.nextId++;
    const onAbort = () => this.post({ type: 'cancel', id });
    this.setRef(true);
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
      if (this.pending.size === 0) this.setRef(false);
      this.armIdle();
    }
  }

  /**
   * An idle worker must not keep a CLI process alive, but one with work pending must: the child
   * and its IPC channel are referenced only while requests are outstanding.
   */
  private setRef(on: boolean): void {
    const w = this.worker;
    const channel = (w as unknown as { channel?: { ref(): void; unref(): void } } | undefined)?.channel;
    if (on) {
      w?.ref();
      channel?.ref();
    } else {
      w?.unref();
      channel?.unref();
    }
  }

  private post(m: ToWorker): void {
    if (this.worker?.connected) this.worker.send(m);
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
    if (m.type === 'done') this.peakRss = Math.max(this.peakRss, m.peakRssKb);
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

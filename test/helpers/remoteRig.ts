// The remote backend against the loopback server, set up for one node:test file: the server
// started before its tests and closed after them, cleared before each test (no planned failures,
// `answer` as given), with a backend factory whose retries sleep nowhere and a helper for fills
// that must fail without leaking the key.
import { after, before, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import type { FillRequest, SamplerOptions } from '../../src/core/types';
import { createRemoteBackend, RemoteError, type RemoteBackend, type RemoteBackendOptions } from '../../src/model/remoteBackend';
import { startFakeServer, type FakeServer, type RecordedRequest } from './fakeServer';

export interface RemoteRig {
  /** The server of the running test (started in `before`). */
  readonly server: FakeServer;
  /** The delays the backend's retries asked for, this test. */
  readonly slept: number[];
  /** A backend on the server: the rig's options, then `o`. */
  backend(o?: Partial<RemoteBackendOptions>): RemoteBackend;
  /** Fills `request` with a backend that must fail; its error, checked not to hold the key. */
  failure(o?: Partial<RemoteBackendOptions>): Promise<RemoteError>;
}

export function remoteRig(options: {
  readonly key: string;
  readonly model: string;
  readonly api: RemoteBackendOptions['api'];
  readonly request: FillRequest;
  readonly sampler: SamplerOptions;
  readonly answer: (req: RecordedRequest) => string;
  /** Wraps each backend (e.g. with an edit context). */
  readonly wrap?: (b: RemoteBackend) => RemoteBackend;
}): RemoteRig {
  let server: FakeServer | undefined;
  const slept: number[] = [];
  before(async () => {
    server = await startFakeServer();
  });
  after(() => server?.close());
  beforeEach(() => {
    server!.requests.length = 0;
    server!.fallback = { kind: 'ok' };
    server!.answer = options.answer;
    slept.length = 0;
  });
  const rig: RemoteRig = {
    get server() {
      if (!server) throw new Error('the loopback server is not started yet');
      return server;
    },
    slept,
    backend: (o = {}) => {
      const b = createRemoteBackend({
        endpoint: rig.server.url, model: options.model, api: options.api, apiKey: options.key, timeoutMs: 2000,
        sleep: async (ms) => { slept.push(ms); }, random: () => 0.5, ...o,
      });
      return options.wrap ? options.wrap(b) : b;
    },
    failure: async (o = {}) => {
      let caught: unknown;
      await rig.backend(o).fill([options.request], options.sampler).catch(e => { caught = e; });
      assert.ok(caught instanceof RemoteError, `expected a RemoteError, got ${String(caught)}`);
      assert.ok(!caught.message.includes(options.key) && !String(caught.stack).includes(options.key), 'the key must not appear in errors');
      return caught;
    },
  };
  return rig;
}

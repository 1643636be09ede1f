/**
 * What leaves the machine: with no remote endpoint, a run of the CLI (edit, infill, repair: the same
 * worker and model code as the extension) opens no network connection and writes nothing under the
 * home folder; onnxruntime's own telemetry (a device id and an event queue under ~/.cache) is off.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CLI_JS, ROOT } from './helpers/model';

const built = fs.existsSync(CLI_JS);
const opts = { skip: !built && 'run npm run build first' };
const PRELOAD = pathToFileURL(path.join(__dirname, 'helpers', 'noNetwork.mjs')).href;
const MARKER = 'DIFFUSE-NETWORK-ATTEMPT';

const SOURCE = `export function total(items: number[]): number {
  let sum = 0;
  for (const item of items) {
    sum += item;
  }
  return sum;
}
`;

interface Run { code: number | null; out: string; err: string }

/** Runs the CLI with its own empty home and cache folders; `prefix` wraps the node command. */
function runCli(home: string, args: string[], prefix: string[] = [], nodeArgs: string[] = []): Run {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_CACHE_HOME: path.join(home, '.cache'), USERPROFILE: home };
  delete env.DIFFUSE_API_KEY;
  delete env.ORT_DISABLE_TELEMETRY;
  const argv = [...prefix, process.execPath, ...nodeArgs, CLI_JS, ...args];
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd: ROOT, env, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function workspace(): { home: string; file: string; tasks: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'diffuse-privacy-'));
  const home = path.join(root, 'home');
  fs.mkdirSync(home);
  const file = path.join(root, 'total.ts');
  fs.writeFileSync(file, SOURCE);
  const tasks = path.join(root, 'tasks.jsonl');
  fs.writeFileSync(tasks, `${JSON.stringify({ task_id: 't1', prompt: 'function add(a, b) {\n  return ', suffix: ';\n}\n', language: 'javascript', max_tokens: 8 })}\n`);
  return { home, file, tasks };
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter(e => !e.isDirectory())
    .map(e => path.relative(dir, path.join(e.parentPath, e.name)));
}

const COMMANDS = (w: { file: string; tasks: string }): string[][] => [
  ['edit', w.file, '--lines', '3-5', '--steps', '4'],
  ['infill', '--in', w.tasks, '--steps', '4'],
  ['repair', w.file, '--steps', '4'],
];

test('edit, infill and repair make no network call from JavaScript and write nothing under the home folder', opts, () => {
  const w = workspace();
  for (const args of COMMANDS(w)) {
    const r = runCli(w.home, args, [], ['--import', PRELOAD]);
    // Exit 1 with "syntax BROKEN" is a completed run whose fill did not parse (the model's quality),
    // not a failure of what this test checks.
    assert.ok(r.code === 0 || (r.code === 1 && /syntax BROKEN/.test(r.err)), `${args[0]}: exit ${r.code}: ${r.err}`);
    assert.ok(!r.err.includes(MARKER), `${args[0]} tried to reach the network:\n${r.err}`);
  }
  assert.deepEqual(filesUnder(w.home), [], 'nothing was written under HOME or XDG_CACHE_HOME');
});

test('the network trap catches a real attempt (the remote backend, when asked for)', opts, () => {
  const w = workspace();
  const r = runCli(w.home, ['edit', w.file, '--lines', '3-5', '--backend', 'remote', '--endpoint', 'http://127.0.0.1:9/v1'], [], ['--import', PRELOAD]);
  assert.notEqual(r.code, 0);
  assert.match(r.err, new RegExp(MARKER), 'the trap reports the attempt');
});

// Native code (onnxruntime's telemetry uploader) is out of reach of a JavaScript trap: trace the
// system calls of the whole process tree instead, where strace is installed and allowed.
const strace = spawnSync('strace', ['-f', '-e', 'trace=connect', '-o', '/dev/null', 'true']);
const straceUsable = process.platform === 'linux' && strace.status === 0;

test('no socket of the process tree connects anywhere (strace, native code included)', { skip: (!built && 'run npm run build first') || (!straceUsable && 'strace is not usable here') }, () => {
  const w = workspace();
  for (const args of COMMANDS(w)) {
    const trace = path.join(w.home, '..', `${args[0]}.strace`);
    const r = runCli(w.home, args, ['strace', '-f', '-qq', '-e', 'trace=connect,sendto,sendmsg', '-o', trace]);
    // Exit 1 with "syntax BROKEN" is a completed run whose fill did not parse (the model's quality),
    // not a failure of what this test checks.
    assert.ok(r.code === 0 || (r.code === 1 && /syntax BROKEN/.test(r.err)), `${args[0]}: exit ${r.code}: ${r.err}`);
    const calls = fs.readFileSync(trace, 'utf8').split('\n').filter(l => /AF_INET6?\b/.test(l));
    assert.deepEqual(calls, [], `${args[0]} opened internet sockets`);
  }
  assert.deepEqual(filesUnder(w.home), []);
});

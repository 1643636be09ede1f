/**
 * End to end through the CLI (`node dist/cli.js edit`), a fresh process per edit as a user would
 * run it: wall time, the edit itself (the CLI's own `ms`: anchor, fill, validate), and the rest
 * (node start-up, worker start, model load).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createLocalBackend } from '../../../src/model/localBackend';
import type { Doc } from './holdout';

export interface CliRun {
  readonly label: string;
  readonly lines: number;
  readonly wallMs: number;
  readonly editMs: number;
  readonly startupAndLoadMs: number;
  readonly chunks: number;
  readonly nfe: number;
  /** Model calls of the syntax repair, after the first fill. */
  readonly repairNfe: number;
  readonly syntaxOk: boolean | null;
  readonly args: string;
  /** The CLI's error line when the edit failed (the time to the failure is still reported). */
  readonly error?: string;
}

/** A TypeScript file of exactly `lines` lines from held-out sources (joined when one is too short). */
export function heldOutTypeScript(docs: readonly Doc[], lines: number): string {
  const ts = [...docs].filter((d) => d.lang === 'typescript').sort((a, b) => b.text.length - a.text.length);
  const pool = ts.length ? ts : [...docs].filter((d) => d.lang === 'javascript').sort((a, b) => b.text.length - a.text.length);
  const out: string[] = [];
  for (const d of pool) {
    out.push(...d.text.replace(/\n$/, '').split('\n'));
    if (out.length >= lines) break;
  }
  if (out.length < lines) throw new Error(`held-out TypeScript has only ${out.length} lines, ${lines} needed`);
  return out.slice(0, lines).join('\n') + '\n';
}

export function runCli(root: string, modelDir: string, label: string, text: string, extra: readonly string[]): CliRun {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'diffuse-bench-'));
  try {
    const file = path.join(dir, 'sample.ts');
    fs.writeFileSync(file, text);
    const args = [path.join(root, 'dist', 'cli.js'), 'edit', file, '--json', '--model', modelDir, '--provider', 'cpu', ...extra];
    const t0 = performance.now();
    const p = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const wallMs = performance.now() - t0;
    const lineRange = extra.includes('--lines') ? extra[extra.indexOf('--lines') + 1].split('-').map(Number) : undefined;
    const lines = lineRange ? (lineRange[1] ?? lineRange[0]) - lineRange[0] + 1 : text.split('\n').length - 1;
    // Exit code 1 with a JSON summary means the fill still failed the syntax check: a result.
    // Without one the edit failed; that is reported, not hidden.
    const json = p.stdout.trim().split('\n').pop() ?? '';
    if (p.status !== 0 && !json.startsWith('{')) {
      const error = p.stderr.trim().split('\n').filter((l) => l.startsWith('diffuse-edit:')).pop() ?? `exit ${p.status}`;
      return { label, lines, wallMs, editMs: NaN, startupAndLoadMs: NaN, chunks: 0, nfe: 0, repairNfe: 0, syntaxOk: null, args: ['edit', '<file>', ...extra].join(' '), error };
    }
    const r = JSON.parse(json) as { ms: number; chunks: number; nfe: number; repair_nfe?: number; syntax_ok: boolean | null };
    return {
      label,
      lines,
      wallMs,
      editMs: r.ms,
      startupAndLoadMs: wallMs - r.ms,
      chunks: r.chunks,
      nfe: r.nfe,
      repairNfe: r.repair_nfe ?? 0,
      syntaxOk: r.syntax_ok,
      args: ['edit', '<file>', ...extra].join(' '),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface LoadTimes {
  /** `node dist/cli.js --help`: node start-up and loading the bundle, no model. */
  readonly cliStartMs: number;
  /** Starting the inference worker (dist/worker.js) and loading the model into it, as the CLI does. */
  readonly workerLoadMs: number;
}

export async function loadTimes(root: string, modelDir: string): Promise<LoadTimes> {
  const t0 = performance.now();
  spawnSync(process.execPath, [path.join(root, 'dist', 'cli.js'), '--help'], { encoding: 'utf8' });
  const cliStartMs = performance.now() - t0;
  const t1 = performance.now();
  const backend = await createLocalBackend({ modelDir, executionProvider: 'cpu', workerPath: path.join(root, 'dist', 'worker.js') });
  const workerLoadMs = performance.now() - t1;
  await backend.dispose();
  return { cliStartMs, workerLoadMs };
}

export interface QuickRewriteFigure {
  /** Key press to review shown, the first Quick Rewrite of the window (worker start and model load included). */
  readonly quick_rewrite_ms?: number;
  /** The same for a second Quick Rewrite, with the model loaded. */
  readonly quick_rewrite_warm_ms?: number;
  readonly reviewed?: boolean;
  readonly wallMs: number;
  /** Why there is no figure (no workbench installed, the UI test failed). */
  readonly skipped?: string;
}

/**
 * Quick Rewrite in the real workbench (code-server in Chromium): the UI test test/vscode/ui/
 * quick-rewrite.e2e.mjs presses ctrl+alt+d on a 10-line method and writes the time from key press
 * to the review shown to out/quick-rewrite.json; the figure is read from there, never asserted.
 */
export function quickRewriteFigure(root: string): QuickRewriteFigure {
  if (!fs.existsSync(path.join(root, 'test', 'e2e', 'node_modules', 'code-server'))) {
    return { wallMs: 0, skipped: 'no workbench: run `node test/e2e/install.mjs` first' };
  }
  const out = path.join(root, 'out', 'quick-rewrite.json');
  fs.rmSync(out, { force: true });
  const t0 = performance.now();
  const p = spawnSync(process.execPath, [path.join(root, 'test', 'vscode', 'ui', 'quick-rewrite.e2e.mjs')], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const wallMs = performance.now() - t0;
  if (p.status !== 0 || !fs.existsSync(out)) {
    const why = `${p.stdout}\n${p.stderr}`.split('\n').filter((l) => /FAILED|Error/.test(l)).pop() ?? `exit ${p.status}`;
    return { wallMs, skipped: `the UI test failed: ${why.trim()}` };
  }
  const r = JSON.parse(fs.readFileSync(out, 'utf8')) as { quick_rewrite_ms: number; quick_rewrite_warm_ms?: number; reviewed: boolean };
  return { quick_rewrite_ms: r.quick_rewrite_ms, quick_rewrite_warm_ms: r.quick_rewrite_warm_ms, reviewed: r.reviewed, wallMs };
}

/**
 * End to end through the CLI (`node dist/cli.js edit`), a fresh process per edit as a user would
 * run it: wall time, the edit itself (the CLI's own `ms`: anchor, fill, validate), and the rest
 * (node start-up, worker start, model load).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Doc } from './holdout';

export interface CliRun {
  readonly label: string;
  readonly lines: number;
  readonly wallMs: number;
  readonly editMs: number;
  readonly startupAndLoadMs: number;
  readonly chunks: number;
  readonly nfe: number;
  readonly syntaxOk: boolean | null;
  readonly args: string;
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
    // Exit code 1 means the fill still failed the syntax check: a result, not a crash.
    if (p.status !== 0 && p.status !== 1) throw new Error(`cli ${label} exited ${p.status}: ${p.stderr.trim().split('\n').pop()}`);
    const r = JSON.parse(p.stdout.trim().split('\n').pop() ?? '{}') as { ms: number; chunks: number; nfe: number; syntax_ok: boolean | null };
    const lineRange = extra.includes('--lines') ? extra[extra.indexOf('--lines') + 1].split('-').map(Number) : undefined;
    return {
      label,
      lines: lineRange ? lineRange[1] - lineRange[0] + 1 : text.split('\n').length - 1,
      wallMs,
      editMs: r.ms,
      startupAndLoadMs: wallMs - r.ms,
      chunks: r.chunks,
      nfe: r.nfe,
      syntaxOk: r.syntax_ok,
      args: ['edit', '<file>', ...extra].join(' '),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * HumanEval-infilling through the CLI: the tasks are written for `diffuse-edit infill` without the
 * canonical solution or its length (a fixed canvas per subset), and every completion is executed
 * with the task's tests in a fresh Python process with a timeout. pass@1 with one greedy sample.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { spread } from './stats';

export const SUBSETS = {
  'single-line': { file: 'HumanEval-SingleLineInfilling.jsonl.gz', maxTokens: 48 },
  'multi-line': { file: 'HumanEval-MultiLineInfilling.jsonl.gz', maxTokens: 128 },
  'random-span': { file: 'HumanEval-RandomSpanInfilling.jsonl.gz', maxTokens: 128 },
  'random-span-light': { file: 'HumanEval-RandomSpanInfillingLight.jsonl.gz', maxTokens: 128 },
} as const;
export type Subset = keyof typeof SUBSETS;

interface Problem {
  task_id: string;
  entry_point: string;
  prompt: string;
  suffix: string;
  test: string;
  canonical_solution: string;
}

export interface HumanEvalResult {
  readonly subset: Subset;
  readonly tasks: number;
  readonly of: number;
  readonly passed: number;
  readonly passAt1: number;
  readonly maxTokens: number;
  readonly msPerTaskMedian: number;
  readonly msPerTaskMean: number;
  readonly nfeMedian: number;
  readonly syntaxOk: number;
  readonly cliWallMs: number;
  readonly sampler: string;
  readonly failures: Record<string, number>;
}

/** The benchmark folder: `shared/benchmarks/human-eval-infilling` beside the repository. */
export function dataDir(root: string, override?: string): string {
  const dir = override ? path.resolve(override) : path.join(path.dirname(root), 'shared', 'benchmarks', 'human-eval-infilling');
  if (!fs.existsSync(dir)) {
    throw new Error(`HumanEval-infilling data not found at ${dir}: put the benchmark's .jsonl.gz files in shared/benchmarks/human-eval-infilling next to the repository, or pass --data DIR`);
  }
  return dir;
}

export function loadProblems(dir: string, subset: Subset): Problem[] {
  const file = path.join(dir, SUBSETS[subset].file);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing`);
  return zlib.gunzipSync(fs.readFileSync(file)).toString('utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Problem);
}

/** `limit` tasks spread evenly over the file, so a short run still covers many problems. */
export function selectEvenly<T>(items: readonly T[], limit?: number): T[] {
  if (!limit || limit >= items.length) return [...items];
  return Array.from({ length: limit }, (_, i) => items[Math.floor((i * items.length) / limit)]);
}

function execute(program: string, dir: string, name: string, timeoutMs: number): Promise<'passed' | 'failed' | 'timeout'> {
  const file = path.join(dir, `${name}.py`);
  fs.writeFileSync(file, program);
  return new Promise((resolve) => {
    const child = spawn('/usr/bin/python3', [file], { cwd: dir, stdio: 'ignore' });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve('timeout');
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0 ? 'passed' : 'failed');
    });
    child.on('error', () => {
      clearTimeout(timer);
      resolve('failed');
    });
  });
}

export interface HumanEvalOptions {
  readonly root: string;
  readonly modelDir: string;
  readonly subset: Subset;
  readonly limit?: number;
  readonly data?: string;
  readonly maxTokens?: number;
  readonly cliArgs?: readonly string[];
  readonly timeoutMs?: number;
  readonly log?: (s: string) => void;
  /** Check the harness itself: execute the canonical solutions instead of the model's fills. */
  readonly oracle?: boolean;
}

export async function runHumanEval(o: HumanEvalOptions): Promise<HumanEvalResult> {
  const all = loadProblems(dataDir(o.root, o.data), o.subset);
  const problems = selectEvenly(all, o.limit);
  const maxTokens = o.maxTokens ?? SUBSETS[o.subset].maxTokens;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'diffuse-humaneval-'));
  try {
    const tasksFile = path.join(work, 'tasks.jsonl');
    const outFile = path.join(work, 'out.jsonl');
    fs.writeFileSync(tasksFile, problems.map((p, i) => JSON.stringify({ task_id: `${i}`, prompt: p.prompt, suffix: p.suffix, language: 'python', max_tokens: maxTokens })).join('\n') + '\n');
    const args = [path.join(o.root, 'dist', 'cli.js'), 'infill', '--in', tasksFile, '--out', outFile, '--model', o.modelDir, '--provider', 'cpu', ...(o.cliArgs ?? [])];
    o.log?.(`humaneval ${o.subset}: ${o.oracle ? 'executing the canonical solutions of' : 'filling'} ${problems.length} of ${all.length} tasks${o.oracle ? '' : ` (max_tokens ${maxTokens})`}`);
    const t0 = performance.now();
    if (o.oracle) {
      fs.writeFileSync(outFile, problems.map((p, i) => JSON.stringify({ task_id: `${i}`, completion: p.canonical_solution })).join('\n') + '\n');
    } else {
      const cli = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      if (!fs.existsSync(outFile)) throw new Error(`diffuse-edit infill failed (exit ${cli.status}): ${cli.stderr.trim().split('\n').pop()}`);
    }
    const cliWallMs = performance.now() - t0;
    const answers = new Map(fs.readFileSync(outFile, 'utf8').split('\n').filter((l) => l.trim()).map((l) => {
      const a = JSON.parse(l) as { task_id: string; completion: string; ms?: number; nfe?: number; syntax_ok?: boolean | null; error?: string };
      return [a.task_id, a] as const;
    }));
    const outcomes: string[] = [];
    const queue = problems.map((p, i) => ({ p, i }));
    const runOne = async (): Promise<void> => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const a = answers.get(`${next.i}`);
        if (!a || a.error !== undefined) {
          outcomes[next.i] = 'no_completion';
          continue;
        }
        const program = `${next.p.prompt}${a.completion}${next.p.suffix}\n${next.p.test}\ncheck(${next.p.entry_point})\n`;
        outcomes[next.i] = await execute(program, work, `task_${next.i}`, o.timeoutMs ?? 3000);
      }
    };
    await Promise.all([runOne(), runOne()]);
    const ans = [...answers.values()];
    const ms = ans.filter((a) => typeof a.ms === 'number').map((a) => a.ms as number);
    const failures: Record<string, number> = {};
    for (const x of outcomes) if (x !== 'passed') failures[x] = (failures[x] ?? 0) + 1;
    const passed = outcomes.filter((x) => x === 'passed').length;
    return {
      subset: o.subset,
      tasks: problems.length,
      of: all.length,
      passed,
      passAt1: passed / problems.length,
      maxTokens,
      msPerTaskMedian: spread(ms).median,
      msPerTaskMean: ms.reduce((s, x) => s + x, 0) / Math.max(1, ms.length),
      nfeMedian: spread(ans.filter((a) => typeof a.nfe === 'number').map((a) => a.nfe as number)).median,
      syntaxOk: ans.filter((a) => a.syntax_ok === true).length / Math.max(1, ans.length),
      cliWallMs,
      sampler: o.oracle ? 'canonical solutions (harness check)' : (o.cliArgs ?? []).join(' ') || 'model defaults',
      failures,
    };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

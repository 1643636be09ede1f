/** Options of `npm run bench` and `npm run eval:humaneval`. */
import * as path from 'node:path';
import { SUBSETS, type Subset } from './humaneval';

export const SECTIONS = ['speed', 'ar', 'sweep', 'scaling', 'peak', 'context', 'confidence', 'e2e', 'repair', 'line', 'humaneval', 'apply'] as const;
/** Sections that run without the model (a run of these alone needs no model.onnx). */
export const MODEL_FREE: ReadonlySet<Section> = new Set<Section>(['apply']);
export type Section = (typeof SECTIONS)[number];
/**
 * Sections that record their machine, load and date in their own block: a run of these alone leaves
 * results.json's top-level machine, bench_seconds, date and mode (the last full run's) as they were.
 */
export const OWN_RECORD: ReadonlySet<Section> = new Set<Section>(['ar']);

export interface BenchArgs {
  readonly command: 'bench' | 'humaneval';
  readonly root: string;
  readonly modelDir: string;
  readonly quick: boolean;
  readonly threads: number;
  readonly seed: number;
  readonly only: ReadonlySet<Section>;
  readonly write: boolean;
  readonly subset: Subset;
  readonly limit?: number;
  /** Nats by which a repair must beat the original (default: the engine's REPAIR_MARGIN). */
  readonly repairMargin?: number;
  /** The repair section's kinds of slip (default all, and clean blocks). */
  readonly repairKinds?: readonly string[];
  readonly data?: string;
  readonly maxTokens?: number;
  readonly oracle: boolean;
  /** Extra sampler flags passed to the CLI (humaneval, end-to-end runs). */
  readonly cliArgs: string[];
  /** Wrong (and unplaced) apply tasks to print with a diff, to debug the apply section. */
  readonly applyFailures: number;
  /**
   * The line and repair sections' files (JSON lines of path, lang, text; a path's first segment
   * names its package) instead of the packages reserved for evaluation: the corpus's held-out
   * packages, or others the model never saw, where the engine's choices are made. Such a run is not
   * written to results.json, which holds the reserved packages' figures.
   */
  readonly docs?: string;
}

export const USAGE = `Usage:
  npm run bench -- [--quick] [--only speed,ar,sweep,scaling,peak,context,confidence,e2e,repair,line,humaneval,apply] [--limit N (repair blocks, confidence holes per kind, context methods, blank lines)] [--repair-margin NATS] [--repair-kinds typo,operator,bracket,off_by_one,clean] [--model DIR] [--threads N] [--seed N] [--no-write]
                   [--apply-failures N (print the first N wrong apply tasks with a diff)]
                   [--docs FILE (the line and repair sections' files instead of the reserved packages, e.g.
                    models/training/data/corpus-heldout/heldout.jsonl: where the engine's choices are made;
                    implies --no-write; --line-docs is the same)]
    --only apply needs no model; --only ar (diffusion vs a KV-cached AR decoder of the same shape) builds
    that decoder with /usr/bin/python3 models/training/export_ar.py into node_modules/.cache when missing
  npm run eval:humaneval -- --subset single-line|multi-line|random-span|random-span-light [--limit N] [--max-tokens N] [--data DIR] [--model DIR] [--no-write] [--oracle] [--steps K --strategy S ...]
    --oracle executes the canonical solutions (checks the harness; expect 100%); other --flags go to the CLI
`;

export function parseBenchArgs(argv: readonly string[], root: string): BenchArgs {
  const command = argv[0] === 'humaneval' ? 'humaneval' : 'bench';
  const rest = command === 'humaneval' ? argv.slice(1) : argv;
  let modelDir = path.join(root, 'models', 'diffuse-code-mini');
  let quick = false;
  let threads = 2;
  let seed = 1;
  let only = new Set<Section>(SECTIONS);
  let write = true;
  let subset: Subset = 'single-line';
  let limit: number | undefined;
  let repairMargin: number | undefined;
  let repairKinds: string[] | undefined;
  let data: string | undefined;
  let maxTokens: number | undefined;
  let oracle = false;
  let applyFailures = 0;
  let docs: string | undefined;
  const cliArgs: string[] = [];
  const int = (flag: string, v: string | undefined) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} needs a non-negative integer, got ${v}`);
    return n;
  };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const next = () => rest[++i];
    switch (a) {
      case '--quick': quick = true; break;
      case '--model': modelDir = path.resolve(next() ?? ''); break;
      case '--threads': threads = int(a, next()); break;
      case '--seed': seed = int(a, next()); break;
      case '--no-write': write = false; break;
      case '--limit': limit = int(a, next()); break;
      case '--repair-kinds': repairKinds = (next() ?? '').split(',').filter(Boolean); break;
      case '--repair-margin': {
        const v = next();
        repairMargin = Number(v);
        if (!Number.isFinite(repairMargin)) throw new Error(`--repair-margin needs a number of nats, got ${v}`);
        break;
      }
      case '--max-tokens': maxTokens = int(a, next()); break;
      case '--data': data = next(); break;
      case '--oracle': oracle = true; break;
      case '--apply-failures': applyFailures = int(a, next()); break;
      case '--docs':
      case '--line-docs':
        docs = path.resolve(next() ?? '');
        write = false;
        break;
      case '--subset': {
        const s = next();
        if (!s || !(s in SUBSETS)) throw new Error(`--subset must be one of ${Object.keys(SUBSETS).join(', ')}, got ${s}`);
        subset = s as Subset;
        break;
      }
      case '--only': {
        const names = (next() ?? '').split(',').filter(Boolean);
        const bad = names.filter((n) => !(SECTIONS as readonly string[]).includes(n));
        if (bad.length || names.length === 0) throw new Error(`--only takes a comma list of ${SECTIONS.join(', ')}; got ${bad.join(', ') || 'nothing'}`);
        only = new Set(names as Section[]);
        break;
      }
      case '--': cliArgs.push(...rest.slice(i + 1)); i = rest.length; break;
      case '-h': case '--help': process.stdout.write(USAGE); process.exit(0); break;
      default:
        // Sampler flags go to the CLI unchanged (--steps, --strategy, --threshold, ...).
        if (a.startsWith('--') && command === 'humaneval') {
          cliArgs.push(a, next() ?? '');
          break;
        }
        throw new Error(`Unknown option ${a}\n${USAGE}`);
    }
  }
  return { command, root, modelDir, quick, threads, seed, only, write, subset, limit, repairMargin, repairKinds, data, maxTokens, oracle, cliArgs, applyFailures, docs };
}

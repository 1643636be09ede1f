/** Command-line parsing for `diffuse-edit`; every user error becomes a UsageError (exit code 2). */
import { DEFAULT_REPAIR_EFFORT, REPAIR_EFFORTS, type RepairEffort } from '../engine/effort';
import type { SamplerOptions, Strategy } from '../core/types';
import type { AnchoringMode } from '../core/anchor';
import { DEFAULT_LOW_CONFIDENCE } from '../core/confidence';
import { REPAIR_STAGES, type RepairStage } from '../engine/syntaxRepair';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `Usage: diffuse-edit <command> [options]

Commands:
  edit FILE [--lines A-B] [--write]     fill the lines (or the whole file); print a unified diff;
                                        one blank line (--lines N) is filled as Quick Rewrite fills it
  infill --in tasks.jsonl [--out F]     one task per line {task_id, prompt, suffix, max_tokens?, original?}
  repair FILE [--lines A-B] [--write]   re-mask the improbable tokens and denoise them
  apply FILE --snippet S [--write]      apply an edit snippet (\`// ... existing code ...\` markers; S = - for stdin);
                                        exit 1 when a piece cannot be placed (nothing written)

Options:
  --model DIR          model folder (model.onnx, tokenizer.json, config.json); default: bundled model
  --steps K            denoising steps (default from the model's config; unset, an edit of more
                       than ten chunks takes fewer per chunk, at least 8)
  --strategy S         confidence | threshold | entropy | margin | ar
  --threshold P        confidence threshold of the threshold strategy (0..1)
  --temperature T      0 = greedy
  --top-p P            nucleus sampling mass when temperature > 0
  --seed N             same seed, same output
  --block N            semi-autoregressive block length in tokens (0 = whole canvas)
  --copy-prior W       weight (0..1) of tokens copied from matching code around the hole (0 = off)
  --analogs on|off     filling a blank line (edit --lines N, or an infill hole that is a line of its
                       own): the model also scores the file's lines whose neighbours look like the
                       hole's, and keeps the best (default on; local model)
  --anchoring M        syntax | lines | exact (default syntax)
  --repair-effort E    off | fast | thorough (default off; fast: at most the first fill's model calls and half its time)
  --repair-rounds N    syntax repair rounds after the first fill (default 3; 0 = no repair)
  --candidates N       sampled re-fills per broken span, the best-parsing kept (default 4)
  --skip-stages S,...  leave out syntax repair stages (blank-refill, local-rounds, chunk-refill,
                       parser-recovery), for measuring what each earns
  --provider P         auto | cpu | cuda | dml | coreml | webgpu
  --backend B          local | remote
  --endpoint URL       remote OpenAI-compatible server (key from DIFFUSE_API_KEY)
  --remote-model NAME  model name for the remote server
  --remote-api A       fim | completions | chat | apply | edit (default fim; apply: the apply command via the server;
                       edit: Inception's next-edit API, with no edit history from the command line)
  --snippet S          apply: the snippet file (- = standard input)
  --json               machine-readable output on stdout; for edit and repair it includes \`hunks\`: each
                       changed run of lines (old_start/old_lines, new_start/new_lines, 1-based), its
                       \`confidence\` (the probability of its least certain token; repair: the model's
                       margin over the original as a probability; null where the model wrote none of
                       it), \`least_certain\` {text, line, column, p} in the new file, and \`low_tokens\`
                       (every token below --low-confidence); \`confidence_source\` is "model", or null
                       for a backend that gives no token probabilities
  --annotate           edit, repair: print the diff with each added line that holds a token below
                       --low-confidence followed by a \`?\` line pointing (^) at those tokens with
                       their probabilities (for reading; not a valid patch)
  --low-confidence P   the threshold (0..1) of --annotate and \`low_tokens\` (default ${DEFAULT_LOW_CONFIDENCE})
  -h, --help           this text
`;

export interface CliArgs {
  command: string;
  positional: string[];
  lines?: [number, number];
  write: boolean;
  json: boolean;
  /** Print the diff with the low-confidence tokens marked (edit, repair). */
  annotate: boolean;
  /** Below this probability a token is marked by --annotate and listed in the JSON's low_tokens. */
  lowConfidence: number;
  model?: string;
  input?: string;
  snippet?: string;
  output?: string;
  anchoring: AnchoringMode;
  provider: string;
  backend: 'local' | 'remote';
  endpoint?: string;
  remoteModel?: string;
  remoteApi: string;
  /** Syntax repair effort of edit and infill (the pipeline's defaults when absent). */
  repair: { repairRounds?: number; candidates?: number; skipStages?: RepairStage[] };
  repairEffort: RepairEffort;
  /** A line-sized infill also weighs the file's analogous lines (engine/analogFill). */
  analogs: boolean;
  sampler: { -readonly [K in keyof SamplerOptions]?: SamplerOptions[K] };
}

const STRATEGIES: readonly Strategy[] = ['confidence', 'threshold', 'entropy', 'margin', 'ar'];

function num(flag: string, v: string | undefined, lo: number, hi: number, integer = false): number {
  const n = Number(v);
  if (v === undefined || v === '' || !Number.isFinite(n) || n < lo || n > hi || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${flag} needs ${integer ? 'an integer' : 'a number'} from ${lo} to ${hi}, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`);
  }
  return n;
}

function oneOf<T extends string>(flag: string, v: string | undefined, allowed: readonly T[]): T {
  if (!v || !allowed.includes(v as T)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, got ${JSON.stringify(v ?? '')}`);
  return v as T;
}

export function parseArgs(argv: readonly string[]): CliArgs {
  const a: CliArgs = { command: '', positional: [], write: false, json: false, annotate: false, lowConfidence: DEFAULT_LOW_CONFIDENCE, anchoring: 'syntax', provider: 'auto', backend: 'local', remoteApi: 'fim', repair: {}, repairEffort: DEFAULT_REPAIR_EFFORT, analogs: true, sampler: {} };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case '-h': case '--help': a.command = 'help'; break;
      case '--write': a.write = true; break;
      case '--json': a.json = true; break;
      case '--annotate': a.annotate = true; break;
      case '--low-confidence': a.lowConfidence = num(arg, next(), 0, 1); break;
      case '--model': a.model = next(); break;
      case '--in': a.input = next(); break;
      case '--snippet': a.snippet = next(); break;
      case '--out': a.output = next(); break;
      case '--lines': {
        const m = /^(\d+)(?:-(\d+))?$/.exec(next());
        if (!m) throw new UsageError('--lines takes A-B (1-based, inclusive), e.g. --lines 10-24');
        const from = Number(m[1]);
        const to = Number(m[2] ?? m[1]);
        if (from < 1 || to < from) throw new UsageError(`--lines ${from}-${to} is not a valid range`);
        a.lines = [from, to];
        break;
      }
      case '--steps': a.sampler.steps = num(arg, next(), 1, 4096, true); break;
      case '--strategy': a.sampler.strategy = oneOf(arg, next(), STRATEGIES); break;
      case '--threshold': a.sampler.threshold = num(arg, next(), 0, 1); break;
      case '--temperature': a.sampler.temperature = num(arg, next(), 0, 10); break;
      case '--top-p': a.sampler.topP = num(arg, next(), 0.01, 1); break;
      case '--seed': a.sampler.seed = num(arg, next(), 0, 2 ** 31 - 1, true); break;
      case '--block': a.sampler.blockLength = num(arg, next(), 0, 4096, true); break;
      case '--copy-prior': a.sampler.copyPrior = num(arg, next(), 0, 1); break;
      case '--analogs': a.analogs = oneOf(arg, next(), ['on', 'off'] as const) === 'on'; break;
      case '--anchoring': a.anchoring = oneOf(arg, next(), ['syntax', 'lines', 'exact'] as const); break;
      case '--repair-effort': a.repairEffort = oneOf(arg, next(), REPAIR_EFFORTS); break;
      case '--repair-rounds': a.repair.repairRounds = num(arg, next(), 0, 20, true); break;
      case '--candidates': a.repair.candidates = num(arg, next(), 1, 32, true); break;
      case '--skip-stages': a.repair.skipStages = next().split(',').filter(Boolean).map((st) => oneOf(arg, st.trim(), REPAIR_STAGES)); break;
      case '--provider': a.provider = oneOf(arg, next(), ['auto', 'cpu', 'cuda', 'dml', 'coreml', 'webgpu'] as const); break;
      case '--backend': a.backend = oneOf(arg, next(), ['local', 'remote'] as const); break;
      case '--endpoint': a.endpoint = next(); break;
      case '--remote-model': a.remoteModel = next(); break;
      case '--remote-api': a.remoteApi = oneOf(arg, next(), ['fim', 'completions', 'chat', 'apply', 'edit'] as const); break;
      default:
        if (arg.startsWith('-')) throw new UsageError(`Unknown option ${arg} (see --help)`);
        if (!a.command) a.command = arg;
        else a.positional.push(arg);
    }
  }
  if (!a.command) a.command = 'help';
  return a;
}

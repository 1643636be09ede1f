// Times one denoising step (one forward over the whole batch) of model packages in onnxruntime-node,
// through the engine's own session (src/model/session.ts: the options, input building and output
// checks a fill uses), on the CPU with a fixed number of threads. models/speed_table.py runs it.
//
//   node --import tsx models/speed_table.ts --threads 2 --shapes 1x256,8x256 PKG [PKG ...]
//   node --import tsx models/speed_table.ts --agree REF.json --rows ROWS.json PKG
//
// Per shape: one warm-up forward, then 5 timed forwards when the warm-up took under 5 s, 3 under
// 30 s, else 1 (a step of minutes is measured once, and the table says n = 1); a run during which
// other processes took the CPUs is repeated (see MIN_SHARE). Prints a table, then
// one JSON line with every measurement. --agree compares the package's logits for ROWS (one padded
// batch) with hf_reference.py --top K output: argmax agreement and the largest difference.
import * as fs from 'node:fs';
import { loadModelPackage } from '../src/model/modelPackage';
import { openSession } from '../src/model/session';
import { logitsAt } from '../src/core/sampler';

interface Cell {
  model: string; batch: number; seq: number;
  /** Runs that counted (n) of those made. */
  n: number; runs: number;
  medianMs: number; minMs: number; maxMs: number; maxRssMiB: number;
  /** Every run's wall time and CPU share (CPU time over wall time x threads), counted or not. */
  wallMs: number[]; shares: number[];
}

const MIN_SHARE = 0.8;

interface Args { threads: number; shapes: [number, number][]; models: string[]; agree?: string; rows?: string }

function parseArgs(argv: string[]): Args {
  const a: Args = { threads: 2, shapes: [[1, 256], [8, 256], [1, 512], [8, 512]], models: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--threads') a.threads = Number(argv[++i]);
    else if (argv[i] === '--shapes') a.shapes = argv[++i].split(',').map((s) => s.split('x').map(Number) as [number, number]);
    else if (argv[i] === '--agree') a.agree = argv[++i];
    else if (argv[i] === '--rows') a.rows = argv[++i];
    else a.models.push(argv[i]);
  }
  if (!a.models.length || !(a.threads > 0) || a.shapes.some(([b, t]) => !(b > 0 && t > 0)) || (a.agree !== undefined) !== (a.rows !== undefined)) {
    console.error('usage: node --import tsx models/speed_table.ts [--threads N] [--shapes BxT,...] PKG [PKG ...]\n' +
      '       node --import tsx models/speed_table.ts --agree REF.json --rows ROWS.json PKG');
    process.exit(2);
  }
  return a;
}

/** Argmax agreement of a package with hf_reference.py's best ids, over one padded batch. */
async function agree(dir: string, refFile: string, rowsFile: string, threads: number): Promise<void> {
  const rows: number[][] = JSON.parse(fs.readFileSync(rowsFile, 'utf8'));
  const ref: { top_ids: number[][][]; top_logits: number[][][] } = JSON.parse(fs.readFileSync(refFile, 'utf8'));
  const pkg = loadModelPackage(dir);
  const session = await openSession(pkg, 'cpu', threads);
  try {
    const out = await session.forward(rows.map((r) => Int32Array.from(r)));
    let same = 0, total = 0, maxDiff = 0;
    rows.forEach((r, b) => r.forEach((id, t) => {
      // A package with the position head (onnx_head.py) gives the masked positions only.
      if (out.slots && id !== pkg.config.special.mask) return;
      const here = logitsAt(out, b * out.seqLen + t);
      let best = 0;
      for (let v = 1; v < out.vocab; v++) if (here[v] > here[best]) best = v;
      // The session never proposes [MASK] (its logit comes back as -Infinity): compared without it.
      const keep = ref.top_ids[b][t].map((id, k) => [id, k]).filter(([id]) => id !== pkg.config.special.mask);
      const ids = keep.map(([id]) => id);
      keep.forEach(([id, k]) => { maxDiff = Math.max(maxDiff, Math.abs(ref.top_logits[b][t][k] - here[id])); });
      total++;
      if (best === ids[0]) same++;
    }));
    console.log(`${pkg.config.name}: argmax equal to the float64 reference at ${same} of ${total} ${out.slots ? 'masked ' : ''}positions ` +
      `(${rows.length} rows, padded), largest difference of the reference's best logits ${maxDiff.toExponential(1)}`);
  } finally {
    await session.release();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** B rows of T tokens: a prefix of ordinary ids and a canvas of [MASK] (the content does not change the cost). */
function batch(b: number, t: number, mask: number): Int32Array[] {
  return Array.from({ length: b }, (_, r) => Int32Array.from({ length: t }, (_, i) => (i % 3 === 0 ? mask : 32 + ((r * 7 + i * 13) % 200))));
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const { threads, shapes, models } = args;
  if (args.agree && args.rows) {
    for (const dir of models) await agree(dir, args.agree, args.rows, threads);
    return;
  }
  const cells: Cell[] = [];
  for (const dir of models) {
    const pkg = loadModelPackage(dir);
    const t0 = performance.now();
    const session = await openSession(pkg, 'cpu', threads);
    console.error(`${pkg.config.name}: loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    try {
      for (const [b, t] of shapes) {
        const rows = batch(b, t, pkg.config.special.mask);
        const w0 = performance.now();
        await session.forward(rows);
        const warm = performance.now() - w0;
        const want = warm < 5000 ? 5 : warm < 30000 ? 3 : 1;
        // On a shared machine other processes take CPU time from some runs: a run counts when this
        // process got at least MIN_SHARE of threads x wall time; busy runs are repeated, twice at most.
        const clean: number[] = [];
        const shares: number[] = [];
        const walls: number[] = [];
        for (let i = 0; i < want + 2 && clean.length < want; i++) {
          const cpu0 = process.cpuUsage();
          const s0 = performance.now();
          await session.forward(rows);
          const ms = performance.now() - s0;
          const cpu = process.cpuUsage(cpu0);
          const share = (cpu.user + cpu.system) / 1000 / (ms * threads);
          shares.push(Math.round(share * 100) / 100);
          walls.push(Math.round(ms));
          if (share >= MIN_SHARE) clean.push(ms);
        }
        const times = clean.length ? clean : [];
        const cell: Cell = { model: pkg.config.name, batch: b, seq: t, n: clean.length, runs: shares.length,
          medianMs: times.length ? median(times) : NaN, minMs: Math.min(...times), maxMs: Math.max(...times),
          maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024), wallMs: walls, shares };
        cells.push(cell);
        console.error(`${cell.model} ${b}x${t}: ${cell.medianMs.toFixed(0)} ms (${cell.n} of ${cell.runs} runs, warm-up ` +
          `${warm.toFixed(0)} ms, CPU shares ${shares.map((x) => x.toFixed(2)).join(' ')})`);
      }
    } finally {
      await session.release();
    }
  }
  console.log('| model | batch | T | ms / step (median) | min-max | n | peak RSS |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const c of cells) {
    console.log(`| ${c.model} | ${c.batch} | ${c.seq} | ${c.medianMs.toFixed(0)} | ${c.minMs.toFixed(0)}-${c.maxMs.toFixed(0)} | ${c.n} | ` +
      `${(c.maxRssMiB / 1024).toFixed(1)} GiB |`);
  }
  console.log(JSON.stringify({ threads, cells }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

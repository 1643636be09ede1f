/** What the numbers were measured on: they mean little without it. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly platform: string;
  readonly node: string;
  readonly onnxruntime: string;
  readonly threads: number;
  /** 1-minute load averages at the start and end of the run: other work on the machine skews times. */
  readonly loadStart: number;
  loadEnd?: number;
}

export function describeMachine(root: string, threads: number): Machine {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    const m = /model name\s*:\s*(.+)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1].trim();
  } catch {
    // Not Linux: os.cpus() already named it.
  }
  let onnxruntime = 'unknown';
  try {
    onnxruntime = (JSON.parse(fs.readFileSync(path.join(root, 'node_modules', 'onnxruntime-node', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    // Reported as unknown.
  }
  return {
    cpu,
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${process.platform}-${process.arch}`,
    node: process.version,
    onnxruntime,
    threads,
    loadStart: Math.round(os.loadavg()[0] * 100) / 100,
  };
}

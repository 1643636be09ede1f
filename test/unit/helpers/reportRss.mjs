// Preloaded with `node --import`: the main thread prints the process's peak resident set size
// (worker threads included; they share the process) when it exits.
import { isMainThread } from 'node:worker_threads';

if (isMainThread) {
  process.on('exit', () => process.stderr.write(`peak-rss-kb ${process.resourceUsage().maxRSS}\n`));
}

/** A one-line progress bar on stderr (only when stderr is a terminal). */
export interface Progress {
  (done: number, total: number, label?: string): void;
  done(): void;
}

export function progressBar(width = 30): Progress {
  let last = 0;
  let shown = false;
  const fn = ((done: number, total: number, label = '') => {
    const now = Date.now();
    if (now - last < 100 && done < total) return;
    last = now;
    shown = true;
    const k = total > 0 ? Math.min(width, Math.round((done / total) * width)) : 0;
    process.stderr.write(`\r[${'='.repeat(k)}${' '.repeat(width - k)}] ${done}/${total} ${label}`.padEnd(width + 30));
  }) as Progress;
  fn.done = () => {
    if (shown) process.stderr.write('\r' + ' '.repeat(width + 30) + '\r');
    shown = false;
  };
  return fn;
}

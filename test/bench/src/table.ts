/** Plain-text tables for the benchmark's report. */

export function table(title: string, header: readonly string[], rows: ReadonlyArray<readonly (string | number)[]>): string {
  const cells = rows.map((r) => r.map((c) => String(c)));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [`\n${title}`, line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

export const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '-');
export const ms = (x: number) => (Number.isFinite(x) ? String(Math.round(x)) : '-');
export const fixed = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '-');
export const round = (x: number, d = 3) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : null);

/** A small line chart as standalone SVG text: no dependencies, readable on light and dark pages. */

export interface Series {
  readonly name: string;
  readonly color: string;
  readonly points: ReadonlyArray<readonly [number, number]>;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function niceStep(range: number, ticks: number): number {
  const raw = range / ticks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const n = raw / mag;
  return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * mag;
}

export function lineChart(o: { title: string; subtitle: string; xLabel: string; yLabel: string; series: readonly Series[] }): string {
  const W = 720;
  const H = 420;
  const m = { l: 70, r: 20, t: 64, b: 56 };
  const all = o.series.flatMap((s) => s.points);
  const xMax = Math.max(...all.map((p) => p[0]));
  const yStep = niceStep(Math.max(...all.map((p) => p[1])), 5);
  const yMax = Math.ceil(Math.max(...all.map((p) => p[1])) / yStep) * yStep || 1;
  const xStep = niceStep(xMax, 7);
  const xTop = Math.ceil(xMax / xStep) * xStep;
  const X = (x: number) => m.l + (x / xTop) * (W - m.l - m.r);
  const Y = (y: number) => H - m.b - (y / yMax) * (H - m.t - m.b);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`);
  parts.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  parts.push(`<text x="${m.l}" y="24" font-size="16" font-weight="600" fill="#1f2328">${esc(o.title)}</text>`);
  parts.push(`<text x="${m.l}" y="44" fill="#57606a">${esc(o.subtitle)}</text>`);
  for (let y = 0; y <= yMax + 1e-9; y += yStep) {
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${Y(y)}" y2="${Y(y)}" stroke="#d0d7de" stroke-width="1"/>`);
    parts.push(`<text x="${m.l - 8}" y="${Y(y) + 4}" text-anchor="end" fill="#57606a">${+y.toPrecision(4)}</text>`);
  }
  for (let x = 0; x <= xTop + 1e-9; x += xStep) {
    parts.push(`<line x1="${X(x)}" x2="${X(x)}" y1="${H - m.b}" y2="${H - m.b + 5}" stroke="#57606a"/>`);
    parts.push(`<text x="${X(x)}" y="${H - m.b + 20}" text-anchor="middle" fill="#57606a">${x}</text>`);
  }
  parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${H - m.b}" y2="${H - m.b}" stroke="#57606a"/>`);
  parts.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 12}" text-anchor="middle" fill="#1f2328">${esc(o.xLabel)}</text>`);
  parts.push(`<text transform="translate(18 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle" fill="#1f2328">${esc(o.yLabel)}</text>`);
  o.series.forEach((s, i) => {
    const pts = [...s.points].sort((a, b) => a[0] - b[0]);
    parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2.5" points="${pts.map((p) => `${X(p[0]).toFixed(1)},${Y(p[1]).toFixed(1)}`).join(' ')}"/>`);
    for (const p of pts) parts.push(`<circle cx="${X(p[0]).toFixed(1)}" cy="${Y(p[1]).toFixed(1)}" r="4" fill="${s.color}"/>`);
    const ly = m.t + 4 + i * 20;
    parts.push(`<rect x="${m.l + 14}" y="${ly}" width="14" height="4" fill="${s.color}"/>`);
    parts.push(`<text x="${m.l + 34}" y="${ly + 6}" fill="#1f2328">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

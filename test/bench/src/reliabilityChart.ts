/**
 * A reliability diagram as standalone SVG text: per confidence bin, the share right as a bar, the
 * diagonal a calibrated model would follow, and how many predictions each bin holds. One panel per
 * set (tokens, lines), side by side; no dependencies, like svg.ts.
 */
import type { Bin } from './calibration';

export interface Panel {
  readonly name: string;
  readonly color: string;
  readonly bins: readonly Bin[];
  /** A line under the panel's name (ECE, AUROC, count). */
  readonly note: string;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function reliabilityChart(o: { title: string; subtitle: string; panels: readonly Panel[] }): string {
  const size = 320;
  const m = { l: 64, r: 24, t: 110, b: 64 };
  const gap = 56;
  const W = m.l + o.panels.length * size + (o.panels.length - 1) * gap + m.r;
  const H = m.t + size + m.b;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`);
  parts.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  parts.push(`<text x="${m.l}" y="24" font-size="16" font-weight="600" fill="#1f2328">${esc(o.title)}</text>`);
  parts.push(`<text x="${m.l}" y="44" fill="#57606a">${esc(o.subtitle)}</text>`);
  o.panels.forEach((p, k) => {
    const x0 = m.l + k * (size + gap);
    const y0 = m.t + size;
    const X = (x: number) => x0 + x * size;
    const Y = (y: number) => y0 - y * size;
    parts.push(`<text x="${x0}" y="${m.t - 34}" font-size="14" font-weight="600" fill="#1f2328">${esc(p.name)}</text>`);
    parts.push(`<text x="${x0}" y="${m.t - 16}" fill="#57606a">${esc(p.note)}</text>`);
    for (let v = 0; v <= 1.0001; v += 0.2) {
      parts.push(`<line x1="${x0}" x2="${X(1)}" y1="${Y(v)}" y2="${Y(v)}" stroke="#d0d7de" stroke-width="1"/>`);
      parts.push(`<text x="${x0 - 8}" y="${Y(v) + 4}" text-anchor="end" fill="#57606a">${Math.round(v * 100)}%</text>`);
      parts.push(`<text x="${X(v)}" y="${y0 + 18}" text-anchor="middle" fill="#57606a">${v.toFixed(1)}</text>`);
    }
    for (const b of p.bins) {
      if (!b.count) continue;
      const w = (b.hi - b.lo) * size;
      const h = b.shareRight * size;
      parts.push(`<rect x="${(X(b.lo) + 1.5).toFixed(1)}" y="${(y0 - h).toFixed(1)}" width="${(w - 3).toFixed(1)}" height="${h.toFixed(1)}" fill="${p.color}" fill-opacity="0.75"/>`);
      // The bin's mean confidence: where its bar's top would sit on the diagonal.
      parts.push(`<circle cx="${X(b.meanP).toFixed(1)}" cy="${Y(b.shareRight).toFixed(1)}" r="3" fill="#1f2328"/>`);
      parts.push(`<text x="${(X(b.lo) + w / 2).toFixed(1)}" y="${(Math.min(y0 - h, y0 - 14) - 7).toFixed(1)}" text-anchor="middle" font-size="10" fill="#1f2328">${b.count}</text>`);
    }
    parts.push(`<line x1="${X(0)}" y1="${Y(0)}" x2="${X(1)}" y2="${Y(1)}" stroke="#57606a" stroke-width="1.5" stroke-dasharray="5 4"/>`);
    parts.push(`<rect x="${x0}" y="${m.t}" width="${size}" height="${size}" fill="none" stroke="#57606a"/>`);
    parts.push(`<text x="${x0 + size / 2}" y="${y0 + 40}" text-anchor="middle" fill="#1f2328">confidence (bin; dot at its mean)</text>`);
    if (k === 0) parts.push(`<text transform="translate(18 ${m.t + size / 2}) rotate(-90)" text-anchor="middle" fill="#1f2328">share right</text>`);
  });
  parts.push(`<text x="${m.l}" y="${H - 8}" fill="#57606a" font-size="11">Bars: share right per bin; numbers: predictions in the bin; dashed: perfect calibration.</text>`);
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

import * as vscode from 'vscode';
import { toChars } from '../core/confidence';
import type { OffsetRange, TokenConfidence } from '../core/types';
import { CONFIDENCE_BACKGROUNDS, confidenceLevel, injectable, type DiffuseDecorations } from './decorations';
import type { EditStep } from './engine';

const FRAME_MS = 100;

/**
 * Draws the canvas of a running fill over its target, step by step, as decorations only: the
 * document is not touched until the fill is done and reviewed, so a cancel or a failure leaves it
 * exactly as it was. Frames are throttled (about ten a second); the newest step always wins.
 */
export class LiveView implements vscode.Disposable {
  private latest: EditStep | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastFrame = 0;
  private disposed = false;

  constructor(
    private readonly doc: vscode.TextDocument,
    private readonly decorations: DiffuseDecorations,
    /** The region the command asked for; steps that place their canvases override it. */
    private readonly target: OffsetRange,
    /** Moves a range of the fill's base text into the document as it is now (the user may type). */
    private readonly rebase: (r: OffsetRange) => OffsetRange | undefined,
    /** Tokens committed with less confidence than this are marked as they appear (0: none). */
    private readonly lowConfidence = 0,
  ) {}

  push(step: EditStep): void {
    if (this.disposed) return;
    this.latest = step;
    if (this.timer) return;
    const wait = Math.max(0, this.lastFrame + FRAME_MS - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.lastFrame = Date.now();
      this.draw();
    }, wait);
  }

  private draw(): void {
    const step = this.latest;
    if (!step || this.disposed || this.doc.isClosed) return;
    // Each canvas fills one chunk; without chunk ranges the canvases tile the target in order.
    const placed = step.chunkRanges && step.chunkRanges.length === step.canvases.length
      ? step.canvases.map((canvas, i) => ({ canvas, range: step.chunkRanges![i], confidence: step.confidence?.[i] }))
      : [{ canvas: step.canvases.join(''), range: this.target, confidence: joined(step) }];
    const hidden: vscode.Range[] = [];
    const shown: vscode.DecorationOptions[] = [];
    for (const { canvas, range, confidence } of placed) {
      const now = this.rebase(range);
      if (now) this.layout(canvas, confidence, now, hidden, shown);
    }
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document !== this.doc) continue;
      editor.setDecorations(this.decorations.liveHidden, hidden);
      editor.setDecorations(this.decorations.liveCanvas, shown);
    }
  }

  /**
   * Injects the canvas line by line over the range; the surplus lines join its last line. A line
   * holding committed tokens below the confidence threshold is marked like its least sure token is
   * in the review. By line, not by token: a line is one injected text, because VS Code does not
   * keep the order of several injected texts at one position (pieces of a line came out shuffled),
   * and the review, which marks the document's own text, is where each token's mark and hover are.
   */
  private layout(canvas: string, confidence: readonly TokenConfidence[] | undefined, range: OffsetRange, hidden: vscode.Range[], shown: vscode.DecorationOptions[]): void {
    const lines: Array<{ text: string; from: number }> = [];
    const breaks = /\r\n|\n|\r/g;
    let from = 0;
    for (let m = breaks.exec(canvas); m; m = breaks.exec(canvas)) {
      lines.push({ text: canvas.slice(from, m.index), from });
      from = m.index + m[0].length;
    }
    if (from < canvas.length || lines.length === 0) lines.push({ text: canvas.slice(from), from });
    const levels = this.levels(canvas, confidence);
    const start = this.doc.positionAt(range.start);
    const end = this.doc.positionAt(range.end);
    const lastLine = end.character === 0 && end.line > start.line ? end.line - 1 : end.line;
    const slots = lastLine - start.line + 1;
    for (let i = 0; i < slots; i++) {
      const at = i === 0 ? start : new vscode.Position(start.line + i, 0);
      const place = new vscode.Range(at, at);
      if (i === slots - 1 && lines.length > slots) {
        shown.push({ range: place, renderOptions: { before: { contentText: injectable(lines.slice(i).map(l => l.text).join(' \u23ce ')) } } });
        continue;
      }
      const line = lines[i] ?? { text: '', from: canvas.length };
      const level = lineLevel(line.text, line.from, levels);
      const marked = level === undefined ? {} : { backgroundColor: new vscode.ThemeColor(CONFIDENCE_BACKGROUNDS[level]) };
      shown.push({ range: place, renderOptions: { before: { contentText: injectable(line.text), ...marked } } });
    }
    if (range.end > range.start) hidden.push(new vscode.Range(start, end));
  }

  /** Per character of the canvas: its confidence mark level, or undefined for none. */
  private levels(canvas: string, confidence: readonly TokenConfidence[] | undefined): Array<number | undefined> | undefined {
    if (!confidence?.length || this.lowConfidence <= 0) return undefined;
    const chars = toChars(canvas.length, confidence);
    return Array.from(chars, p => (Number.isNaN(p) ? undefined : confidenceLevel(p, this.lowConfidence)));
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document !== this.doc) continue;
      editor.setDecorations(this.decorations.liveHidden, []);
      editor.setDecorations(this.decorations.liveCanvas, []);
    }
  }
}

/** The strongest confidence mark among a line's characters (from `from` in the canvas), or undefined. */
function lineLevel(text: string, from: number, levels: ReadonlyArray<number | undefined> | undefined): number | undefined {
  let strongest: number | undefined;
  for (let i = 0; levels && i < text.length; i++) {
    const level = levels[from + i];
    if (level !== undefined && (strongest === undefined || level < strongest)) strongest = level;
  }
  return strongest;
}

/** The confidence of the canvases joined into one text (when they are drawn over the target as one). */
function joined(step: EditStep): TokenConfidence[] | undefined {
  if (!step.confidence) return undefined;
  const out: TokenConfidence[] = [];
  let offset = 0;
  step.canvases.forEach((c, i) => {
    for (const t of step.confidence![i] ?? []) out.push({ start: t.start + offset, end: t.end + offset, p: t.p });
    offset += c.length;
  });
  return out;
}

import * as vscode from 'vscode';
import type { OffsetRange } from '../core/types';
import { injectable, type DiffuseDecorations } from './decorations';
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
      ? step.canvases.map((canvas, i) => ({ canvas, range: step.chunkRanges![i] }))
      : [{ canvas: step.canvases.join(''), range: this.target }];
    const hidden: vscode.Range[] = [];
    const shown: vscode.DecorationOptions[] = [];
    for (const { canvas, range } of placed) {
      const now = this.rebase(range);
      if (now) this.layout(canvas, now, hidden, shown);
    }
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document !== this.doc) continue;
      editor.setDecorations(this.decorations.liveHidden, hidden);
      editor.setDecorations(this.decorations.liveCanvas, shown);
    }
  }

  /** Injects the canvas line by line over the range; the surplus lines join its last line. */
  private layout(canvas: string, range: OffsetRange, hidden: vscode.Range[], shown: vscode.DecorationOptions[]): void {
    const lines = canvas.split(/\r\n|\n|\r/);
    if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
    const start = this.doc.positionAt(range.start);
    const end = this.doc.positionAt(range.end);
    const lastLine = end.character === 0 && end.line > start.line ? end.line - 1 : end.line;
    const slots = lastLine - start.line + 1;
    for (let i = 0; i < slots; i++) {
      const text = i < slots - 1 || lines.length <= slots ? lines[i] ?? '' : lines.slice(i).join(' \u23ce ');
      const at = i === 0 ? start : new vscode.Position(start.line + i, 0);
      shown.push({ range: new vscode.Range(at, at), renderOptions: { before: { contentText: injectable(text) } } });
    }
    if (range.end > range.start) hidden.push(new vscode.Range(start, end));
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

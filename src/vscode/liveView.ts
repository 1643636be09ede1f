import * as vscode from 'vscode';
import type { OffsetRange, StepEvent } from '../core/types';
import { injectable, type DiffuseDecorations } from './decorations';

const FRAME_MS = 100;

/**
 * Draws the canvas of a running fill over its target, step by step, as decorations only: the
 * document is not touched until the fill is done and reviewed, so a cancel or a failure leaves it
 * exactly as it was. Frames are throttled (about ten a second); the newest step always wins.
 */
export class LiveView implements vscode.Disposable {
  private latest: StepEvent | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastFrame = 0;
  private disposed = false;

  constructor(
    private readonly doc: vscode.TextDocument,
    private readonly decorations: DiffuseDecorations,
    /** The target in the document as it is now (it moves when the user types above it). */
    private readonly target: () => OffsetRange | undefined,
  ) {}

  push(step: StepEvent): void {
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
    const target = this.target();
    if (!step || !target || this.disposed || this.doc.isClosed) return;
    const canvas = step.canvases.join('');
    const lines = canvas.split(/\r\n|\n|\r/);
    if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();

    const start = this.doc.positionAt(target.start);
    const end = this.doc.positionAt(target.end);
    const lastLine = end.character === 0 && end.line > start.line ? end.line - 1 : end.line;
    const slots = lastLine - start.line + 1;
    const shown: vscode.DecorationOptions[] = [];
    for (let i = 0; i < slots; i++) {
      // The canvas may have more lines than the target; the surplus joins the last line.
      const text = i < slots - 1 || lines.length <= slots
        ? lines[i] ?? ''
        : lines.slice(i).join(' \u23ce ');
      const at = i === 0 ? start : new vscode.Position(start.line + i, 0);
      shown.push({
        range: new vscode.Range(at, at),
        renderOptions: { before: { contentText: injectable(text) } },
      });
    }
    const hidden = target.end > target.start ? [new vscode.Range(start, end)] : [];
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document !== this.doc) continue;
      editor.setDecorations(this.decorations.liveHidden, hidden);
      editor.setDecorations(this.decorations.liveCanvas, shown);
    }
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

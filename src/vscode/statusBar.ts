import * as vscode from 'vscode';
import type { FillRecord } from './fillRecord';

/** One item: the model and execution provider in use, and the speed of the last fill. */
export class DiffuseStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('diffuse.status', vscode.StatusBarAlignment.Right, 100);
  private model = 'Diffuse';
  private provider: string | undefined;
  private last: FillRecord | undefined;
  private can: Readonly<Record<string, boolean>> | undefined;

  constructor() {
    this.item.name = 'Diffuse Edit';
    this.item.command = 'diffuse.chooseModel';
    this.render(undefined);
  }

  /** Shown once a fill has started, so the item does not clutter windows that never use it. */
  busy(label: string): void {
    this.item.text = `$(loading~spin) ${label}`;
    this.item.show();
  }

  /** The backend the settings name (before any fill, and after they change), and what it can do. */
  setBackend(backend: { readonly model: string; readonly provider?: string }, can?: Readonly<Record<string, boolean>>): void {
    this.model = backend.model;
    this.provider = backend.provider;
    this.can = can;
    this.render(this.last);
  }

  update(record: FillRecord): void {
    if (record.model) this.model = record.model;
    if (record.provider) this.provider = record.provider;
    // A cancelled or refused run keeps the last timing on show, and says what happened.
    if (record.outcome === 'cancelled' || record.outcome === 'refused' || record.outcome === 'failed') {
      this.render(this.last, record.outcome);
    } else {
      this.last = record;
      this.render(record);
    }
    this.item.show();
  }

  private render(last: FillRecord | undefined, outcome?: string): void {
    const where = this.provider ? ` · ${this.provider}` : '';
    // Steps for a denoised fill; model calls for repairs and server merges; time alone for a local apply.
    const work = !last ? '' : last.steps > 0 ? ` / ${last.steps} steps` : last.nfe ? ` / ${last.nfe} model call${last.nfe === 1 ? '' : 's'}` : '';
    const speed = last?.ms !== undefined ? ` · ${Math.round(last.ms)} ms${work}` : '';
    this.item.text = `$(sparkle) ${this.model}${where}${speed}${outcome ? ` · ${outcome}` : ''}`;
    const tip = new vscode.MarkdownString(`**Diffuse Edit**\n\nModel: ${this.model}\n\nExecution provider: ${this.provider ?? 'not started'}`);
    if (this.can) {
      const words: Record<string, string> = { instructions: 'follows instructions', serverApply: 'merges snippets on the server', nextEdit: 'proposes the next edit from your recent edits', tokenScores: 'scores tokens (Repair)', confidence: 'gives confidence' };
      const yes = Object.keys(words).filter(k => this.can![k]).map(k => words[k]);
      const no = Object.keys(words).filter(k => !this.can![k]).map(k => words[k]);
      tip.appendMarkdown(`\n\nCan: ${yes.join(', ') || 'fill from the code around'}${no.length ? `; cannot: ${no.join(', ')}` : ''}`);
    }
    if (last?.ms !== undefined) tip.appendMarkdown(`\n\nLast run: ${Math.round(last.ms)} ms, ${last.steps} steps, ${last.nfe ?? '?'} model calls`);
    tip.appendMarkdown('\n\nClick to choose the model (**Diffuse: Show Log** for the log).');
    this.item.tooltip = tip;
  }

  /** What the item reads now (for the in-host tests). */
  get text(): string {
    return this.item.text;
  }

  dispose(): void {
    this.item.dispose();
  }
}

import * as vscode from 'vscode';
import { LineIndex, lineLanguageOf, lineLanguageOfPath, type OtherFiles } from '../core/lineIndex';
import { familyOfLanguage, familyOfPath, looksBinary, NAME_INDEX_LIMITS, NameIndex, type NameLookup } from '../core/names';

/** Schemes of the documents whose lines another file's blank line may take. */
const LINE_SCHEMES: ReadonlySet<string> = new Set(['file', 'untitled', 'vscode-remote']);

/** The language group of a document's lines: by its language id, else by its file's extension. */
function lineLanguageOfDocument(doc: vscode.TextDocument): string | undefined {
  return lineLanguageOf(doc.languageId) ?? lineLanguageOfPath(doc.uri.path);
}

/** A document's names are read again this long after its last change. */
const CHANGE_DELAY_MS = 300;

/**
 * The workspace's names for Diffuse Repair (core/names NameIndex), and its lines for filling a blank
 * line with a line of another file like it (core/lineIndex LineIndex), fed in the background: the open
 * documents first, then the workspace folders (files.exclude, search.exclude and node_modules left
 * out; binary and huge files skipped; a cap on the total), one file per turn of the event loop so
 * the extension host never waits on it. Kept up to date as documents change and files are created,
 * changed or deleted on disk. An open document is indexed from its editor text, not from disk.
 */
export class WorkspaceIndex implements vscode.Disposable {
  readonly index = new NameIndex();
  readonly lines = new LineIndex();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();
  private disposed = false;
  /** Settles when the first scan of the workspace folders ended (done, capped or failed). */
  readonly ready: Promise<void>;

  constructor(private readonly onError: (message: string, err: unknown) => void = () => undefined) {
    for (const doc of vscode.workspace.textDocuments) this.indexDocument(doc);
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((doc) => this.indexDocument(doc)),
      vscode.workspace.onDidChangeTextDocument((e) => this.later(e.document.uri.toString(), () => this.indexDocument(e.document))),
      // A closed document's names are its file's again (or gone, for an unsaved one).
      vscode.workspace.onDidCloseTextDocument((doc) => this.later(doc.uri.toString(), () => this.indexFileOrDrop(doc.uri))),
    );
    const watcher = vscode.workspace.createFileSystemWatcher('**/*');
    this.disposables.push(
      watcher,
      watcher.onDidCreate((uri) => this.later(uri.toString(), () => this.indexFileOrDrop(uri))),
      watcher.onDidChange((uri) => this.later(uri.toString(), () => this.indexFileOrDrop(uri))),
      watcher.onDidDelete((uri) => this.drop(uri)),
    );
    this.ready = this.scan().catch((err) => this.onError('name index: the workspace scan failed', err));
  }

  /** The names outside `doc` (the repair counts the document's own text itself). */
  lookup(doc: vscode.TextDocument): NameLookup {
    return this.index.except(doc.uri.toString());
  }

  /** The other files of `doc`'s language, whose lines a blank line of `doc` may be filled with. */
  linesOutside(doc: vscode.TextDocument): OtherFiles {
    return this.lines.view(lineLanguageOfDocument(doc), doc.uri.toString());
  }

  private indexDocument(doc: vscode.TextDocument): void {
    if (this.disposed || doc.uri.scheme === 'output' || doc.uri.scheme === 'vscode-scm') return;
    const text = doc.getText();
    if (text.length > NAME_INDEX_LIMITS.maxFileBytes) return;
    this.index.set(doc.uri.toString(), text, familyOfLanguage(doc.languageId) ?? familyOfPath(doc.uri.path));
    // Lines only of the user's files: not of a diff's other side (a git or review document), which holds the old text.
    if (LINE_SCHEMES.has(doc.uri.scheme)) this.lines.set(doc.uri.toString(), text, lineLanguageOfDocument(doc));
  }

  private later(key: string, run: () => void | Promise<void>): void {
    clearTimeout(this.pending.get(key));
    this.pending.set(key, setTimeout(() => {
      this.pending.delete(key);
      if (!this.disposed) void Promise.resolve(run()).catch((err) => this.onError('name index: a file could not be read', err));
    }, CHANGE_DELAY_MS));
  }

  private drop(uri: vscode.Uri): void {
    const open = vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString());
    if (!open) this.forget(uri);
  }

  /** Reads a file into the index unless it is open (its editor text is what counts), or drops it. */
  private async indexFileOrDrop(uri: vscode.Uri): Promise<void> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open) return this.indexDocument(open);
    if (uri.scheme !== 'file' && uri.scheme !== 'vscode-remote') return this.forget(uri);
    if (!(await this.indexFile(uri, true))) this.forget(uri);
  }

  private forget(uri: vscode.Uri): void {
    this.index.delete(uri.toString());
    this.lines.delete(uri.toString());
  }

  /** False when the file is gone, unreadable, binary, huge, of no known language, or over the cap. */
  private async indexFile(uri: vscode.Uri, replacing = false): Promise<boolean> {
    const family = familyOfPath(uri.path);
    if (!family || this.disposed) return false;
    let stat: vscode.FileStat;
    try {
      stat = await vscode.workspace.fs.stat(uri);
    } catch {
      return false;
    }
    if (stat.type !== vscode.FileType.File || stat.size > NAME_INDEX_LIMITS.maxFileBytes) return false;
    if (!replacing && this.index.full(stat.size)) return false;
    const bytes = await vscode.workspace.fs.readFile(uri);
    if (looksBinary(bytes)) return false;
    if (this.disposed || vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString())) return true;
    const text = new TextDecoder().decode(bytes);
    this.index.set(uri.toString(), text, family);
    this.lines.set(uri.toString(), text, lineLanguageOfPath(uri.path));
    return true;
  }

  private async scan(): Promise<void> {
    if (!vscode.workspace.workspaceFolders?.length) return;
    const uris = await vscode.workspace.findFiles('**/*', excludeGlob(), NAME_INDEX_LIMITS.maxFiles * 2);
    for (const uri of uris) {
      if (this.disposed || this.index.full(0)) return;
      if (this.index.has(uri.toString()) || !familyOfPath(uri.path)) continue;
      await this.indexFile(uri).catch(() => false);
      // One file per turn: whatever else the extension host has to do goes first.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  dispose(): void {
    this.disposed = true;
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
    for (const d of this.disposables) d.dispose();
  }
}

/**
 * One glob for findFiles' exclude: node_modules plus the patterns files.exclude and search.exclude
 * switch on (a pattern given here replaces files.exclude, so it is folded in). Conditional entries
 * (`{ "when": ... }`) are left out: they exclude only beside a sibling file.
 */
export function excludeGlob(): string {
  // Read for no particular resource (`null`), said explicitly: both settings are resource-scoped.
  const on = (section: string) => Object.entries(vscode.workspace.getConfiguration(undefined, null).get<Record<string, unknown>>(section) ?? {})
    .filter(([, v]) => v === true).map(([k]) => k);
  const patterns = [...new Set(['**/node_modules/**', '**/.git/**', ...on('files.exclude'), ...on('search.exclude')])];
  return `{${patterns.flatMap(expandBraces).join(',')}}`;
}

/** A pattern with a brace group as the patterns it stands for (`*.{js,map}`: `*.js`, `*.map`); one glob's braces cannot nest. */
export function expandBraces(pattern: string): string[] {
  const m = /\{([^{}]*)\}/.exec(pattern);
  if (!m) return [pattern];
  return m[1].split(',').flatMap((alt) => expandBraces(pattern.slice(0, m.index) + alt + pattern.slice(m.index + m[0].length)));
}

/**
 * The lines of the workspace's files, for analogues of a blank line in other files than its own
 * (core/analogs): each file's text, where its lines start and a hash of each line's key, so that
 * the lines equal to a given one are found by comparing numbers. Pure; the adapters feed it.
 */
import { lineKey } from './apply/align';

/** A file's text, where its lines start, and its lines' keys hashed. */
export interface FileLines {
  readonly file: string;
  readonly text: string;
  /** Offsets at which its lines start, and last the text's length plus one (where one more line would start). */
  readonly starts: Uint32Array;
  /** Each line's key (lineKey), hashed (hashKey). */
  readonly hashes: Uint32Array;
}

/** Line `i` of an indexed file, without its line break. */
export function lineAt(f: FileLines, i: number): string {
  const end = f.starts[i + 1] - 1;
  return f.text.slice(f.starts[i], end > f.starts[i] && f.text.charCodeAt(end - 1) === 13 ? end - 1 : end);
}

/** FNV-1a over a key's UTF-16 code units. */
export function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The files an analogue may come from: an index's files of one language group, but the hole's. */
export interface OtherFiles {
  files(): Iterable<FileLines>;
}

/** The languages whose files lend each other lines, grouped, by VS Code language id and by extension. */
const LINE_LANGUAGE_BY_ID: Readonly<Record<string, string>> = {
  typescript: 'js', typescriptreact: 'js', javascript: 'js', javascriptreact: 'js', tsx: 'js', jsx: 'js',
  python: 'python', go: 'go', rust: 'rust', c: 'c', cpp: 'c', java: 'java', csharp: 'csharp', kotlin: 'kotlin',
  swift: 'swift', php: 'php', ruby: 'ruby', scala: 'scala', dart: 'dart', lua: 'lua',
};
const LINE_LANGUAGE_BY_EXTENSION: Readonly<Record<string, string>> = {
  ts: 'js', tsx: 'js', mts: 'js', cts: 'js', js: 'js', jsx: 'js', mjs: 'js', cjs: 'js',
  py: 'python', pyi: 'python', go: 'go', rs: 'rust', c: 'c', h: 'c', cc: 'c', cpp: 'c', cxx: 'c', hpp: 'c', hh: 'c',
  java: 'java', cs: 'csharp', kt: 'kotlin', kts: 'kotlin', swift: 'swift', php: 'php', rb: 'ruby', scala: 'scala',
  dart: 'dart', lua: 'lua',
};

/** The group of languages a VS Code language id shares lines with, or undefined. */
export function lineLanguageOf(languageId: string): string | undefined {
  return LINE_LANGUAGE_BY_ID[languageId];
}

/** The group of languages a file shares lines with, by its extension, or undefined. */
export function lineLanguageOfPath(path: string): string | undefined {
  const base = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? undefined : LINE_LANGUAGE_BY_EXTENSION[base.slice(dot + 1).toLowerCase()];
}

/**
 * The lines of the workspace's files, for analogues in other files than the hole's: each file's
 * text, where its lines start and a hash of each line's key (the text's size again, and 8 bytes a
 * line). Fed by the background scan that reads the workspace's names (vscode/workspaceIndex,
 * cli/workspace), under the same caps.
 */
export class LineIndex {
  private readonly byFile = new Map<string, FileLines & { readonly language: string }>();

  /** Indexes `text` as `file`'s content, of the language group `language`; undefined drops the file. */
  set(file: string, text: string, language: string | undefined): boolean {
    if (!language) {
      this.byFile.delete(file);
      return false;
    }
    const starts: number[] = [0];
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    starts.push(text.length + 1);
    const f = { file, text, starts: Uint32Array.from(starts), hashes: new Uint32Array(starts.length - 1), language };
    for (let i = 0; i < f.hashes.length; i++) f.hashes[i] = hashKey(lineKey(lineAt(f, i)));
    this.byFile.set(file, f);
    return true;
  }

  delete(file: string): void {
    this.byFile.delete(file);
  }

  has(file: string): boolean {
    return this.byFile.has(file);
  }

  get fileCount(): number {
    return this.byFile.size;
  }

  /** The files of `language` other than `except`, read at each search (the index may change meanwhile). */
  view(language: string | undefined, except: string | undefined): OtherFiles {
    const byFile = this.byFile;
    return {
      *files() {
        if (!language) return;
        for (const f of byFile.values()) if (f.language === language && f.file !== except) yield f;
      },
    };
  }
}

/**
 * The workspace's names, for Diffuse Repair: which identifiers are defined or used in which files,
 * and how often. A name that occurs anywhere besides the spot being repaired is real, and repair
 * never replaces a real name (mobx's `defineProperty_` is not a slip of `defineProperty`).
 *
 * The tokenizer is cheap on purpose: one pass per file of the one lexer (core/lexer.ts), which
 * skips comments and strings by the language family's rules (`//` and block comments, `#`, `--`;
 * quotes, Python's triple quotes, JS template text but not its `${...}`, JS regular expression
 * literals), counting every identifier outside them. The adapters feed
 * the index (the editor: open documents, then the workspace folder, kept up to date; the CLI: the
 * files around FILE up to the repository root). Pure: no `vscode`, no node builtins.
 */

import { identPart, identStart, lexCode, SYNTAXES, type Syntax } from './lexer';

/** How a language writes comments and strings, as far as telling names apart needs. */
export type NameFamily = 'c' | 'rust' | 'hash' | 'python' | 'dash' | 'plain';

const FAMILY_BY_LANGUAGE: Record<string, NameFamily> = {
  typescript: 'c', typescriptreact: 'c', javascript: 'c', javascriptreact: 'c', tsx: 'c', jsx: 'c',
  java: 'c', kotlin: 'c', scala: 'c', swift: 'c', go: 'c', rust: 'rust', c: 'c', cpp: 'c', csharp: 'c',
  dart: 'c', php: 'c', objectivec: 'c', css: 'c', scss: 'c', less: 'c', json: 'c', jsonc: 'c',
  svelte: 'c', vue: 'c', zig: 'c', groovy: 'c', proto: 'c', solidity: 'c',
  python: 'python',
  shellscript: 'hash', ruby: 'hash', perl: 'hash', r: 'hash', yaml: 'hash', toml: 'hash', elixir: 'hash',
  makefile: 'hash', dockerfile: 'hash', powershell: 'hash', julia: 'hash', nim: 'hash', coffeescript: 'hash',
  lua: 'dash', sql: 'dash', haskell: 'dash', elm: 'dash',
};

const FAMILY_BY_EXTENSION: Record<string, NameFamily> = {
  ts: 'c', tsx: 'c', mts: 'c', cts: 'c', js: 'c', jsx: 'c', mjs: 'c', cjs: 'c', java: 'c', kt: 'c', kts: 'c',
  scala: 'c', swift: 'c', go: 'c', rs: 'rust', c: 'c', h: 'c', cc: 'c', cpp: 'c', cxx: 'c', hpp: 'c', hh: 'c',
  cs: 'c', dart: 'c', php: 'c', m: 'c', mm: 'c', css: 'c', scss: 'c', less: 'c', svelte: 'c', vue: 'c',
  zig: 'c', groovy: 'c', proto: 'c', sol: 'c',
  py: 'python', pyi: 'python',
  sh: 'hash', bash: 'hash', zsh: 'hash', rb: 'hash', pl: 'hash', pm: 'hash', r: 'hash', yaml: 'hash', yml: 'hash',
  toml: 'hash', ex: 'hash', exs: 'hash', jl: 'hash', nim: 'hash', ps1: 'hash', coffee: 'hash',
  lua: 'dash', sql: 'dash', hs: 'dash', elm: 'dash',
};

/** The family of a VS Code language id, or undefined for a language the index does not read. */
export function familyOfLanguage(languageId: string): NameFamily | undefined {
  return FAMILY_BY_LANGUAGE[languageId];
}

/** The family of a file by its name's extension, or undefined for a file the index does not read. */
export function familyOfPath(path: string): NameFamily | undefined {
  const base = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  if (base === 'Makefile' || base === 'Dockerfile') return 'hash';
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? undefined : FAMILY_BY_EXTENSION[base.slice(dot + 1).toLowerCase()];
}

/** Each family's syntax for the one lexer (core/lexer.ts). */
const SYNTAX_OF_FAMILY: Readonly<Record<NameFamily, Syntax>> = {
  c: SYNTAXES.js, rust: SYNTAXES.rust, python: SYNTAXES.python, hash: SYNTAXES.hash, dash: SYNTAXES.dash, plain: SYNTAXES.plain,
};

/**
 * Identifiers of `text` outside comments and strings, with how often each occurs. Numbers are
 * skipped whole (`0x1F` holds no name `x1F`).
 */
export function nameCounts(text: string, family: NameFamily = 'plain'): Map<string, number> {
  const counts = new Map<string, number>();
  lexCode(text, SYNTAX_OF_FAMILY[family], (start, end) => {
    let i = start;
    while (i < end) {
      const c = text.charCodeAt(i);
      if (identStart(c)) {
        let e = i + 1;
        while (e < end && identPart(text.charCodeAt(e))) e++;
        // A Python string prefix (r'', f"", b'') is part of the string, not a name.
        const prefix = family === 'python' && e === end && e - i <= 2 && (text[e] === '"' || text[e] === "'") && /^[rbfuRBFU]+$/.test(text.slice(i, e));
        if (!prefix) {
          const name = text.slice(i, e);
          counts.set(name, (counts.get(name) ?? 0) + 1);
        }
        i = e;
      } else if (c >= 48 && c <= 57) {
        // A number runs on through letters, digits, `_` and `.` (`0x1F`, `1e3`, `1_000.5`).
        i++;
        while (i < end && ((identPart(text.charCodeAt(i)) && text[i] !== '$') || text[i] === '.')) i++;
      } else i++;
    }
  });
  return counts;
}

/** How often a name occurs in the workspace's files other than the one being repaired. */
export interface NameLookup {
  occurrences(name: string): number;
  /** Every name with its count (for near-name candidates), outside the excluded file. */
  entries(): Iterable<readonly [string, number]>;
}

/**
 * Names per file, with the workspace's totals. `set` replaces a file's names, `delete` drops them;
 * `except(file)` answers for every file but that one (the document being repaired is counted from
 * its current text by the repair itself).
 */
export class NameIndex {
  private readonly files = new Map<string, { counts: Map<string, number>; bytes: number }>();
  private readonly totals = new Map<string, number>();
  private totalBytes = 0;

  /** Indexes `text` as the content of `file`; false when the family is unknown (nothing indexed). */
  set(file: string, text: string, family: NameFamily | undefined): boolean {
    if (!family) {
      this.delete(file);
      return false;
    }
    this.setCounts(file, nameCounts(text, family), text.length);
    return true;
  }

  setCounts(file: string, counts: Map<string, number>, bytes: number): void {
    this.delete(file);
    for (const [name, k] of counts) this.totals.set(name, (this.totals.get(name) ?? 0) + k);
    this.files.set(file, { counts, bytes });
    this.totalBytes += bytes;
  }

  delete(file: string): void {
    const old = this.files.get(file);
    if (!old) return;
    for (const [name, k] of old.counts) {
      const left = (this.totals.get(name) ?? 0) - k;
      if (left > 0) this.totals.set(name, left);
      else this.totals.delete(name);
    }
    this.files.delete(file);
    this.totalBytes -= old.bytes;
  }

  has(file: string): boolean {
    return this.files.has(file);
  }

  /** Occurrences of `name` in every indexed file. */
  occurrences(name: string): number {
    return this.totals.get(name) ?? 0;
  }

  /** Occurrences of `name` in `file` alone. */
  occurrencesIn(file: string, name: string): number {
    return this.files.get(file)?.counts.get(name) ?? 0;
  }

  get fileCount(): number {
    return this.files.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  get nameCount(): number {
    return this.totals.size;
  }

  /** Whether the index, taking a file of `nextBytes` more, would pass the caps on what it reads. */
  full(nextBytes: number, limits: { readonly maxTotalBytes: number; readonly maxFiles: number } = NAME_INDEX_LIMITS): boolean {
    return this.totalBytes + nextBytes > limits.maxTotalBytes || this.files.size >= limits.maxFiles;
  }

  /** The index as seen from `file`: that file's own occurrences left out. */
  except(file: string | undefined): NameLookup {
    // Read at each call: the file may be indexed again while a repair holds the lookup.
    const own = () => (file === undefined ? undefined : this.files.get(file)?.counts);
    const totals = this.totals;
    return {
      occurrences: (name) => (totals.get(name) ?? 0) - (own()?.get(name) ?? 0),
      *entries() {
        const mine = own();
        for (const [name, k] of totals) {
          const left = k - (mine?.get(name) ?? 0);
          if (left > 0) yield [name, left] as const;
        }
      },
    };
  }
}

/** Limits on what the adapters read into the index. */
export const NAME_INDEX_LIMITS = {
  /** Files larger than this are skipped (generated or minified code, data). */
  maxFileBytes: 1_000_000,
  /** The index stops reading files when it holds this many bytes. */
  maxTotalBytes: 32_000_000,
  /** ... or this many files. */
  maxFiles: 5000,
} as const;

/** Folder names never read: dependencies, builds, caches, version control. */
export const SKIPPED_FOLDERS: ReadonlySet<string> = new Set([
  'node_modules', '.git', '.hg', '.svn', 'dist', 'out', 'build', 'target', '.venv', 'venv', '__pycache__',
  '.next', '.cache', 'coverage', 'vendor', '.tox', '.mypy_cache', '.pytest_cache',
]);

/** Whether the first bytes of a file look binary (a NUL byte). */
export function looksBinary(head: Uint8Array): boolean {
  const n = Math.min(head.length, 8192);
  for (let i = 0; i < n; i++) if (head[i] === 0) return true;
  return false;
}

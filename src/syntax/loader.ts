/**
 * Loading web-tree-sitter, the grammars and the anchor queries: once per process, lazily, cached
 * as promises so concurrent callers share one load. The wasm files are found next to the bundle
 * (dist/tree-sitter.wasm, dist/grammars/*.wasm) or, when running from sources, in node_modules.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Language, Parser, Query } from 'web-tree-sitter';
import type { GrammarInfo, GrammarName } from './languages';

export interface SyntaxLocations {
  /** Folder holding tree-sitter.wasm (default: found next to the bundle or in node_modules). */
  readonly runtimeDir?: string;
  /** Folder holding tree-sitter-<name>.wasm files. */
  readonly grammarDir?: string;
  /** Folder holding <grammar>/anchors.scm. */
  readonly queriesDir?: string;
}

let locations: SyntaxLocations = {};
let runtime: Promise<void> | undefined;
const languages = new Map<GrammarName, Promise<Language>>();
const queries = new Map<string, Promise<Query>>();

/** Overrides where files are looked up; call before the first parse (later loads are cached). */
export function configureSyntax(options: SyntaxLocations): void {
  locations = { ...options };
}

/** First existing file among the candidates; the error names them all, as they are the fix. */
function firstExisting(what: string, candidates: readonly string[]): string {
  const found = candidates.find(c => fs.existsSync(c));
  if (found) return found;
  throw new Error(`${what} not found; looked in: ${candidates.join(', ')}`);
}

/** `rel` in node_modules of this folder or any folder above it. */
function inNodeModules(rel: string): string[] {
  const out: string[] = [];
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    out.push(path.join(dir, 'node_modules', rel));
    if (path.dirname(dir) === dir) return out;
  }
}

export function runtimeWasmPath(): string {
  const dir = locations.runtimeDir;
  return firstExisting('tree-sitter.wasm', dir
    ? [path.join(dir, 'tree-sitter.wasm')]
    : [path.join(__dirname, 'tree-sitter.wasm'), ...inNodeModules('web-tree-sitter/tree-sitter.wasm')]);
}

export function grammarWasmPath(g: GrammarInfo): string {
  const dir = locations.grammarDir;
  return firstExisting(g.wasmFile, dir
    ? [path.join(dir, g.wasmFile)]
    : [path.join(__dirname, 'grammars', g.wasmFile), ...inNodeModules(`${g.packageName}/${g.wasmFile}`)]);
}

function queryPath(grammar: string, name: string): string {
  const rel = path.join(grammar, `${name}.scm`);
  const dir = locations.queriesDir;
  return firstExisting(`query ${rel}`, dir
    ? [path.join(dir, rel)]
    // From sources this file sits beside queries/; the bundle carries them in dist/queries/.
    : [path.join(__dirname, 'queries', rel), path.join(__dirname, '..', 'src', 'syntax', 'queries', rel)]);
}

function initRuntime(): Promise<void> {
  runtime ??= (async () => {
    const wasm = runtimeWasmPath();
    await Parser.init({ locateFile: (file: string) => (file === 'tree-sitter.wasm' ? wasm : path.join(path.dirname(wasm), file)) });
  })();
  return runtime;
}

export function loadLanguage(g: GrammarInfo): Promise<Language> {
  let p = languages.get(g.name);
  if (!p) {
    p = initRuntime().then(() => Language.load(grammarWasmPath(g)));
    // A failed load is not cached: the next call retries (a file may have been restored).
    p.catch(() => languages.delete(g.name));
    languages.set(g.name, p);
  }
  return p;
}

/**
 * Query source with `; inherits: a,b` lines (the nvim-treesitter convention) resolved: the
 * inherited grammars' files come first.
 */
export function querySource(grammar: string, name: string, seen: ReadonlySet<string> = new Set()): string {
  if (seen.has(grammar)) throw new Error(`query ${grammar}/${name}.scm inherits itself`);
  const own = fs.readFileSync(queryPath(grammar, name), 'utf8');
  const inherits = /^;+\s*inherits\s*:\s*([\w,\s]+)$/m.exec(own);
  const parents = inherits ? inherits[1]!.split(',').map(s => s.trim()).filter(Boolean) : [];
  const next = new Set([...seen, grammar]);
  return [...parents.map(p => querySource(p, name, next)), own].join('\n');
}

export function loadQuery(g: GrammarInfo, name: string): Promise<Query> {
  const key = `${g.name}/${name}`;
  let p = queries.get(key);
  if (!p) {
    p = loadLanguage(g).then(lang => new Query(lang, querySource(g.name, name)));
    p.catch(() => queries.delete(key));
    queries.set(key, p);
  }
  return p;
}

/** A parser set to `lang`; the caller deletes it (parsers hold wasm memory). */
export function newParser(lang: Language): Parser {
  const parser = new Parser();
  parser.setLanguage(lang);
  return parser;
}

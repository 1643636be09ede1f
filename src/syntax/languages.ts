/**
 * Which grammar parses which document: VS Code language ids and file extensions mapped to the
 * grammars shipped in dist/grammars/. Anything else has no grammar (line anchoring instead).
 */

export interface GrammarInfo {
  /** Grammar name: the folder under queries/ and the `tree-sitter-<name>.wasm` file. */
  readonly name: GrammarName;
  /** npm package that ships the wasm (used when running from sources). */
  readonly packageName: string;
  readonly wasmFile: string;
}

export type GrammarName = 'typescript' | 'tsx' | 'javascript' | 'python' | 'go' | 'rust' | 'java' | 'c' | 'cpp' | 'json';

const grammar = (name: GrammarName, packageName = `tree-sitter-${name}`): GrammarInfo =>
  ({ name, packageName, wasmFile: `tree-sitter-${name}.wasm` });

export const GRAMMARS: Readonly<Record<GrammarName, GrammarInfo>> = {
  typescript: grammar('typescript'),
  tsx: grammar('tsx', 'tree-sitter-typescript'),
  javascript: grammar('javascript'),
  python: grammar('python'),
  go: grammar('go'),
  rust: grammar('rust'),
  java: grammar('java'),
  c: grammar('c'),
  cpp: grammar('cpp'),
  json: grammar('json'),
};

const BY_LANGUAGE_ID: Readonly<Record<string, GrammarName>> = {
  typescript: 'typescript',
  typescriptreact: 'tsx',
  // The JavaScript grammar parses JSX as well.
  javascript: 'javascript',
  javascriptreact: 'javascript',
  python: 'python',
  go: 'go',
  rust: 'rust',
  java: 'java',
  c: 'c',
  cpp: 'cpp',
  'cuda-cpp': 'cpp',
  json: 'json',
  jsonc: 'json',
};

/** The language ids of code the model writes (every one with a grammar but JSON's). */
export const CODE_LANGUAGE_IDS: readonly string[] = Object.keys(BY_LANGUAGE_ID).filter((id) => BY_LANGUAGE_ID[id] !== 'json');

const BY_EXTENSION: Readonly<Record<string, GrammarName>> = {
  ts: 'typescript', mts: 'typescript', cts: 'typescript',
  tsx: 'tsx',
  js: 'javascript', mjs: 'javascript', cjs: 'javascript', jsx: 'javascript',
  py: 'python', pyi: 'python',
  go: 'go',
  rs: 'rust',
  java: 'java',
  c: 'c', h: 'c',
  cc: 'cpp', cpp: 'cpp', cxx: 'cpp', 'c++': 'cpp', hh: 'cpp', hpp: 'cpp', hxx: 'cpp', 'h++': 'cpp', cu: 'cpp',
  json: 'json', jsonc: 'json',
};

/**
 * Whether the grammar of `languageId` reads code a preprocessor has not expanded (C, C++): its
 * macros leave syntax errors in correct code and a macro's body is text to it, so its error count
 * is a weak witness there.
 */
export function preprocessed(languageId: string): boolean {
  const name = grammarFor(languageId)?.name;
  return name === 'c' || name === 'cpp';
}

/** VS Code language id for a file name, for callers (the CLI) that only have a path. */
const LANGUAGE_ID_OF_GRAMMAR: Readonly<Record<GrammarName, string>> = {
  typescript: 'typescript', tsx: 'typescriptreact', javascript: 'javascript', python: 'python', go: 'go',
  rust: 'rust', java: 'java', c: 'c', cpp: 'cpp', json: 'json',
};

/**
 * The grammar for a VS Code language id, or for a file name / path / extension (anything with a
 * dot); undefined when none is shipped.
 */
export function grammarFor(languageIdOrFile: string): GrammarInfo | undefined {
  const key = languageIdOrFile.trim();
  const byId = BY_LANGUAGE_ID[key] ?? BY_LANGUAGE_ID[key.toLowerCase()];
  if (byId) return GRAMMARS[byId];
  const dot = key.lastIndexOf('.');
  if (dot < 0) return undefined;
  const ext = BY_EXTENSION[key.slice(dot + 1).toLowerCase()];
  return ext ? GRAMMARS[ext] : undefined;
}

/** The VS Code language id for a file name, or undefined when no grammar covers it. */
export function languageIdForFile(fileName: string): string | undefined {
  const g = fileName.includes('.') ? grammarFor(fileName) : undefined;
  return g ? LANGUAGE_ID_OF_GRAMMAR[g.name] : undefined;
}

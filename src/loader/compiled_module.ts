/**
 * User modules compiled once per run into a function that evaluates a fresh instance
 * of the module each time it is called, so that a deploy runs for thousands of hosts
 * without importing one `data:` URL per host (each dynamic import costs Deno time that
 * grows with the number of modules already loaded).
 *
 * Only modules whose import and export statements have plain, fully understood shapes
 * are compiled: anything else (re-exports, `export let`, import attributes, a syntax
 * error, an import cycle) makes {@linkcode ModuleCompiler.graph} answer false, and the
 * loader imports that deploy as an ES module as before. Columns and lines are those of
 * the user's file: statements are blanked in place, and the function's own opening is
 * taken off line 1 by the script's column offset.
 *
 * @module
 */
import vm from "node:vm";
import * as nodePath from "node:path";
import { pathToFileURL } from "node:url";
import { initModuleLexer, parseModule } from "../deps.ts";
import { boundLibraryModule, librarySpecifier } from "./library_imports.ts";
import { isTypeScript, stripTypes } from "./transpile.ts";
import { registerUserModule } from "./source_map.ts";

/** Where one static import of a compiled module leads. */
export type ImportTarget =
  | { kind: "user"; path: string }
  | { kind: "module"; url: string };

/** One static import: its target and the names it binds. */
interface StaticImport {
  target: ImportTarget;
  /** Imported names (`default` for a default import). */
  names: string[];
  /** Binds the whole namespace (`import * as ns`). */
  namespace: boolean;
}

/** The function a module is compiled to. */
type Evaluate = (
  require: (index: number) => unknown,
  dynamicImport: (specifier: unknown) => Promise<unknown>,
  defineExports: (getters: Record<string, () => unknown>) => void,
) => Promise<void>;

/** A user module compiled to a function. */
export interface CompiledModule {
  path: string;
  imports: StaticImport[];
  /** Every exported name, `default` included. */
  exports: Set<string>;
  /**
   * It has `export const` declarations: the lexer names only a declaration's first
   * binding, so its exports may be incomplete and a namespace import of it is refused.
   */
  declaresVariables: boolean;
  evaluate: Evaluate;
}

const IDENT = "[A-Za-z_$][\\w$]*";
const IMPORT_STATEMENT = new RegExp(
  `^import\\s*(?:(${IDENT})\\s*(?:,\\s*)?)?(?:\\{([^}]*)\\}\\s*|\\*\\s*as\\s+(${IDENT})\\s*)?` +
    `(?:from\\s*)?(["'])[^"'\\n]*\\4$`,
);
const IMPORT_SPECIFIER = new RegExp(`^(${IDENT})(?:\\s+as\\s+(${IDENT}))?$`);
const EXPORT_SPECIFIER = new RegExp(`^(${IDENT})(?:\\s+as\\s+(${IDENT}))?$`);
const EXPORT_DECLARATION =
  /\bexport(\s+)(?:(?:async\s+)?function\b\s*\*?\s*|class\s+|(const)\s+|(let|var)\s+)$/;
const EXPORT_DEFAULT = /\bexport\s+$/;
const EXPORT_CLAUSE = /\bexport\s*\{\s*$/;

/** The characters of `text`, blanked to spaces, its line breaks kept. */
function blank(text: string): string {
  return text.replace(/[^\n\r\u2028\u2029]/g, " ");
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** Why a module is not compiled (it is imported as an ES module instead). */
class NotCompiled extends Error {}

function refuse(reason: string): never {
  throw new NotCompiled(reason);
}

/** The static import bindings of a statement, parsed from its text. */
function parseImportClause(
  statement: string,
): { names: string[]; locals: string[]; namespace?: string } {
  const match = IMPORT_STATEMENT.exec(statement);
  if (!match) refuse("import statement of another shape");
  const [, defaultLocal, named, namespace] = match;
  const names: string[] = [];
  const locals: string[] = [];
  if (defaultLocal) {
    names.push("default");
    locals.push(defaultLocal);
  }
  if (named !== undefined) {
    for (const part of named.split(",").map((p) => p.trim())) {
      if (!part) continue;
      const spec = IMPORT_SPECIFIER.exec(part);
      if (!spec || (spec[1] === "default" && !spec[2])) refuse("import specifier of another shape");
      names.push(spec[1]);
      locals.push(spec[2] ?? spec[1]);
    }
  }
  return { names, locals, namespace };
}

/**
 * Compiles the JavaScript of a user module (types already removed) to a function.
 *
 * @param js the module's JavaScript
 * @param path the user's file, for call sites and messages
 * @param resolve where each static or dynamic import specifier leads
 * @param importMeta the expression that stands for `import.meta`
 * @returns the compiled module, or undefined where it must be imported as an ES module
 */
export async function compileModule(
  js: string,
  path: string,
  resolve: (specifier: string) => Promise<ImportTarget | undefined>,
  importMeta: () => string,
): Promise<CompiledModule | undefined> {
  try {
    return await compile(js, path, resolve, importMeta);
  } catch (error) {
    if (error instanceof NotCompiled || error instanceof SyntaxError) return undefined;
    throw error;
  }
}

async function compile(
  js: string,
  path: string,
  resolve: (specifier: string) => Promise<ImportTarget | undefined>,
  importMeta: () => string,
): Promise<CompiledModule> {
  await initModuleLexer;
  let parsed;
  try {
    parsed = parseModule(js, path);
  } catch {
    refuse("the lexer cannot read it");
  }
  const [imports, exportEntries] = parsed;
  const edits: Edit[] = [];
  if (js.startsWith("#!")) edits.push({ start: 0, end: js.indexOf("\n") >>> 0, text: "" });
  const statics: StaticImport[] = [];
  const bindings: string[] = [];
  for (const entry of imports) {
    if (entry.t === 3 && entry.d === -2) {
      edits.push({ start: entry.s, end: entry.e, text: importMeta() });
      continue;
    }
    if (entry.t === 2 && entry.d >= 0) {
      if (js.slice(entry.ss, entry.ss + 6) !== "import") refuse("dynamic import of another shape");
      edits.push({ start: entry.ss, end: entry.ss + 6, text: "__tsI_" });
      continue;
    }
    if (entry.t !== 1 || entry.d !== -1 || entry.n === undefined) refuse("import of another kind");
    const statement = js.slice(entry.ss, entry.se);
    if (!statement.startsWith("import")) refuse("re-export");
    const clause = parseImportClause(statement);
    const target = await resolve(entry.n);
    if (!target) refuse(`unresolved import ${entry.n}`);
    const index = statics.length;
    statics.push({ target, names: clause.names, namespace: clause.namespace !== undefined });
    const parts = clause.names.map((name, i) => `${JSON.stringify(name)}: ${clause.locals[i]}`);
    if (parts.length) bindings.push(`{ ${parts.join(", ")} } = __tsR_(${index})`);
    if (clause.namespace) bindings.push(`${clause.namespace} = __tsR_(${index})`);
    edits.push({ start: entry.ss, end: entry.se, text: blank(statement) });
  }

  const exports = new Map<string, string>();
  let declaresVariables = false;
  let defaultValue = false;
  const consumed = new Set<number>();
  const sorted = [...exportEntries].sort((a, b) => a.s - b.s);
  const window = (end: number) => js.slice(Math.max(0, end - 64), end);
  const tail = (end: number) => Math.max(0, end - 64);
  for (const [i, entry] of sorted.entries()) {
    if (consumed.has(i)) continue;
    if (exports.has(entry.n)) refuse("an export named twice");
    if (entry.n === "default" && entry.ls < 0) {
      const m = EXPORT_DEFAULT.exec(window(entry.s));
      if (!m || js.slice(entry.s, entry.e) !== "default") refuse("default export of another shape");
      const start = tail(entry.s) + m.index;
      const length = entry.e - start;
      edits.push({ start, end: entry.e, text: "__tsD_ =" + " ".repeat(length - 8) });
      defaultValue = true;
      exports.set("default", "__tsD_");
      continue;
    }
    if (entry.ln === undefined) refuse("re-export");
    if (entry.n === "default" && js.slice(entry.s, entry.e) === "default") {
      // `export default function name() {}` / `export default class Name {}`
      const m = EXPORT_DEFAULT.exec(window(entry.s));
      const after = js.slice(entry.e, entry.ls);
      if (!m || !/^\s+(?:async\s+)?(?:function\b\s*\*?\s*|class\s+)$/.test(after)) {
        refuse("default export of another shape");
      }
      const start = tail(entry.s) + m.index;
      edits.push({ start, end: entry.e, text: blank(js.slice(start, entry.e)) });
      exports.set("default", entry.ln);
      continue;
    }
    if (entry.ls === entry.s) {
      const m = EXPORT_DECLARATION.exec(window(entry.s));
      if (m) {
        if (m[3]) refuse("export let or var (a live binding)");
        if (m[2]) declaresVariables = true;
        const start = tail(entry.s) + m.index;
        edits.push({ start, end: start + 6, text: "      " });
        exports.set(entry.n, entry.ln);
        continue;
      }
    }
    // `export { a, b as c }`: this is its first specifier.
    const m = EXPORT_CLAUSE.exec(window(entry.ls));
    if (!m) refuse("export of another shape");
    const start = tail(entry.ls) + m.index;
    const close = js.indexOf("}", entry.ls);
    if (close < 0) refuse("export clause without its end");
    const specifiers = js.slice(js.indexOf("{", start) + 1, close).split(",").map((p) => p.trim())
      .filter(Boolean);
    const inClause = sorted.flatMap((e, j) => (e.s > start && e.s < close ? [j] : []));
    if (inClause.length !== specifiers.length) refuse("export clause of another shape");
    for (const [k, text] of specifiers.entries()) {
      const spec = EXPORT_SPECIFIER.exec(text);
      const known = sorted[inClause[k]];
      if (!spec || known.ln !== spec[1] || known.n !== (spec[2] ?? spec[1])) {
        refuse("export clause of another shape");
      }
      if (exports.has(known.n)) refuse("an export named twice");
      exports.set(known.n, known.ln);
      consumed.add(inClause[k]);
    }
    edits.push({ start, end: close + 1, text: blank(js.slice(start, close + 1)) });
  }

  edits.sort((a, b) => a.start - b.start);
  let body = "";
  let last = 0;
  for (const edit of edits) {
    if (edit.start < last) refuse("overlapping statements");
    body += js.slice(last, edit.start) + edit.text;
    last = edit.end;
  }
  body += js.slice(last);

  const getters = [...exports].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, local]) => `${JSON.stringify(name)}: () => ${local}`);
  const prefix = `(async function (__tsR_, __tsI_, __tsX_) {"use strict";` +
    (defaultValue ? "let __tsD_;" : "") +
    (bindings.length ? `const ${bindings.join(", ")};` : "") +
    (getters.length ? `__tsX_({ ${getters.join(", ")} });` : "");
  const filename = compiledModuleUrl(path);
  registerUserModule(filename, path);
  const evaluate = vm.runInThisContext(`${prefix}${body}\n})`, {
    filename,
    columnOffset: -prefix.length,
  }) as Evaluate;
  return {
    path,
    imports: statics,
    exports: new Set(exports.keys()),
    declaresVariables,
    evaluate,
  };
}

/** base64 of UTF-8 text. */
export function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/**
 * The name a compiled module's frames carry: a short `data:` URL that the source map
 * of user modules turns back into the file.
 */
function compiledModuleUrl(path: string): string {
  return `data:application/javascript;base64,${base64(`tsinfra-compiled:${path}`)}`;
}

/** Whether a file is JSON (imported as data, never compiled). */
function isJson(path: string): boolean {
  return /\.json$/i.test(path);
}

/**
 * Compiles the user modules of one run, each once, and decides which deploys may be
 * evaluated as compiled functions (a whole import graph of plain modules).
 */
export class ModuleCompiler {
  readonly #modules = new Map<string, Promise<CompiledModule | undefined>>();
  readonly #namespaces = new Map<string, Record<string, unknown>>();
  readonly #graphs = new Map<string, Promise<boolean>>();
  readonly #importMeta: (path: string) => string;

  /** @param importMeta the expression standing for `import.meta` in the file at a path */
  constructor(importMeta: (path: string) => string) {
    this.#importMeta = importMeta;
  }

  /** The compiled module of a file (after {@linkcode graph} said yes for a root above it). */
  async module(path: string): Promise<CompiledModule | undefined> {
    let known = this.#modules.get(path);
    if (!known) {
      known = this.#compileFile(path);
      this.#modules.set(path, known);
    }
    return await known;
  }

  /** The namespace of a module that is not a user file, imported once. */
  namespace(url: string): Record<string, unknown> {
    const namespace = this.#namespaces.get(url);
    if (!namespace) throw new Error(`Module ${url} was not imported before its importer ran`);
    return namespace;
  }

  /**
   * Whether the deploy at `path` and every user module it imports are compiled, with
   * no cycle, every imported name exported, and every other module imported (once).
   */
  graph(path: string): Promise<boolean> {
    let known = this.#graphs.get(path);
    if (!known) {
      known = this.#check(path, []).catch(() => false);
      this.#graphs.set(path, known);
    }
    return known;
  }

  async #check(path: string, stack: string[]): Promise<boolean> {
    if (stack.includes(path)) return false; // a cycle: the ES module path reports it
    const module = await this.module(path);
    if (!module) return false;
    for (const dep of module.imports) {
      if (dep.target.kind === "user") {
        if (!(await this.#check(dep.target.path, [...stack, path]))) return false;
        const target = (await this.module(dep.target.path))!;
        if (dep.namespace && target.declaresVariables) return false;
        if (!dep.names.every((name) => target.exports.has(name))) return false;
      } else {
        let namespace = this.#namespaces.get(dep.target.url);
        if (!namespace) {
          namespace = await import(dep.target.url) as Record<string, unknown>;
          this.#namespaces.set(dep.target.url, namespace);
        }
        if (!dep.names.every((name) => name in namespace!)) return false;
      }
    }
    return true;
  }

  async #compileFile(path: string): Promise<CompiledModule | undefined> {
    if (isJson(path)) return undefined;
    let source: string;
    try {
      source = await Deno.readTextFile(path);
    } catch {
      return undefined; // the ES module path reports it
    }
    let js = source;
    if (isTypeScript(path)) {
      try {
        js = stripTypes(source, path);
      } catch {
        return undefined;
      }
    }
    return await compileModule(
      js,
      path,
      (specifier) => resolveImport(specifier, path),
      () => this.#importMeta(path),
    );
  }
}

/**
 * Where an import of a compiled module leads, as the ES module loader resolves it:
 * tsinfra's own modules, user files, or modules named absolutely (`npm:`, `jsr:`,
 * `node:`, URLs). Undefined for anything else (a bare name).
 */
export async function resolveImport(
  specifier: string,
  from: string,
): Promise<ImportTarget | undefined> {
  const library = librarySpecifier(specifier);
  if (library) return { kind: "module", url: library };
  if (specifier.startsWith("tsinfra/")) return undefined;
  if (/^https?:\/\//.test(specifier)) {
    const bound = await boundLibraryModule(new URL(specifier), from);
    return { kind: "module", url: bound ?? specifier };
  }
  if (/^(?:npm|jsr|node):/.test(specifier)) return { kind: "module", url: specifier };
  const target = localImportPath(specifier, from);
  if (target === undefined) return undefined;
  const bound = await boundLibraryModule(pathToFileURL(target), from);
  return bound ? { kind: "module", url: bound } : { kind: "user", path: target };
}

/**
 * The file a local import specifier names (relative, absolute or `file://`), resolved
 * against the importing file; undefined for any other specifier.
 */
export function localImportPath(specifier: string, from: string): string | undefined {
  if (specifier.startsWith("./") || specifier.startsWith("../")) {
    return nodePath.resolve(nodePath.dirname(from), specifier);
  }
  if (specifier.startsWith("/")) return specifier;
  if (specifier.startsWith("file://")) return decodeURIComponent(new URL(specifier).pathname);
  return undefined;
}

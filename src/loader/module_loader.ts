/**
 * Loads user TypeScript (deploys, inventories, group data, config) the same way in every
 * mode, the compiled binary included: read the file, remove its types (transpile.ts),
 * rewrite its import specifiers (`tsinfra[/...]` and any other copy of the library to
 * the running one, relative imports to their own data: URLs), and import the result as
 * a `data:application/javascript` URL. Lines are unchanged, so errors and call sites keep
 * the user's line numbers.
 *
 * @module
 */
import * as nodePath from "node:path";
import { pathToFileURL } from "node:url";
import { initModuleLexer, parseModule } from "../deps.ts";
import { DeployError, TsinfraError } from "../core/errors.ts";
import { boundLibraryModule, librarySpecifier } from "./library_imports.ts";
import { isTypeScript, stripTypes } from "./transpile.ts";
import { base64, localImportPath, ModuleCompiler, resolveImport } from "./compiled_module.ts";
import {
  firstUserLocation,
  mapUserLocations,
  registerUserModule,
  userFiles,
} from "./source_map.ts";

/** `import.meta` as user code sees it: its real file. */
export interface UserImportMeta {
  url: string;
  filename: string;
  dirname: string;
  main: boolean;
  resolve(specifier: string): string;
}

const META_GLOBAL = "__tsinfraImportMeta";
const metas: UserImportMeta[] = [];
(globalThis as Record<string, unknown>)[META_GLOBAL] = metas;

function metaIndexFor(path: string): number {
  const url = "file://" + path;
  metas.push({
    url,
    filename: path,
    dirname: nodePath.dirname(path),
    main: false,
    resolve: (specifier: string) => new URL(specifier, url).href,
  });
  return metas.length - 1;
}

function isJson(path: string): boolean {
  return /\.json$/i.test(path);
}

/**
 * A compiler of user modules for one run, shared by the loaders of all its hosts: each
 * user file is read, stripped and compiled once, and evaluated once per host.
 */
export function createModuleCompiler(): ModuleCompiler {
  return new ModuleCompiler((path) => `globalThis.${META_GLOBAL}[${metaIndexFor(path)}]`);
}

/** Options of {@linkcode ModuleLoader}. */
export interface ModuleLoaderOptions {
  /**
   * Evaluates deploys whose modules it compiled by calling their functions, instead of
   * importing a `data:` URL per instance (see `compiled_module.ts`); deploys it cannot
   * compile are imported as ES modules. @default {undefined}
   */
  compiler?: ModuleCompiler;
}

function lineAndColumn(source: string, index: number): string {
  const before = source.slice(0, index);
  const line = before.split("\n").length;
  return `${line}:${index - before.lastIndexOf("\n")}`;
}

/**
 * Loads user modules. One loader per "instance" (a host): each instance evaluates its
 * own copy of every user module, as pyinfra runs the deploy once per host.
 */
export class ModuleLoader {
  readonly #instance: string;
  readonly #urls = new Map<string, string>();
  readonly #loading = new Set<string>();
  readonly #compiler: ModuleCompiler | undefined;
  /** Compiled modules evaluated in this instance, by path. */
  readonly #instances = new Map<string, Promise<Record<string, unknown>>>();

  /**
   * @param instance a label making this loader's modules distinct (e.g. the host name).
   * @param options how modules are evaluated
   */
  constructor(instance: string, options: ModuleLoaderOptions = {}) {
    this.#instance = instance;
    this.#compiler = options.compiler;
  }

  /** Imports a user file, returning its module namespace. */
  async import(path: string, fresh?: string): Promise<Record<string, unknown>> {
    const full = nodePath.resolve(path);
    if (this.#compiler && (await this.#compiler.graph(full))) {
      try {
        return await this.#evaluated(full, fresh !== undefined);
      } catch (error) {
        throw toDeployError(error, path);
      }
    }
    const url = await this.urlFor(full);
    const target = fresh ? `${url}&${encodeURIComponent(fresh)}` : url;
    try {
      return await import(target);
    } catch (error) {
      throw toDeployError(error, path);
    }
  }

  /** This instance's evaluation of a compiled module (a fresh one when asked). */
  #evaluated(path: string, fresh = false): Promise<Record<string, unknown>> {
    const known = fresh ? undefined : this.#instances.get(path);
    if (known) return known;
    const evaluating = this.#evaluate(path);
    if (!fresh) this.#instances.set(path, evaluating);
    return evaluating;
  }

  async #evaluate(path: string): Promise<Record<string, unknown>> {
    const compiler = this.#compiler!;
    const module = (await compiler.module(path))!;
    // Its imports first, in order, as ES modules are evaluated.
    const deps: unknown[] = [];
    for (const { target } of module.imports) {
      deps.push(
        target.kind === "user"
          ? await this.#evaluated(target.path)
          : compiler.namespace(target.url),
      );
    }
    const namespace: Record<string, unknown> = Object.create(null);
    const defineExports = (getters: Record<string, () => unknown>) => {
      for (const [name, get] of Object.entries(getters)) {
        Object.defineProperty(namespace, name, { get, enumerable: true });
      }
    };
    const dynamicImport = (specifier: unknown) => this.#dynamicImport(specifier, path);
    // Started from a microtask and settled through plain callbacks, as an ES module is
    // evaluated: no caller's frames reach its stack, not even async ones after an
    // `await` (so call sites are those of an ES module); the deploy context carries on.
    await new Promise<void>((resolve, reject) =>
      queueMicrotask(() =>
        module.evaluate((index) => deps[index], dynamicImport, defineExports).then(
          () => resolve(),
          (error) => reject(error),
        )
      )
    );
    return namespace;
  }

  /** `import(specifier)` in a compiled module. */
  async #dynamicImport(specifier: unknown, from: string): Promise<unknown> {
    if (typeof specifier !== "string") return await import(String(specifier));
    const target = await resolveImport(specifier, from);
    if (target?.kind === "module") return await import(target.url);
    if (target?.kind !== "user") return await import(specifier);
    if (await this.#compiler!.graph(target.path)) return await this.#evaluated(target.path);
    return await import(await this.urlFor(target.path));
  }

  /** The data: URL that stands for a user file in this instance. */
  async urlFor(path: string): Promise<string> {
    const known = this.#urls.get(path);
    if (known) return known;
    if (this.#loading.has(path)) {
      throw new DeployError(
        `Circular import of ${path}: user modules imported by a deploy cannot import each other in a cycle`,
      );
    }
    this.#loading.add(path);
    try {
      let source: string;
      try {
        source = await Deno.readTextFile(path);
      } catch (error) {
        throw new DeployError(
          `Cannot read ${path}: ${error instanceof Deno.errors.NotFound ? "no such file" : error}`,
        );
      }
      const type = isJson(path) ? "application/json" : "application/javascript";
      const text = isJson(path)
        ? source
        : await this.#rewrite(await this.#strip(source, path), path);
      const url = `data:${type};base64,${base64(text)}#${encodeURIComponent(this.#instance)}`;
      registerUserModule(url, path);
      this.#urls.set(path, url);
      return url;
    } finally {
      this.#loading.delete(path);
    }
  }

  async #strip(source: string, path: string): Promise<string> {
    if (!isTypeScript(path)) return source;
    try {
      return stripTypes(source, path);
    } catch (error) {
      throw (await denoSyntaxError(source, path)) ?? error;
    }
  }

  async #rewrite(source: string, path: string): Promise<string> {
    await initModuleLexer;
    let imports: readonly { n?: string; s: number; e: number; d: number }[];
    try {
      [imports] = parseModule(source, path);
    } catch (error) {
      const index = (error as { idx?: number }).idx;
      throw (await denoSyntaxError(source, path)) ??
        new DeployError(
          `${index === undefined ? path : `${path}:${lineAndColumn(source, index)}`}: ` +
            "SyntaxError: cannot parse the module's imports and exports",
        );
    }
    let out = "";
    let last = 0;
    for (const entry of imports) {
      if (entry.d === -2) {
        out += source.slice(last, entry.s) + `globalThis.${META_GLOBAL}[${metaIndexFor(path)}]`;
        last = entry.e;
        continue;
      }
      const specifier = entry.n;
      if (specifier === undefined) continue;
      const replacement = await this.#resolve(specifier, path);
      if (replacement === undefined) continue;
      // Static imports span the bare specifier; dynamic ones include the quotes.
      const quoted = entry.d >= 0;
      out += source.slice(last, entry.s) + (quoted ? JSON.stringify(replacement) : replacement);
      last = entry.e;
    }
    return out + source.slice(last);
  }

  async #resolve(specifier: string, from: string): Promise<string | undefined> {
    const library = librarySpecifier(specifier);
    if (library) return library;
    if (specifier.startsWith("tsinfra/")) {
      throw new DeployError(
        `Unknown tsinfra module ${specifier} imported by ${from}: use "tsinfra", "tsinfra/facts/<module>" or "tsinfra/operations/<module>"`,
      );
    }
    if (/^https?:\/\//.test(specifier)) {
      return await boundLibraryModule(new URL(specifier), from); // else Deno fetches it
    }
    const target = localImportPath(specifier, from);
    if (target === undefined) return undefined; // npm:, jsr:, node: pass through
    return await boundLibraryModule(pathToFileURL(target), from) ??
      await this.urlFor(target);
  }
}

/**
 * Deno's own parser names what is wrong more precisely than the type stripper or the
 * lexer: import the untouched source (it fails before resolving any import). Undefined
 * where the runtime cannot parse TypeScript at run time (a compiled binary).
 */
async function denoSyntaxError(source: string, path: string): Promise<DeployError | undefined> {
  const type = isTypeScript(path) ? "application/typescript" : "application/javascript";
  const url = `data:${type};base64,${base64(source)}#syntax-check`;
  registerUserModule(url, path);
  try {
    await import(url);
  } catch (error) {
    const mapped = toDeployError(error, path);
    if (/SyntaxError/.test(mapped.message)) return mapped;
  }
  return undefined;
}

/** Turns anything thrown while loading user code into a DeployError naming file:line:col. */
export function toDeployError(error: unknown, path: string): TsinfraError {
  if (error instanceof DeployError) return error;
  // tsinfra's own errors about a call already name its place (`files.line in d.ts:3:7: ...`).
  if (error instanceof TsinfraError && / in \S+:\d+:\d+: /.test(error.message)) return error;
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  const mapped = mapUserLocations(text);
  const where = firstUserLocation(text, userFiles()) ?? path;
  const firstLine = mapUserLocations(error instanceof Error ? error.message : String(error))
    .split("\n")[0].replace(/^TypeError: (SyntaxError: )/, "$1");
  const detail =
    error instanceof Error && error.name !== "Error" && !firstLine.startsWith("SyntaxError")
      ? `${error.name}: ${firstLine}`
      : firstLine;
  const codeFrame = mapped.includes("\n  |")
    ? "\n" + mapped.split("\n").filter((l) => /^\s*\d*\s*\|/.test(l)).join("\n")
    : "";
  const result = new DeployError(`${where}: ${detail}${codeFrame}`);
  result.cause = error;
  return result;
}

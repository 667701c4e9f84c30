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

function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
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

  /** @param instance a label making this loader's modules distinct (e.g. the host name). */
  constructor(instance: string) {
    this.#instance = instance;
  }

  /** Imports a user file, returning its module namespace. */
  async import(path: string, fresh?: string): Promise<Record<string, unknown>> {
    const url = await this.urlFor(nodePath.resolve(path));
    const target = fresh ? `${url}&${encodeURIComponent(fresh)}` : url;
    try {
      return await import(target);
    } catch (error) {
      throw toDeployError(error, path);
    }
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
    let target: string | undefined;
    if (specifier.startsWith("./") || specifier.startsWith("../")) {
      target = nodePath.resolve(nodePath.dirname(from), specifier);
    } else if (specifier.startsWith("/")) target = specifier;
    else if (specifier.startsWith("file://")) {
      target = decodeURIComponent(new URL(specifier).pathname);
    } else if (/^https?:\/\//.test(specifier)) {
      return await boundLibraryModule(new URL(specifier), from); // else Deno fetches it
    }
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

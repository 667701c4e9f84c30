/**
 * User TypeScript to JavaScript, in the loader itself: a compiled binary may not
 * transpile `data:` URLs, so the loader never asks it to. Sucrase removes types in place
 * (line numbers are kept, so call sites and errors name the user's real lines) and drops
 * imports used only as types, as TypeScript does.
 *
 * @module
 */
import { sucraseTransform } from "../deps.ts";
import { DeployError } from "../core/errors.ts";

const cache = new Map<string, string>();

/** Whether a file is TypeScript that needs its types removed. */
export function isTypeScript(path: string): boolean {
  return /\.(m|c)?tsx?$/i.test(path);
}

/**
 * Removes the types from `source` (the file at `path`), keeping every line where it was.
 * The result is cached by source, so a deploy loaded for many hosts is stripped once.
 *
 * @example
 * ```ts
 * import { stripTypes } from "./transpile.ts";
 * const js = stripTypes("const port: number = 80;\nexport { port };\n", "deploy.ts");
 * if (!js.startsWith("const port = 80;\n")) throw new Error(js);
 * ```
 */
export function stripTypes(source: string, path: string): string {
  const key = `${path}\0${source}`;
  const known = cache.get(key);
  if (known !== undefined) return known;
  let code: string;
  try {
    code = sucraseTransform(source, {
      transforms: /x$/i.test(path) ? ["typescript", "jsx"] : ["typescript"],
      disableESTransforms: true,
      preserveDynamicImport: true,
      filePath: path,
    }).code;
  } catch (error) {
    throw syntaxErrorOf(error, path);
  }
  cache.set(key, code);
  return code;
}

function syntaxErrorOf(error: unknown, path: string): DeployError {
  const loc = (error as { loc?: { line: number; column: number } }).loc;
  const message = (error instanceof Error ? error.message : String(error))
    .replace(/^Error transforming [^:]*: /, "")
    .replace(/\s*\(\d+:\d+\)$/, "");
  const where = loc ? `${path}:${loc.line}:${loc.column + 1}` : path;
  const result = new DeployError(`${where}: SyntaxError: ${message}`);
  result.cause = error;
  return result;
}

/**
 * Fails when an import goes against the layering: core imports only core; facts and
 * operations import core (operations also facts); connectors import core; loader
 * imports core; runner imports core, connectors and loader; `src/catalogue.ts` (the
 * built-in catalogue) imports core, operations and facts, and only the entry points
 * import it (cli, the worker, API mode); nothing imports cli.
 * `src/deps.ts`, `src/version.ts` and `node:` built-ins are open to all.
 *
 * Also fails when an operation yields raw command text: in `src/operations` a command
 * is built with the `sh` tag or `StringCommand` parts, never yielded as a template
 * literal or a string literal.
 *
 * @module
 */
import * as path from "node:path";

const ROOT = path.resolve(import.meta.dirname!, "..");
const SRC = path.join(ROOT, "src");

const ALLOWED: Record<string, string[]> = {
  core: ["core"],
  facts: ["core", "facts"],
  operations: ["core", "facts", "operations"],
  connectors: ["core", "connectors"],
  loader: ["core", "loader"],
  runner: ["core", "connectors", "loader", "runner"],
  cli: ["core", "connectors", "loader", "runner", "operations", "facts", "catalogue.ts", "cli"],
  "catalogue.ts": ["core", "operations", "facts", "catalogue.ts"],
};

/** `yield "..."`, `` yield `...` ``, and `yield cond ? "a" : "b"` (not `yield*`, not `sh`). */
const RAW_YIELD = /\byield\s+(?:[^;?`"'{}()[\]]*\?\s*)?[`"']/;
/** A branch of a conditional yield continued on its own line: `? "..."`, `: \`...\``. */
const RAW_BRANCH = /^\s*[?:]\s*[`"']/;

/**
 * The 1-based numbers of the lines that yield a template literal or a string literal
 * as a command (directly, or as a branch of a conditional).
 *
 * @example
 * ```ts
 * import { rawCommandYields } from "./check_layers.ts";
 * const text = "yield `rm -f ${path}`;\nyield sh`rm -f ${path}`;";
 * if (rawCommandYields(text).join() !== "1") throw new Error();
 * ```
 */
export function rawCommandYields(text: string): number[] {
  const found: number[] = [];
  let inYield = false;
  text.split("\n").forEach((line, index) => {
    const code = line.trim();
    if (code.startsWith("//") || code.startsWith("*") || code.startsWith("/*")) return;
    if (RAW_YIELD.test(line) || (inYield && RAW_BRANCH.test(line))) found.push(index + 1);
    if (/\byield\s/.test(line)) inYield = true;
    if (code.endsWith(";") || code.endsWith("}")) inYield = false;
  });
  return found;
}

function* walk(dir: string): Generator<string> {
  for (const entry of Deno.readDirSync(dir)) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory) yield* walk(full);
    else if (entry.name.endsWith(".ts")) yield full;
  }
}

/** The worker entry and API mode load the built-in catalogue themselves, as the CLI does. */
const ENTRY_POINTS: Record<string, string[]> = {
  "runner/worker.ts": ["catalogue.ts"],
  "runner/api.ts": ["catalogue.ts"],
};

if (import.meta.main) main();

function main() {
  const problems: string[] = [];
  const rawYields: string[] = [];
  for (const file of walk(SRC)) {
    const layer = path.relative(SRC, file).split(path.sep)[0];
    const allowed = ALLOWED[layer];
    if (!allowed) continue;
    const text = Deno.readTextFileSync(file);
    if (layer === "operations") {
      for (const line of rawCommandYields(text)) {
        rawYields.push(`${path.relative(ROOT, file)}:${line}`);
      }
    }
    for (const match of text.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)) {
      const specifier = match[1];
      if (!specifier.startsWith(".")) continue;
      const target = path.relative(SRC, path.resolve(path.dirname(file), specifier));
      if (target.startsWith("..")) {
        problems.push(`${path.relative(ROOT, file)} imports ${specifier}: outside src/`);
        continue;
      }
      const targetLayer = target.split(path.sep)[0];
      if (target === "deps.ts" || target === "version.ts") continue;
      const extra = ENTRY_POINTS[path.relative(SRC, file)] ?? [];
      if (!allowed.includes(targetLayer) && !extra.includes(targetLayer)) {
        problems.push(
          `${path.relative(ROOT, file)} (${layer}) imports ${specifier} (${targetLayer})`,
        );
      }
    }
  }
  if (problems.length) {
    console.error("Imports against the layering:\n  " + problems.join("\n  "));
  }
  if (rawYields.length) {
    console.error(
      "Operations that yield raw command text (build it with sh`...` or StringCommand parts):\n  " +
        rawYields.join("\n  "),
    );
  }
  if (problems.length || rawYields.length) Deno.exit(1);
  console.log("layering: ok");
}

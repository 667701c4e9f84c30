/**
 * Fails when an import goes against the layering: core imports only core; facts and
 * operations import core (operations also facts); connectors import core; loader
 * imports core; runner imports core, connectors and loader; nothing imports cli.
 * `src/deps.ts`, `src/version.ts` and `node:` built-ins are open to all.
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
  cli: ["core", "connectors", "loader", "runner", "operations", "facts", "cli"],
};

function* walk(dir: string): Generator<string> {
  for (const entry of Deno.readDirSync(dir)) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory) yield* walk(full);
    else if (entry.name.endsWith(".ts")) yield full;
  }
}

/** The worker entry loads the catalogue itself, as the CLI does. */
const ENTRY_POINTS: Record<string, string[]> = {
  "runner/worker.ts": ["operations", "facts"],
};

const problems: string[] = [];
for (const file of walk(SRC)) {
  const layer = path.relative(SRC, file).split(path.sep)[0];
  const allowed = ALLOWED[layer];
  if (!allowed) continue;
  const text = Deno.readTextFileSync(file);
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
  Deno.exit(1);
}
console.log("layering: ok");

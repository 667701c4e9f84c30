/**
 * `deno task fixtures [DIR...] [--json] [--filter TEXT]`: runs pyinfra's JSON cases
 * (operations and facts) against tsinfra's catalogue, byte for byte.
 *
 * Default DIRs: ../shared/reference/pyinfra-fixtures and tests/fixtures.
 * Exit status: 0 when no case of an implemented operation or fact fails, else 1.
 *
 * @module
 */
import * as path from "node:path";
import { BUILTIN_CATALOGUE } from "../src/catalogue.ts";
import { type CaseResult, runFactCase, runOperationCase } from "./fixtures/cases.ts";
import { camelCase } from "./fixtures/python.ts";
import { FIXTURE_SKIPS } from "../tests/fixture_skips.ts";
import { setOptionTypeChecks } from "../src/core/option_types.ts";

const ROOT = path.resolve(import.meta.dirname!, "..");
/** pyinfra's cases: $TSINFRA_PYINFRA_FIXTURES, else ../shared beside the checkout, else /work/shared. */
function pyinfraFixtures(): string | undefined {
  const candidates = [
    Deno.env.get("TSINFRA_PYINFRA_FIXTURES"),
    path.resolve(ROOT, "../shared/reference/pyinfra-fixtures"),
    "/work/shared/reference/pyinfra-fixtures",
  ];
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      if (Deno.statSync(path.join(candidate, "operations")).isDirectory) return candidate;
    } catch {
      // try the next place
    }
  }
  return undefined;
}

/** pyinfra module names that tsinfra spells differently. */
const MODULE_ALIASES: Record<string, string> = { python: "js", postgresql: "postgres" };

interface Row {
  passed: number;
  failed: number;
  skipped: number;
  missing: number;
}

function operationFor(folder: string) {
  const [module, name] = folder.split(".");
  const ops = BUILTIN_CATALOGUE.operations;
  const candidates = [
    `${module}.${camelCase(name)}`,
    `${MODULE_ALIASES[module] ?? module}.${camelCase(name)}`,
  ];
  for (const candidate of candidates) {
    const op = ops.get(candidate);
    if (op) return op;
  }
  return undefined;
}

function listDirs(dir: string): string[] {
  try {
    return [...Deno.readDirSync(dir)].filter((e) => e.isDirectory).map((e) => e.name).sort();
  } catch {
    return [];
  }
}

async function main(argv: string[]): Promise<number> {
  // pyinfra's cases pass Python values and expect pyinfra's errors (see option_types.ts).
  setOptionTypeChecks(false);
  const json = argv.includes("--json");
  const filterAt = argv.indexOf("--filter");
  const filter = filterAt >= 0 ? argv[filterAt + 1] : undefined;
  const dirs = argv.filter((a, i) => !a.startsWith("--") && argv[i - 1] !== "--filter");
  let roots = dirs.map((d) => path.resolve(d));
  let pyinfra: string | undefined;
  if (!roots.length) {
    pyinfra = pyinfraFixtures();
    if (!pyinfra) {
      const message = "pyinfra's fixtures were not found (set TSINFRA_PYINFRA_FIXTURES)";
      if (Deno.env.get("CI") === "true") {
        console.error(`error: ${message}`);
        return 1;
      }
      console.error(`warning: ${message}; running tests/fixtures only`);
    }
    roots = [...(pyinfra ? [pyinfra] : []), path.resolve(ROOT, "tests/fixtures")];
  }

  const table = new Map<string, Row>();
  const failures: string[] = [];
  const skips: string[] = [];
  const missing = new Set<string>();
  /** pyinfra's own cases (the shared conformance suite), as opposed to tests/fixtures. */
  const shared = { passed: 0, total: 0 };
  const row = (module: string) => {
    let r = table.get(module);
    if (!r) table.set(module, r = { passed: 0, failed: 0, skipped: 0, missing: 0 });
    return r;
  };

  for (const root of roots) {
    for (const kind of ["operations", "facts"] as const) {
      for (const folder of listDirs(path.join(root, kind))) {
        if (filter && !folder.includes(filter)) continue;
        const module = folder.split(".")[0];
        const casesDir = path.join(root, kind, folder);
        const files = [...Deno.readDirSync(casesDir)]
          .filter((e) => e.isFile && e.name.endsWith(".json")).map((e) => e.name).sort();
        const target = kind === "operations"
          ? operationFor(folder)
          : BUILTIN_CATALOGUE.facts.get(folder);
        for (const file of files) {
          const id = `${folder}/${file.replace(/\.json$/, "")}`;
          if (!target) {
            row(module).missing++;
            missing.add(`${kind === "operations" ? "operation" : "fact"} ${folder}`);
            continue;
          }
          const skip = FIXTURE_SKIPS[id];
          let result: CaseResult;
          if (skip) result = { status: "skipped", reason: skip };
          else {
            const data = JSON.parse(await Deno.readTextFile(path.join(casesDir, file)));
            result = kind === "operations"
              ? await runOperationCase(target as Parameters<typeof runOperationCase>[0], data)
              : runFactCase(target as Parameters<typeof runFactCase>[0], data);
          }
          row(module)[result.status]++;
          if (root === pyinfra) {
            shared.total++;
            if (result.status === "passed") shared.passed++;
          }
          if (result.status === "failed") failures.push(`FAIL ${id}\n${result.detail}`);
          if (result.status === "skipped") skips.push(`skip ${id}: ${result.reason}`);
        }
      }
    }
  }

  const totals = [...table.values()].reduce(
    (a, r) => ({
      passed: a.passed + r.passed,
      failed: a.failed + r.failed,
      skipped: a.skipped + r.skipped,
      missing: a.missing + r.missing,
    }),
    { passed: 0, failed: 0, skipped: 0, missing: 0 },
  );

  if (json) {
    console.log(JSON.stringify(
      {
        modules: Object.fromEntries([...table.entries()].sort()),
        totals,
        shared,
        failures,
        skips,
        missing: [...missing].sort(),
      },
      null,
      2,
    ));
  } else {
    for (const failure of failures) console.log(failure);
    if (skips.length) console.log("\n" + skips.join("\n"));
    if (missing.size) {
      console.log(
        `\nmissing (not in tsinfra yet, ${totals.missing} cases): ${
          [...missing].sort().join(", ")
        }`,
      );
    }
    console.log("\nmodule        passed  failed  skipped  missing");
    for (const [module, r] of [...table.entries()].sort()) {
      console.log(
        `${module.padEnd(12)} ${String(r.passed).padStart(7)} ${String(r.failed).padStart(7)} ${
          String(r.skipped).padStart(8)
        } ${String(r.missing).padStart(8)}`,
      );
    }
    console.log(
      `\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped` +
        (totals.missing ? ` (${totals.missing} missing)` : ""),
    );
    if (shared.total) {
      console.log(
        `pyinfra's shared cases: ${shared.passed} of ${shared.total} pass byte for byte (${
          (100 * shared.passed / shared.total).toFixed(1)
        }%)`,
      );
    }
  }
  return totals.failed ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));

/**
 * `deno task api-diff`: compares tsinfra's catalogue with pyinfra's
 * (../shared/reference/pyinfra-api.json) and prints every operation, fact or argument
 * pyinfra has and tsinfra lacks, and every default that differs. Differences with a
 * reason in scripts/catalog/api_exceptions.ts are listed apart. With `--check` the exit
 * status is 1 when anything is missing without a reason.
 *
 * @module
 */
import * as path from "node:path";
import { type CatalogOperation, loadCatalog } from "./catalog/catalog.ts";
import { API_EXCEPTIONS } from "./catalog/api_exceptions.ts";

const ROOT = path.resolve(import.meta.dirname!, "..");

/** pyinfra module names that tsinfra spells differently. */
const MODULES: Record<string, string> = { python: "js", postgresql: "postgres" };

interface PyArg {
  name: string;
  default: string | null;
}

interface PyApi {
  operations: Record<string, { args: PyArg[] }>;
  facts: Record<string, { args?: PyArg[] }>;
}

function camel(name: string): string {
  const lead = name.startsWith("_") ? "_" : "";
  return lead + name.slice(lead.length).replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function findApi(): string | undefined {
  for (
    const candidate of [
      Deno.env.get("TSINFRA_PYINFRA_API"),
      path.resolve(ROOT, "../shared/reference/pyinfra-api.json"),
      "/work/shared/reference/pyinfra-api.json",
    ]
  ) {
    if (!candidate) continue;
    try {
      if (Deno.statSync(candidate).isFile) return candidate;
    } catch {
      // next
    }
  }
  return undefined;
}

/** pyinfra's default (a Python expression) as a comparable JSON value; undefined = required. */
export function pythonDefault(text: string | null): unknown {
  if (text === null) return undefined;
  if (text === "None") return null;
  if (text === "True") return true;
  if (text === "False") return false;
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  const json = text.replace(/^\((.*)\)$/s, "[$1]").replace(/'/g, '"').replace(/,\s*]$/, "]")
    .replace(/\bTrue\b/g, "true").replace(/\bFalse\b/g, "false").replace(/\bNone\b/g, "null");
  try {
    return JSON.parse(json);
  } catch {
    return text;
  }
}

/** tsinfra's documented default as a comparable value; undefined when not documented. */
export function tsDefault(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text.trim());
  } catch {
    return text.trim();
  }
}

function sameDefault(py: unknown, ts: unknown): boolean {
  if (py === null) return true; // pyinfra's None often stands for a computed default
  return JSON.stringify(py) === JSON.stringify(ts);
}

function tsName(pyName: string): string {
  const [module, name] = pyName.split(".");
  return `${MODULES[module] ?? module}.${pyName.includes(".") ? camel(name) : ""}`;
}

/** One difference: a stable key (for the exceptions list) and a line to print. */
interface Difference {
  key: string;
  text: string;
}

function compareOperation(pyName: string, args: PyArg[], op: CatalogOperation): Difference[] {
  const out: Difference[] = [];
  const options = new Map(op.options.map((o) => [o.name, o]));
  for (const arg of args) {
    const name = camel(arg.name);
    if (!op.argNames.includes(name) && !options.has(name)) {
      out.push({
        key: `argument ${op.name}.${name}`,
        text: `argument  ${op.name}: ${name} (pyinfra ${pyName}(${arg.name}=${
          arg.default ?? "..."
        }))`,
      });
      continue;
    }
    const py = pythonDefault(arg.default);
    if (py === undefined) continue;
    const option = options.get(name);
    const ts = tsDefault(option?.default);
    if (!sameDefault(py, ts)) {
      out.push({
        key: `default ${op.name}.${name}`,
        text: `default   ${op.name}: ${name} is ${
          option?.default === undefined ? "not documented" : option.default
        }, pyinfra ${arg.default}`,
      });
    }
  }
  return out;
}

async function main(argv: string[]): Promise<number> {
  const apiPath = findApi();
  if (!apiPath) {
    console.error("error: pyinfra-api.json not found (set TSINFRA_PYINFRA_API)");
    return 2;
  }
  const api = JSON.parse(await Deno.readTextFile(apiPath)) as PyApi;
  const catalog = await loadCatalog();
  const operations = new Map(catalog.operations.map((o) => [o.name, o]));
  const facts = new Map(catalog.facts.map((f) => [f.name, f]));
  const differences: Difference[] = [];

  for (const [pyName, spec] of Object.entries(api.operations).sort()) {
    const name = tsName(pyName);
    const op = operations.get(name);
    if (!op) {
      differences.push({ key: `operation ${name}`, text: `operation ${name} (pyinfra ${pyName})` });
      continue;
    }
    // pyinfra's postgresql module is an alias of postgres: compared once.
    if (pyName.startsWith("postgresql.")) continue;
    differences.push(...compareOperation(pyName, spec.args, op));
  }
  for (const [pyName, spec] of Object.entries(api.facts).sort()) {
    const fact = facts.get(pyName);
    if (!fact) {
      differences.push({ key: `fact ${pyName}`, text: `fact      ${pyName}` });
      continue;
    }
    const have = new Set(fact.argNames.map(camel));
    for (const arg of spec.args ?? []) {
      if (!have.has(camel(arg.name))) {
        differences.push({
          key: `fact-argument ${pyName}.${arg.name}`,
          text: `argument  ${pyName}: ${arg.name}`,
        });
      }
    }
  }

  const missing = differences.filter((d) => !(d.key in API_EXCEPTIONS));
  const excused = differences.filter((d) => d.key in API_EXCEPTIONS);
  const pyOps = Object.keys(api.operations).length;
  const pyFacts = Object.keys(api.facts).length;
  if (argv.includes("--json")) {
    console.log(
      JSON.stringify(
        { missing, excused: excused.map((d) => ({ ...d, reason: API_EXCEPTIONS[d.key] })) },
        null,
        2,
      ),
    );
  } else {
    console.log(
      `pyinfra: ${pyOps} operations, ${pyFacts} facts; tsinfra: ${catalog.operations.length} operations, ${catalog.facts.length} facts`,
    );
    if (missing.length) {
      console.log(`\nMissing or different in tsinfra (${missing.length}):`);
      for (const d of missing) console.log(`  ${d.text}`);
    } else console.log("\nNothing missing.");
    if (excused.length) {
      console.log(`\nDifferences with a reason (${excused.length}):`);
      for (const d of excused) console.log(`  ${d.text}\n      ${API_EXCEPTIONS[d.key]}`);
    }
  }
  return argv.includes("--check") && missing.length ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));

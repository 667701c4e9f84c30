/**
 * The verbs that run operations: deploy files, one operation from the command line,
 * and `exec -- COMMAND`. Prepare, show what will change, ask, execute, print results.
 *
 * @module
 */
import * as nodePath from "node:path";
import { BUILTIN_CATALOGUE } from "../catalogue.ts";
import { type Catalogue, mergeCatalogues } from "../core/catalogue.ts";
import { ArgumentError, EXIT } from "../core/errors.ts";
import { EventBus } from "../core/events.ts";
import { deployDirOf } from "../runner/session.ts";
import { runDeploy } from "../runner/run.ts";
import type { DeploySpec } from "../runner/protocol.ts";
import type { RunReport } from "../runner/report.ts";
import { customModuleFile, loadCustomModule } from "../loader/custom_modules.ts";
import { scanLibraryImports } from "../loader/scan.ts";
import type { Output } from "./output.ts";
import { printProposedChanges, printResults } from "./summary.ts";
import { findOperation, parseOperationArguments } from "./adhoc.ts";
import { askSecret, confirm } from "./prompt.ts";
import { interruptSignal } from "./interrupt.ts";
import { argumentDefaults, type CliOptions, connectionData, parseData } from "./program.ts";

const encoder = new TextEncoder();
const writeStdout = (text: string) => Deno.stdout.writeSync(encoder.encode(text));

/**
 * Turns the OPERATIONS words into what to run; an operation is looked up in `catalogue`,
 * or in the user module its name points to (`mymodule.myOp`: `./mymodule.ts`).
 */
export async function specOf(
  operations: string[],
  cwd: string,
  catalogue: Catalogue = BUILTIN_CATALOGUE,
): Promise<DeploySpec> {
  const [verb, ...rest] = operations;
  if (verb === "exec") {
    const command = rest.join(" ");
    if (!command) {
      throw new ArgumentError("exec needs a command: tsinfra INVENTORY exec -- COMMAND");
    }
    return { kind: "exec", command };
  }
  if (operations.every((o) => /\.(ts|js|mjs|tsx)$/.test(o))) {
    const files = operations.map((f) => nodePath.resolve(cwd, f));
    for (const [i, file] of files.entries()) {
      try {
        if (!Deno.statSync(file).isFile) throw new Error();
      } catch {
        throw new ArgumentError(`Deploy file not found: ${operations[i]}`);
      }
    }
    return { kind: "files", files };
  }
  if (/^[a-z_0-9]+\.[A-Za-z_0-9]+$/i.test(verb)) {
    const module = customModuleFile(verb, cwd, catalogue);
    const known = module ? mergeCatalogues(await loadCustomModule(module), catalogue) : catalogue;
    const operation = findOperation(verb, known);
    const input = parseOperationArguments(operation, rest);
    operation.splitArguments({ ...input }, "the command line");
    return { kind: "operation", name: operation.operationName, input, module };
  }
  throw new ArgumentError(`Not a deploy file, operation or verb: ${verb}`);
}

/** `--debug-facts`: what each host read at prepare, from the facts the engine reported. */
function factLog(events: EventBus): Map<string, string[]> {
  const log = new Map<string, string[]>();
  events.on((event) => {
    if (event.type !== "factLoaded") return;
    const lines = log.get(event.host) ?? [];
    lines.push(`${event.fact}${event.args ? ` (${event.args})` : ""}`);
    for (const l of (event.output ?? "").replace(/\n$/, "").split("\n").filter(Boolean)) {
      lines.push(`    ${l}`);
    }
    log.set(event.host, lines);
  });
  return log;
}

function printOperations(out: Output, plan: RunReport): void {
  out.heading("Operations after prepare:");
  for (const [host, report] of Object.entries(plan.hosts)) {
    out.line(`    [${host}]`);
    for (const op of report.operations) {
      out.line(`        ${op.name} (${op.callSite}): ${op.status}`);
      for (const c of op.commands) out.line(`            >>> ${c}`);
    }
  }
}

/** Runs deploy files, an operation or exec; returns the exit status. */
export async function deployVerb(
  inventoryText: string,
  operations: string[],
  options: CliOptions,
  out: Output,
): Promise<number> {
  const cwd = Deno.cwd();
  const spec = await specOf(operations, cwd);
  const isExec = spec.kind === "exec";
  const events = new EventBus();
  if (!options.json) events.on(out.handle);
  const facts = options.debugFacts ? factLog(events) : undefined;
  const debugOnly = options.debugFacts || options.debugOperations;
  const deployFiles = spec.kind === "files" ? spec.files : [];
  // Another version of the library imported by URL or path: said once, here.
  for (const warning of await scanLibraryImports(deployFiles)) {
    events.emit({ type: "warning", message: warning });
  }

  if (options.sudoPassword === true) {
    if (!Deno.stdin.isTerminal()) {
      throw new ArgumentError(
        "--sudo-password without a value asks on a terminal; give the password, or run from a terminal",
      );
    }
    options.sudoPassword = await askSecret("sudo password: ");
  }
  const yes = options.yes || Deno.env.get("TSINFRA_YES") === "1";
  const signal = interruptSignal();
  const { report, approved } = await runDeploy({
    inventory: inventoryText,
    spec,
    catalogue: BUILTIN_CATALOGUE,
    connectorModule: options.connectors,
    deployDir: deployDirOf(deployFiles, cwd),
    cwd,
    data: { ...parseData(options.data), ...connectionData(options) },
    limit: options.limit,
    argumentDefaults: argumentDefaults(options),
    configFile: options.config,
    groupDataDir: options.groupData,
    workers: options.workers,
    events,
    dry: options.dry || debugOnly,
    diff: options.diff,
    // exec shows its output live, once, at every verbosity; deploys from -vvv.
    streamOutput: isExec || options.verbose >= 3,
    parallel: options.parallel,
    serial: options.serial,
    noWait: !options.wait,
    failPercent: options.failPercent,
    signal,
    onPrepared: (plan) => {
      if (options.json) return;
      if (debugOnly) {
        for (const [host, lines] of facts ?? []) {
          out.heading(`Facts read by ${host}:`);
          for (const l of lines) out.line(`    ${l}`);
        }
        if (options.debugOperations) printOperations(out, plan);
        return;
      }
      if (!isExec) printProposedChanges(out, plan, options.verbose, options.dry);
    },
    approve: async () => {
      if (yes || isExec) return true;
      if (!Deno.stdin.isTerminal()) {
        throw new ArgumentError(
          "Changes need approval: run from a terminal to be asked, or pass -y (--yes, or TSINFRA_YES=1) to apply them; --dry only shows them",
        );
      }
      return await confirm("Apply these changes?");
    },
  });
  if (!approved) {
    out.line("Stopped: nothing was changed.");
    if (options.json) writeStdout(JSON.stringify(report, null, 2) + "\n");
    return EXIT.INTERRUPTED;
  }
  if (!options.json && !options.dry && !debugOnly) printResults(out, report);
  if (options.json) writeStdout(JSON.stringify(report, null, 2) + "\n");
  if (signal.aborted) return EXIT.INTERRUPTED;
  return report.success ? EXIT.SUCCESS : EXIT.HOST_FAILED;
}

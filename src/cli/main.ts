/**
 * The `tsinfra` command: `tsinfra [options] INVENTORY OPERATIONS...`, `tsinfra init`,
 * `tsinfra help [NAME]`.
 *
 * OPERATIONS is one or more deploy files, one operation (`files.directory path=/x`),
 * `exec -- CMD`, `fact module.Fact [args]` or `debug-inventory`. Each verb is its own
 * module, loaded only when it runs: `--help` and `help` load neither ssh2 nor the
 * catalogue.
 * Exit status: 0 success, 1 a host failed, 2 bad usage or input, 130 interrupted or
 * declined at the approval prompt.
 *
 * @module
 */
import { ArgumentError, EXIT, TsinfraError } from "../core/errors.ts";
import { mapUserLocations } from "../loader/source_map.ts";
import { Output } from "./output.ts";
import { buildProgram, type CliOptions, parseCommand } from "./program.ts";

const encoder = new TextEncoder();
const writeStdout = (text: string) => Deno.stdout.writeSync(encoder.encode(text));
const writeStderr = (text: string) => Deno.stderr.writeSync(encoder.encode(text));

/**
 * `tsinfra help [NAME]`, or `--help` after a verb, operation or fact name: the name to
 * explain ("" for the overview), else undefined (general help is commander's).
 */
function helpRequest(argv: string[]): string | undefined {
  if (argv[0] === "help") return argv[1] ?? "";
  if (!argv.includes("--help") && !argv.includes("-h")) return undefined;
  // These verbs print their own usage (commander's).
  if (["plan", "merge", "emit"].includes(argv[0]) || argv.includes("--manifest")) return undefined;
  const words = argv.slice(0, argv.indexOf("--") < 0 ? undefined : argv.indexOf("--"))
    .filter((a) => !a.startsWith("-"));
  if (words[0] === "init") return "init";
  const verb = words.slice(1).find((w) =>
    ["exec", "fact", "debug-inventory"].includes(w) || /^[a-z_0-9]+\.[A-Za-z_0-9]+$/.test(w)
  );
  if (verb) return verb;
  return words.slice(1).some((w) => /\.(ts|js)$/.test(w)) ? "deploy" : undefined;
}

/**
 * The verbs that take no inventory: `init`, and sharded runs (`plan`, a shard run with
 * `--manifest`, `merge`, `emit`). Each parses its own arguments.
 */
function standaloneVerb(argv: string[]): (() => Promise<number>) | undefined {
  const rest = argv.slice(1);
  switch (argv[0]) {
    case "init":
      return async () => (await import("./init.ts")).initVerb(rest);
    case "plan":
      return async () => (await import("./plan.ts")).planVerb(rest);
    case "merge":
      return async () => (await import("./merge.ts")).mergeVerb(rest);
    case "emit":
      return async () => (await import("./emit.ts")).emitVerb(rest);
  }
  if (argv.some((a) => a === "--manifest" || a.startsWith("--manifest="))) {
    return async () => (await import("./shard_run.ts")).shardRunVerb(argv);
  }
  return undefined;
}

/** Runs the CLI with these arguments; returns the exit status. */
export async function main(argv: string[]): Promise<number> {
  const verbHelp = helpRequest(argv);
  if (verbHelp !== undefined) {
    const { helpFor } = await import("./help.ts");
    const text = helpFor(verbHelp);
    if (!text) {
      writeStderr(`tsinfra: no help for ${verbHelp}: not a verb, module, operation or fact\n`);
      return EXIT.BAD_INPUT;
    }
    writeStdout(text + "\n");
    return EXIT.SUCCESS;
  }
  const standalone = standaloneVerb(argv);
  if (standalone) {
    try {
      return await standalone();
    } catch (error) {
      if (!(error instanceof TsinfraError)) throw error;
      writeStderr(`tsinfra: ${error.message}\n`);
      return error.exitCode;
    }
  }
  const program = buildProgram();
  const ended = parseCommand(program, argv);
  if (ended !== undefined) return ended;
  const [inventoryText, operations] = program.processedArgs as [string, string[]];
  const options = program.opts<CliOptions>();
  const out = new Output({
    verbosity: options.verbose,
    write: options.json ? writeStderr : writeStdout,
    progress: !options.json && Deno.stderr.isTerminal() && Deno.stdout.isTerminal(),
    colours: options.json ? Deno.stderr.isTerminal() : Deno.stdout.isTerminal(),
    streaming: operations[0] === "exec" || options.verbose >= 3,
    quiet: options.quiet,
  });
  try {
    if (options.chdir !== undefined) changeDirectory(options.chdir);
    return await runVerb(inventoryText, operations, options, out);
  } catch (error) {
    out.close();
    const exitCode = error instanceof TsinfraError ? error.exitCode : EXIT.BAD_INPUT;
    const message = error instanceof Error ? error.message : String(error);
    writeStderr(`${out.style.red("tsinfra: error:")} ${mapUserLocations(message)}\n`);
    if (options.debug && error instanceof Error && error.stack) {
      writeStderr(mapUserLocations(error.stack) + "\n");
    }
    if (options.json) {
      writeStdout(
        JSON.stringify({ version: 1, success: false, error: mapUserLocations(message) }) + "\n",
      );
    }
    return exitCode;
  } finally {
    out.close();
  }
}

function changeDirectory(dir: string): void {
  try {
    Deno.chdir(dir);
  } catch {
    throw new ArgumentError(`--chdir: no such folder: ${dir}`);
  }
}

async function runVerb(
  inventoryText: string,
  operations: string[],
  options: CliOptions,
  out: Output,
): Promise<number> {
  if (!operations.length) {
    throw new ArgumentError(
      "Missing OPERATIONS: give a deploy file, an operation, exec -- CMD, fact NAME or debug-inventory",
    );
  }
  const [verb, ...rest] = operations;
  if (verb === "debug-inventory") {
    const { debugInventoryVerb } = await import("./debug_inventory.ts");
    return await debugInventoryVerb(inventoryText, options, out);
  }
  if (verb === "fact") {
    const { factVerb } = await import("./fact.ts");
    return await factVerb(inventoryText, rest, options, out);
  }
  const { deployVerb } = await import("./deploy.ts");
  return await deployVerb(inventoryText, operations, options, out);
}

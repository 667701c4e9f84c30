/**
 * The `tsinfra` command: `tsinfra [options] INVENTORY OPERATIONS...`.
 *
 * OPERATIONS is one or more deploy files, one operation (`files.directory path=/x`),
 * `exec -- CMD`, `fact module.Fact [args]` or `debug-inventory`.
 * Exit status: 0 success, 1 a host failed, 2 bad usage or input, 130 interrupted or
 * declined at the approval prompt.
 *
 * @module
 */
import * as nodePath from "node:path";
import { Command, CommanderError } from "../deps.ts";
import "../operations/mod.ts";
import "../facts/mod.ts";
import { VERSION } from "../version.ts";
import { EventBus } from "../core/events.ts";
import { ArgumentError, EXIT, TsinfraError } from "../core/errors.ts";
import type { GlobalArgumentsInput } from "../core/arguments.ts";
import { mapUserLocations } from "../loader/source_map.ts";
import { connectorFor } from "../connectors/mod.ts";
import { connectHosts, deployDirOf, openSession, type Session } from "../runner/session.ts";
import { runDeploy } from "../runner/run.ts";
import type { DeploySpec } from "../runner/protocol.ts";
import { Output } from "./output.ts";
import { printProposedChanges, printResults } from "./summary.ts";
import {
  findFact,
  findOperation,
  parseCliValue,
  parseFactArguments,
  parseOperationArguments,
} from "./adhoc.ts";
import { askSecret, confirm } from "./prompt.ts";
import { helpFor } from "./help.ts";

/** Parsed command-line options. */
export interface CliOptions {
  verbose: number;
  yes: boolean;
  dry: boolean;
  diff: boolean;
  json: boolean;
  limit: string[];
  data: string[];
  parallel?: number;
  serial: boolean;
  wait: boolean;
  failPercent?: number;
  workers?: number;
  user?: string;
  port?: number;
  key?: string;
  keyPassword?: string;
  password?: string;
  sudoPassword?: string | boolean;
  sudo: boolean;
  sudoUser?: string;
  su?: string;
  shellExecutable?: string;
  debug: boolean;
}

function positiveNumber(flag: string) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) {
      throw new ArgumentError(`${flag} takes a number, got ${value}`);
    }
    return n;
  };
}

function buildProgram(): Command {
  return new Command("tsinfra")
    .usage("[options] INVENTORY OPERATIONS...")
    .description(
      "Deploy to servers with TypeScript, agentless, over SSH, docker, chroot or the local shell.\n\n" +
        "OPERATIONS is a deploy file (deploy.ts ...), one operation (files.directory path=/tmp/x),\n" +
        "exec -- COMMAND, fact module.Fact [key=value ...], or debug-inventory.\n\n" +
        "Exit status: 0 success, 1 a host failed, 2 bad usage or input, 130 stopped by the user.",
    )
    .argument("<inventory>", "inventory file, or inline hosts: @local, host1,host2")
    .argument("[operations...]", "deploy files, an operation, exec, fact or debug-inventory")
    .version(VERSION, "-V, --version", "print the version")
    .option(
      "-v, --verbose",
      "more output: -v commands, -vv facts, -vvv live output",
      (_: string, n: number) => n + 1,
      0,
    )
    .option("-y, --yes", "run without asking for approval", false)
    .option("--dry", "show what would change and stop", false)
    .option("--diff", "show a diff of files that will change", false)
    .option("--json", "write one JSON document of the results to stdout", false)
    .option(
      "--limit <pattern>",
      "only hosts or groups matching (glob; repeatable)",
      (v: string, p: string[]) => [...p, v],
      [],
    )
    .option(
      "--data <key=value>",
      "override host data (repeatable)",
      (v: string, p: string[]) => [...p, v],
      [],
    )
    .option(
      "--parallel <n>",
      "at most N hosts run an operation at once",
      positiveNumber("--parallel"),
    )
    .option("--serial", "run hosts one after another", false)
    .option("--no-wait", "do not wait for all hosts between operations")
    .option(
      "--fail-percent <n>",
      "stop when more than N% of hosts failed",
      positiveNumber("--fail-percent"),
    )
    .option(
      "--workers <n>",
      "worker threads (default: one per core; 0 runs in the main thread)",
      positiveNumber("--workers"),
    )
    .option("--user <user>", "SSH user (host data sshUser)")
    .option("--port <port>", "SSH port (host data sshPort)", positiveNumber("--port"))
    .option("--key <file>", "SSH private key file (host data sshKey)")
    .option("--key-password <password>", "password of the SSH key (host data sshKeyPassword)")
    .option("--password <password>", "SSH password (host data sshPassword)")
    .option(
      "--sudo-password [password]",
      "sudo's password; without a value, asked once on the terminal",
    )
    .option("--sudo", "run every operation with sudo", false)
    .option("--sudo-user <user>", "sudo to this user")
    .option("--su <user>", "su to this user")
    .option("--shell-executable <shell>", "shell that runs commands")
    .option("--debug", "print stack traces of errors", false)
    .showHelpAfterError("(run tsinfra --help for usage)")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => Deno.stdout.writeSync(new TextEncoder().encode(text)),
      writeErr: (text) => Deno.stderr.writeSync(new TextEncoder().encode(text)),
    });
}

function parseData(pairs: string[]): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new ArgumentError(`--data takes key=value, got ${pair}`);
    data[pair.slice(0, at)] = parseCliValue(pair.slice(at + 1));
  }
  return data;
}

/** Host data the SSH flags set, over every other data layer (pyinfra's override data). */
function connectionData(options: CliOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (options.user) out.sshUser = options.user;
  if (options.port) out.sshPort = options.port;
  if (options.key) out.sshKey = options.key;
  if (options.keyPassword) out.sshKeyPassword = options.keyPassword;
  if (options.password) out.sshPassword = options.password;
  return out;
}

function argumentDefaults(options: CliOptions): GlobalArgumentsInput {
  const out: GlobalArgumentsInput = {};
  if (typeof options.sudoPassword === "string") out._sudoPassword = options.sudoPassword;
  if (options.sudo) out._sudo = true;
  if (options.sudoUser) out._sudoUser = options.sudoUser;
  if (options.su) out._suUser = options.su;
  if (options.shellExecutable) out._shellExecutable = options.shellExecutable;
  return out;
}

/**
 * `tsinfra help NAME`, or `--help` after a verb, operation or fact name: the name to
 * explain, else undefined (general help is commander's).
 */
function helpRequest(argv: string[]): string | undefined {
  if (argv[0] === "help" && argv[1]) return argv[1];
  if (!argv.includes("--help") && !argv.includes("-h")) return undefined;
  const words = argv.slice(0, argv.indexOf("--") < 0 ? undefined : argv.indexOf("--"))
    .filter((a) => !a.startsWith("-"));
  const verb = words.slice(1).find((w) =>
    ["exec", "fact", "debug-inventory"].includes(w) || /^[a-z_0-9]+\.[A-Za-z_0-9]+$/.test(w)
  );
  if (verb) return verb;
  return words.slice(1).some((w) => /\.(ts|js)$/.test(w)) ? "deploy" : undefined;
}

const encoder = new TextEncoder();
const writeStdout = (text: string) => Deno.stdout.writeSync(encoder.encode(text));
const writeStderr = (text: string) => Deno.stderr.writeSync(encoder.encode(text));

/** Runs the CLI with these arguments; returns the exit status. */
export async function main(argv: string[]): Promise<number> {
  const verbHelp = helpRequest(argv);
  if (verbHelp !== undefined) {
    const text = helpFor(verbHelp);
    if (!text) {
      writeStderr(`tsinfra: no help for ${verbHelp}: not a verb, operation or fact\n`);
      return EXIT.BAD_INPUT;
    }
    writeStdout(text + "\n");
    return EXIT.SUCCESS;
  }
  const program = buildProgram();
  let inventoryText: string;
  let operations: string[];
  let options: CliOptions;
  try {
    program.parse(argv, { from: "user" });
    [inventoryText, operations] = program.processedArgs as [string, string[]];
    options = program.opts<CliOptions>();
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.SUCCESS : EXIT.BAD_INPUT;
    }
    if (error instanceof ArgumentError) {
      writeStderr(`tsinfra: ${error.message}\n`);
      return EXIT.BAD_INPUT;
    }
    throw error;
  }
  const out = new Output({
    verbosity: options.verbose,
    write: options.json ? writeStderr : writeStdout,
    progress: !options.json && Deno.stderr.isTerminal() && Deno.stdout.isTerminal(),
    colours: options.json ? Deno.stderr.isTerminal() : Deno.stdout.isTerminal(),
  });
  try {
    return await runCli(inventoryText, operations, options, out);
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

async function runCli(
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
  const cwd = Deno.cwd();
  const [verb, ...rest] = operations;
  const events = new EventBus();
  if (!options.json) events.on(out.handle);
  let spec: DeploySpec;
  let deployFiles: string[] = [];
  if (verb === "debug-inventory") {
    const session = await openSessionFor(inventoryText, cwd, options, events);
    return debugInventory(session, options);
  } else if (verb === "fact") {
    return await factVerb(inventoryText, rest, cwd, options, events, out);
  } else if (verb === "exec") {
    const command = rest.join(" ");
    if (!command) {
      throw new ArgumentError("exec needs a command: tsinfra INVENTORY exec -- COMMAND");
    }
    spec = { kind: "exec", command };
  } else if (operations.every((o) => /\.(ts|js|mjs|tsx)$/.test(o))) {
    deployFiles = operations.map((f) => nodePath.resolve(cwd, f));
    for (const [i, file] of deployFiles.entries()) {
      try {
        if (!Deno.statSync(file).isFile) throw new Error();
      } catch {
        throw new ArgumentError(`Deploy file not found: ${operations[i]}`);
      }
    }
    spec = { kind: "files", files: deployFiles };
  } else if (/^[a-z_0-9]+\.[A-Za-z_0-9]+$/.test(verb)) {
    const operation = findOperation(verb);
    const input = parseOperationArguments(operation, rest);
    operation.splitArguments({ ...input }, "the command line");
    spec = { kind: "operation", name: operation.operationName, input };
  } else {
    throw new ArgumentError(`Not a deploy file, operation or verb: ${verb}`);
  }

  if (options.sudoPassword === true) {
    if (!Deno.stdin.isTerminal()) {
      throw new ArgumentError(
        "--sudo-password without a value asks on a terminal; give the password, or run from a terminal",
      );
    }
    options.sudoPassword = await askSecret("sudo password: ");
  }
  const { report, approved } = await runDeploy({
    inventory: inventoryText,
    spec,
    deployDir: deployDirOf(deployFiles, cwd),
    cwd,
    data: { ...parseData(options.data), ...connectionData(options) },
    limit: options.limit,
    argumentDefaults: argumentDefaults(options),
    workers: options.workers,
    events,
    dry: options.dry,
    diff: options.diff,
    streamOutput: options.verbose >= 3,
    parallel: options.parallel,
    serial: options.serial,
    noWait: !options.wait,
    failPercent: options.failPercent,
    onPrepared: (plan) => {
      if (!options.json) printProposedChanges(out, plan, options.verbose, options.dry);
    },
    approve: async () => {
      if (options.yes || verb === "exec") return true;
      if (!Deno.stdin.isTerminal()) {
        throw new ArgumentError(
          "Changes need approval: run from a terminal to be asked, or pass -y (--yes) to apply them; --dry only shows them",
        );
      }
      return await confirm("Apply these changes?");
    },
  });
  if (!approved) {
    out.line("Stopped: nothing was changed.");
    return EXIT.INTERRUPTED;
  }
  if (!options.json && !options.dry) {
    if (verb === "exec") {
      for (const [name, host] of Object.entries(report.hosts)) {
        for (const op of host.operations) {
          for (const l of (op.stdout + op.stderr).replace(/\n$/, "").split("\n").filter(Boolean)) {
            out.line(`    [${name}] ${l}`);
          }
        }
      }
    }
    printResults(out, report);
  }
  if (options.json) writeStdout(JSON.stringify(report, null, 2) + "\n");
  return report.success ? EXIT.SUCCESS : EXIT.HOST_FAILED;
}

function openSessionFor(inventoryText: string, cwd: string, options: CliOptions, events: EventBus) {
  return openSession({
    inventory: inventoryText,
    deployDir: cwd,
    data: { ...parseData(options.data), ...connectionData(options) },
    limit: options.limit,
    argumentDefaults: argumentDefaults(options),
    connectorFor,
    events,
  });
}

function debugInventory(session: Session, options: CliOptions): number {
  const hosts = Object.fromEntries(
    session.hosts.map((h) => [h.name, { groups: h.groups, data: h.data }]),
  );
  const text = JSON.stringify(
    hosts,
    (
      key,
      value,
    ) => (/password/i.test(key)
      ? "***"
      : typeof value === "function"
      ? `[function ${value.name}]`
      : value),
    2,
  );
  if (options.json) writeStdout(text + "\n");
  else {
    writeStdout(`--> Inventory ${session.spec.source}: ${session.hosts.length} host(s)\n`);
    writeStdout(text + "\n");
  }
  return EXIT.SUCCESS;
}

async function factVerb(
  inventoryText: string,
  words: string[],
  cwd: string,
  options: CliOptions,
  events: EventBus,
  out: Output,
): Promise<number> {
  if (!words.length) {
    throw new ArgumentError("fact needs a fact name: tsinfra INVENTORY fact server.LinuxName");
  }
  const requests: {
    fact: ReturnType<typeof findFact>;
    args: Record<string, unknown>;
    label: string;
  }[] = [];
  let current: { name: string; words: string[] } | undefined;
  const groups: { name: string; words: string[] }[] = [];
  for (const word of words) {
    if (/^[a-z_0-9]+\.[A-Z][A-Za-z0-9]*$/.test(word)) {
      groups.push(current = { name: word, words: [] });
    } else if (current) current.words.push(word);
    else throw new ArgumentError(`Not a fact name: ${word} (facts look like server.LinuxName)`);
  }
  for (const g of groups) {
    const fact = findFact(g.name);
    requests.push({
      fact,
      args: parseFactArguments(fact, g.words),
      label: [g.name, ...g.words].join(" "),
    });
  }
  const session = await openSessionFor(inventoryText, cwd, options, events);
  const failed = await connectHosts(session.hosts, events);
  const result: Record<string, Record<string, unknown>> = {};
  let ok = failed.size === 0;
  await Promise.all(
    session.hosts.filter((h) => !failed.has(h.name)).map(async (host) => {
      result[host.name] = {};
      for (const r of requests) {
        try {
          result[host.name][r.label] = await host.getFact(r.fact, r.args);
        } catch (error) {
          ok = false;
          result[host.name][r.label] = {
            error: error instanceof Error ? error.message : String(error),
          };
        }
      }
      await host.disconnect();
    }),
  );
  for (const [name, error] of failed) result[name] = { error: error } as Record<string, unknown>;
  const text = JSON.stringify(
    requests.length === 1
      ? Object.fromEntries(Object.entries(result).map(([h, v]) => [h, v[requests[0].label]]))
      : result,
    null,
    2,
  );
  if (!options.json) out.heading("Fact data:");
  writeStdout(text + "\n");
  return ok ? EXIT.SUCCESS : EXIT.HOST_FAILED;
}

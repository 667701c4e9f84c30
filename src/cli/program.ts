/**
 * The command line's options and how they become run options: commander's program,
 * `--data` pairs, the SSH flags (as host data) and the global-argument flags.
 *
 * @module
 */
import { Command, CommanderError, Option } from "../deps.ts";
import { VERSION } from "../version.ts";
import { ArgumentError, EXIT } from "../core/errors.ts";
import type { GlobalArgumentsInput } from "../core/arguments.ts";
import { parseCliValue } from "./adhoc.ts";

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
  /** pyinfra's spellings of the SSH flags. */
  sshUser?: string;
  sshPort?: number;
  sshKey?: string;
  sshKeyPassword?: string;
  sshPassword?: string;
  config?: string;
  chdir?: string;
  groupData?: string;
  /** A connector module: its default export maps inventory prefixes to connector factories. */
  connectors?: string;
  quiet: boolean;
  debugFacts: boolean;
  debugOperations: boolean;
}

/** A commander parser for a whole-number flag of at least `least`. */
export function wholeNumber(flag: string, least = 0) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < least) {
      throw new ArgumentError(
        `${flag} takes a whole number${least ? ` of at least ${least}` : ""}, got ${value}`,
      );
    }
    return n;
  };
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

export function buildProgram(): Command {
  return new Command("tsinfra")
    .usage("[options] INVENTORY OPERATIONS...")
    .description(
      "Deploy to servers with TypeScript, agentless, over SSH, docker, chroot or the local shell.\n\n" +
        "OPERATIONS is a deploy file (deploy.ts ...), one operation (files.directory path=/tmp/x),\n" +
        "exec -- COMMAND, fact module.Fact [key=value ...], or debug-inventory.\n" +
        "Split over machines: tsinfra plan, tsinfra --manifest M --shard i/n, tsinfra merge,\n" +
        "tsinfra emit (each with --help).\n\n" +
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
      "worker threads (default: one per 1,000 hosts, at most one per core, none below 2,000 hosts; 0 runs in the main thread)",
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
    .option("--config <file>", "config file to use instead of config.ts beside the deploy")
    .option("--chdir <dir>", "change to this folder before doing anything")
    .option("--group-data <dir>", "another group_data folder, read after the others")
    .option(
      "--connectors <module>",
      "a module whose default export maps connector prefixes (@name) to factories",
    )
    .option("-q, --quiet", "print only errors and the results", false)
    .option("--debug", "print stack traces of errors", false)
    .option("--debug-facts", "print the facts each host read at prepare, and stop", false)
    .option("--debug-operations", "print each host's operations after prepare, and stop", false)
    .addOption(new Option("--ssh-user <user>", "same as --user").hideHelp())
    .addOption(
      new Option("--ssh-port <port>", "same as --port").argParser(positiveNumber("--ssh-port"))
        .hideHelp(),
    )
    .addOption(new Option("--ssh-key <file>", "same as --key").hideHelp())
    .addOption(new Option("--ssh-key-password <password>", "same as --key-password").hideHelp())
    .addOption(new Option("--ssh-password <password>", "same as --password").hideHelp())
    .showHelpAfterError("(run tsinfra --help for usage)")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => Deno.stdout.writeSync(new TextEncoder().encode(text)),
      writeErr: (text) => Deno.stderr.writeSync(new TextEncoder().encode(text)),
    });
}

export function parseData(pairs: string[]): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new ArgumentError(`--data takes key=value, got ${pair}`);
    data[pair.slice(0, at)] = parseCliValue(pair.slice(at + 1));
  }
  return data;
}

/** Host data the SSH flags set, over every other data layer (pyinfra's override data). */
export function connectionData(options: CliOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const user = options.user ?? options.sshUser;
  const port = options.port ?? options.sshPort;
  const key = options.key ?? options.sshKey;
  const keyPassword = options.keyPassword ?? options.sshKeyPassword;
  const password = options.password ?? options.sshPassword;
  if (user) out.sshUser = user;
  if (port) out.sshPort = port;
  if (key) out.sshKey = key;
  if (keyPassword) out.sshKeyPassword = keyPassword;
  if (password) out.sshPassword = password;
  return out;
}

export function argumentDefaults(options: CliOptions): GlobalArgumentsInput {
  const out: GlobalArgumentsInput = {};
  if (typeof options.sudoPassword === "string") out._sudoPassword = options.sudoPassword;
  if (options.sudo) out._sudo = true;
  if (options.sudoUser) out._sudoUser = options.sudoUser;
  if (options.su) out._suUser = options.su;
  if (options.shellExecutable) out._shellExecutable = options.shellExecutable;
  return out;
}

/**
 * Parses `argv` with a verb's commander program. Returns an exit status when parsing
 * ended the verb (its `--help`: 0; a usage error, already printed: 2), else undefined.
 */
export function parseCommand(program: Command, argv: string[]): number | undefined {
  try {
    program.parse(argv, { from: "user" });
    return undefined;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.SUCCESS : EXIT.BAD_INPUT;
    }
    if (error instanceof ArgumentError) {
      Deno.stderr.writeSync(new TextEncoder().encode(`tsinfra: ${error.message}\n`));
      return EXIT.BAD_INPUT;
    }
    throw error;
  }
}

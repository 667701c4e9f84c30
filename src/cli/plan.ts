/**
 * `tsinfra plan INVENTORY OPERATIONS... (--shards N | --shard-size K) [--shard-key GROUP]
 * -o manifest.json`: freezes a sharded run into a manifest that each shard then runs
 * with `tsinfra --manifest manifest.json --shard i/n`.
 *
 * @module
 */
import * as nodePath from "node:path";
import { Command } from "../deps.ts";
import { VERSION } from "../version.ts";
import { ArgumentError, EXIT } from "../core/errors.ts";
import { EventBus } from "../core/events.ts";
import { connectorFor } from "../connectors/mod.ts";
import { deployDirOf, openSession } from "../runner/session.ts";
import { partitionHosts } from "../runner/partition.ts";
import {
  computeDigests,
  MANIFEST_SCHEMA_VERSION,
  type ManifestOptions,
  relativeTo,
  type ShardManifest,
  shardUnsafeUses,
  writeFileAtomic,
} from "../runner/manifest.ts";
import { specOf } from "./deploy.ts";
import { parseCommand, parseData, wholeNumber } from "./program.ts";

const encoder = new TextEncoder();
const writeStdout = (text: string) => Deno.stdout.writeSync(encoder.encode(text));
const writeStderr = (text: string) => Deno.stderr.writeSync(encoder.encode(text));

/** plan's flags: the options a manifest freezes, as given, and how to shard. */
interface PlanFlags extends ManifestOptions {
  shards?: number;
  shardSize?: number;
  shardKey: string[];
  output?: string;
}

const list = (v: string, p: string[]) => [...p, ...v.split(",").filter(Boolean)];

function planProgram(): Command {
  return new Command("tsinfra plan")
    .usage("INVENTORY OPERATIONS... (--shards N | --shard-size K) [--shard-key GROUP] -o FILE")
    .description(
      "Split a run over machines: write a manifest of shards, each run elsewhere with\n" +
        "`tsinfra --manifest FILE --shard i/n` and merged with `tsinfra merge`.\n\n" +
        "Exit status: 0 written, 2 bad usage or input.",
    )
    .argument("<inventory>", "inventory file, or inline hosts")
    .argument("<operations...>", "deploy files, or one operation")
    .option("--shards <n>", "the number of shards", wholeNumber("--shards"))
    .option("--shard-size <k>", "at most K hosts per shard", wholeNumber("--shard-size"))
    .option("--shard-key <group>", "keep this group's hosts in one shard (repeatable)", list, [])
    .option("-o, --output <file>", "where to write the manifest (default: stdout)")
    .option(
      "--data <key=value>",
      "override host data (repeatable)",
      (v, p: string[]) => [...p, v],
      [],
    )
    .option("--limit <pattern>", "only hosts or groups matching", (v, p: string[]) => [...p, v], [])
    .option("--sudo", "run every operation with sudo", false)
    .option("--sudo-user <user>", "sudo to this user")
    .option("--su <user>", "su to this user")
    .option("--shell-executable <shell>", "shell that runs commands")
    .option("--user <user>", "SSH user")
    .option("--port <port>", "SSH port", wholeNumber("--port"))
    .option("--key <file>", "SSH private key file (a shard may give its own --key)")
    .option("--parallel <n>", "at most N hosts run an operation at once", wholeNumber("--parallel"))
    .option("--serial", "run hosts one after another", false)
    .option("--no-wait", "do not wait for all hosts between operations")
    .option(
      "--fail-percent <n>",
      "stop a shard when more than N% of its hosts failed",
      wholeNumber("--fail-percent"),
    )
    .option("--config <file>", "config file instead of config.ts beside the deploy")
    .option("--group-data <dir>", "another group_data folder")
    .option("--connectors <module>", "a connector module (see tsinfra --help), for every shard")
    .exitOverride()
    .configureOutput({ writeOut: writeStdout, writeErr: writeStderr });
}

function frozenOptions(flags: PlanFlags, base: string, cwd: string): ManifestOptions {
  const options: ManifestOptions = {
    data: flags.data,
    limit: flags.limit,
    sudo: flags.sudo,
    serial: flags.serial,
    wait: flags.wait,
  };
  if (flags.sudoUser) options.sudoUser = flags.sudoUser;
  if (flags.su) options.su = flags.su;
  if (flags.shellExecutable) options.shellExecutable = flags.shellExecutable;
  if (flags.user) options.user = flags.user;
  if (flags.port !== undefined) options.port = flags.port;
  if (flags.key) options.key = relativeTo(base, nodePath.resolve(cwd, flags.key));
  if (flags.parallel !== undefined) options.parallel = flags.parallel;
  if (flags.failPercent !== undefined) options.failPercent = flags.failPercent;
  if (flags.config) options.config = relativeTo(base, nodePath.resolve(cwd, flags.config));
  if (flags.groupData) options.groupData = relativeTo(base, nodePath.resolve(cwd, flags.groupData));
  if (flags.connectors) {
    options.connectors = relativeTo(base, nodePath.resolve(cwd, flags.connectors));
  }
  return options;
}

/** Builds the manifest of a planned run (`base`: the folder the manifest will be in). */
export async function planRun(
  inventoryText: string,
  operations: string[],
  flags: PlanFlags,
  cwd: string,
  base: string,
): Promise<ShardManifest> {
  const spec = await specOf(operations, cwd);
  if (spec.kind === "exec") throw new ArgumentError("plan runs deploys and operations, not exec");
  const deployFiles = spec.kind === "files" ? spec.files : [];
  const deployDir = deployDirOf(deployFiles, cwd);
  if (!flags.shardKey.length) {
    const unsafe = shardUnsafeUses(deployFiles);
    if (unsafe.length) {
      throw new ArgumentError(
        `This deploy needs hosts of other shards, so it cannot be split by host alone:\n  ${
          unsafe.join("\n  ")
        }\nGive --shard-key GROUP to keep the hosts that depend on each other in one shard`,
      );
    }
  }
  const session = await openSession({
    inventory: inventoryText,
    deployDir,
    data: parseData(flags.data),
    limit: flags.limit,
    configFile: flags.config && nodePath.resolve(cwd, flags.config),
    groupDataDir: flags.groupData && nodePath.resolve(cwd, flags.groupData),
    connectorFor,
    events: new EventBus(),
    quiet: true,
  });
  const shards = partitionHosts(
    session.hosts.map((h) => ({ name: h.name, groups: h.groups })),
    { shards: flags.shards, shardSize: flags.shardSize, shardKey: flags.shardKey },
  );
  const inventoryIsFile = session.spec.dir !== undefined;
  const inventoryPath = inventoryIsFile ? nodePath.resolve(cwd, inventoryText) : inventoryText;
  const digests = computeDigests({
    base,
    inventory: inventoryPath,
    inventoryIsFile,
    deployFiles,
    deployDir,
    configFile: flags.config && nodePath.resolve(cwd, flags.config),
    groupDataDir: flags.groupData && nodePath.resolve(cwd, flags.groupData),
  });
  return {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    runId: crypto.randomUUID().replaceAll("-", "").slice(0, 12),
    tsinfraVersion: VERSION,
    createdAt: new Date().toISOString(),
    cwd: relativeTo(base, cwd),
    inventory: inventoryIsFile ? relativeTo(base, inventoryPath) : inventoryText,
    inventoryIsFile,
    operations: spec.kind === "files" ? deployFiles.map((f) => relativeTo(base, f)) : operations,
    digests,
    options: frozenOptions(flags, base, cwd),
    shardKey: flags.shardKey,
    hosts: session.hosts.map((h) => h.name),
    shards: shards.map((hosts, i) => ({ index: i + 1, hosts })),
  };
}

/** `tsinfra plan ...`; returns the exit status. */
export async function planVerb(argv: string[]): Promise<number> {
  const program = planProgram();
  const ended = parseCommand(program, argv);
  if (ended !== undefined) return ended;
  const [inventoryText, operations] = program.processedArgs as [string, string[]];
  const flags = program.opts<PlanFlags>();
  const cwd = Deno.cwd();
  const output = flags.output && nodePath.resolve(cwd, flags.output);
  const manifest = await planRun(
    inventoryText,
    operations,
    flags,
    cwd,
    output ? nodePath.dirname(output) : cwd,
  );
  const text = JSON.stringify(manifest, null, 2) + "\n";
  if (output) {
    await writeFileAtomic(output, text);
    const sizes = manifest.shards.map((s) => s.hosts.length);
    writeStderr(
      `Planned run ${manifest.runId}: ${manifest.hosts.length} hosts in ${sizes.length} shards ` +
        `(${Math.min(...sizes)} to ${Math.max(...sizes)} hosts each), written to ${flags.output}\n`,
    );
  } else writeStdout(text);
  return EXIT.SUCCESS;
}

/**
 * tsinfra from a program: {@linkcode run} runs deploy files, or deploy code given as a
 * function, against an inventory, with the command line's options, and returns the
 * report `--json` prints. Nothing is printed: progress arrives as typed events.
 *
 * @module
 */
import * as nodePath from "node:path";
import { ArgumentError } from "../core/errors.ts";
import { type EngineEvent, EventBus } from "../core/events.ts";
import type { GlobalArgumentsInput } from "../core/arguments.ts";
import type { ConnectorFactory } from "../core/connector.ts";
import type { DeploySource } from "./prepare.ts";
import type { DeploySpec } from "./protocol.ts";
import type { RunReport } from "./report.ts";
import { runDeploy } from "./run.ts";
import { BUILTIN_CATALOGUE } from "../catalogue.ts";
import { deployDirOf } from "./session.ts";

/** A host: its name, or its name and data. */
export type HostEntry = string | [name: string, data: Record<string, unknown>];

/** An inventory given as data: groups of hosts, and data per group (`all` for every host). */
export interface InventoryObject {
  /** Each group's hosts. */
  groups: Record<string, HostEntry[]>;
  /** Group data, as group_data/<group>.ts would give it. */
  data?: Record<string, Record<string, unknown>>;
}

/** Options of {@linkcode run}. */
export interface RunApiOptions {
  /**
   * The hosts: an inventory file or inline list (`"@local"`, `"web1,web2"`), a list of
   * host names, or groups with data.
   */
  inventory: string | string[] | InventoryObject;
  /** Deploy files to run (paths relative to `cwd`). Give this or `operations`. */
  deploy?: string | string[];
  /**
   * Deploy code as a function, called once per host inside the deploy context (so
   * `host`, operations and facts work as in a deploy file). Runs in this thread.
   */
  operations?: () => unknown;
  /** Folder that relative paths, config.ts and group_data/ are found from. @default {Deno.cwd()} */
  cwd?: string;
  /** Show what would change and stop (`--dry`). @default {false} */
  dry?: boolean;
  /** Compute file diffs into the report (`--diff`). @default {false} */
  diff?: boolean;
  /** Only hosts or groups matching these globs (`--limit`). */
  limit?: string[];
  /** Host data over every other layer (`--data`). */
  data?: Record<string, unknown>;
  /** At most this many hosts run an operation at once (`--parallel`). */
  parallel?: number;
  /** Run hosts one after another (`--serial`). @default {false} */
  serial?: boolean;
  /** Do not wait for every host between operations (`--no-wait`). @default {false} */
  noWait?: boolean;
  /** Stop the run when more than this percentage of hosts failed (`--fail-percent`). */
  failPercent?: number;
  /** Worker threads. @default {one per 1,000 hosts up to one per core, none below 2,000 hosts or for a function deploy} */
  workers?: number;
  /** Global argument defaults for every operation (`--sudo`, `--sudo-user`, ...). */
  globals?: GlobalArgumentsInput;
  /** config.ts to read instead of the one beside the deploy (`--config`). */
  configFile?: string;
  /**
   * Decides, after prepare, whether to execute (the CLI's approval prompt). Given the
   * prepared report. @default {always execute}
   */
  approve?: (plan: RunReport) => boolean | Promise<boolean>;
  /** Receives every engine event as it happens: phases, connections, results, output. */
  onEvent?: (event: EngineEvent) => void;
  /** Stream command output as `commandOutput` events while commands run. @default {false} */
  streamOutput?: boolean;
  /**
   * Stops the run when aborted: no operation starts after it, running commands are
   * stopped where the connector can, and the report's `stopped` says so.
   */
  signal?: AbortSignal;
  /** Connectors of your own, by inventory prefix: `{ "@mycloud": (target, data) => ... }`. */
  connectors?: Record<string, ConnectorFactory>;
}

/** What {@linkcode run} returns. */
export interface RunResult {
  /** The report `tsinfra --json` prints. */
  report: RunReport;
  /** False when `approve` declined: nothing was executed. */
  approved: boolean;
}

/** An object inventory as files in a temporary folder: workers load it from there. */
async function writeInventory(
  inventory: InventoryObject,
): Promise<{ file: string; groupData?: string; dir: string }> {
  const dir = await Deno.makeTempDir({ prefix: "tsinfra-api-" });
  const lines = Object.entries(inventory.groups).map(([group, hosts]) => {
    if (!/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(group)) {
      throw new ArgumentError(`inventory: group name ${JSON.stringify(group)} is not a name`);
    }
    if (!Array.isArray(hosts)) {
      throw new ArgumentError(`inventory: group ${group} must be a list of hosts`);
    }
    return `export const ${group} = ${JSON.stringify(hosts)};\n`;
  });
  const file = nodePath.join(dir, "inventory.ts");
  await Deno.writeTextFile(file, lines.join(""));
  if (!inventory.data) return { file, dir };
  const groupData = nodePath.join(dir, "group_data");
  await Deno.mkdir(groupData);
  for (const [group, data] of Object.entries(inventory.data)) {
    await Deno.writeTextFile(nodePath.join(groupData, `${group}.json`), JSON.stringify(data));
  }
  return { file, groupData, dir };
}

/**
 * Runs deploy files or deploy code against an inventory and returns the report.
 *
 * @example
 * ```ts ignore
 * import { files, run } from "tsinfra";
 *
 * const { report } = await run({
 *   inventory: ["@local"],
 *   operations: () => {
 *     files.directory({ path: "/tmp/from-the-api" });
 *   },
 *   onEvent: (event) => {
 *     if (event.type === "operationResult") console.log(event.host, event.status);
 *   },
 * });
 * console.log(report.success, report.totals.changed);
 * ```
 *
 * @throws {ArgumentError} for bad options, {DeployError} for errors in deploy code
 */
export async function run(options: RunApiOptions): Promise<RunResult> {
  const cwd = nodePath.resolve(options.cwd ?? Deno.cwd());
  if ((options.deploy === undefined) === (options.operations === undefined)) {
    throw new ArgumentError("run(): give either deploy (files) or operations (a function)");
  }
  let spec: DeploySpec | DeploySource;
  let files: string[] = [];
  if (options.deploy !== undefined) {
    files = [options.deploy].flat().map((f) => nodePath.resolve(cwd, f));
    spec = { kind: "files", files };
  } else spec = { kind: "function", fn: options.operations! };

  const events = new EventBus();
  if (options.onEvent) events.on(options.onEvent);
  let inventory: string;
  let written: { file: string; groupData?: string; dir: string } | undefined;
  if (typeof options.inventory === "string") inventory = options.inventory;
  else if (Array.isArray(options.inventory)) {
    if (!options.inventory.length) throw new ArgumentError("run(): the inventory is empty");
    inventory = options.inventory.join(",");
  } else {
    written = await writeInventory(options.inventory);
    inventory = written.file;
  }
  try {
    return await runDeploy({
      inventory,
      spec,
      catalogue: BUILTIN_CATALOGUE,
      deployDir: deployDirOf(files, cwd),
      cwd,
      data: options.data,
      limit: options.limit,
      argumentDefaults: options.globals,
      configFile: options.configFile,
      groupDataDir: written?.groupData,
      workers: options.workers,
      events,
      dry: options.dry,
      diff: options.diff,
      streamOutput: options.streamOutput,
      parallel: options.parallel,
      serial: options.serial,
      noWait: options.noWait,
      failPercent: options.failPercent,
      connectors: options.connectors,
      signal: options.signal,
      approve: options.approve ? async (plan) => await options.approve!(plan) : undefined,
    });
  } finally {
    if (written) await Deno.remove(written.dir, { recursive: true }).catch(() => {});
  }
}

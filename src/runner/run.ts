/**
 * Runs a deploy: opens the session, splits the hosts into shards (in-process, or one
 * Deno worker per shard), and lets the coordinator drive them. The CLI and API mode
 * both call {@linkcode runDeploy}.
 *
 * @module
 */
import * as nodePath from "node:path";
import type { EventBus } from "../core/events.ts";
import type { ConnectorFactory } from "../core/connector.ts";
import type { GlobalArgumentsInput } from "../core/arguments.ts";
import type { Catalogue } from "../core/catalogue.ts";
import { checkHostConnector, withConnectors } from "../connectors/mod.ts";
import { loadConnectorModule } from "../loader/connector_module.ts";
import { ArgumentError } from "../core/errors.ts";
import { openSession, type Session } from "./session.ts";
import type { DeploySource } from "./prepare.ts";
import { coordinate, type CoordinateResult, type ShardHandle } from "./coordinator.ts";
import { LocalShard, WorkerShard } from "./pool.ts";
import { ShardEngine } from "./shard.ts";
import type { DeploySpec, ShardInit } from "./protocol.ts";
import type { RunReport } from "./report.ts";

/** Options of {@linkcode runDeploy}. */
export interface RunOptions {
  /** Inventory file or inline hosts (`@local`, `web1,web2`). */
  inventory: string;
  /** What to run: deploy files, an operation, a command (plain), or a function (in-process only). */
  spec: DeploySpec | DeploySource;
  /**
   * The operations and facts a plain spec names (the entry point's built-in catalogue).
   * Workers load the built-in catalogue themselves.
   */
  catalogue: Catalogue;
  /** Folder of the deploy (config.ts and group_data/ are looked up there). */
  deployDir: string;
  /** Working folder: relative local paths resolve against it. */
  cwd: string;
  data?: Record<string, unknown>;
  limit?: string[];
  /** Only these hosts, by exact name (one shard of a planned run). */
  hosts?: readonly string[];
  /** config.ts to read instead of the one beside the deploy. */
  configFile?: string;
  /** A group_data folder read after the others. */
  groupDataDir?: string;
  argumentDefaults?: GlobalArgumentsInput;
  /** Worker count; 0 runs in this thread. @default {see {@linkcode defaultWorkers}} */
  workers?: number;
  events: EventBus;
  dry?: boolean;
  diff?: boolean;
  streamOutput?: boolean;
  parallel?: number;
  serial?: boolean;
  noWait?: boolean;
  failPercent?: number;
  approve?: (report: RunReport) => Promise<boolean>;
  onPrepared?: (report: RunReport) => void;
  /**
   * Connectors of your own, by inventory prefix (`"@mycloud"` for hosts named
   * `@mycloud/...`). Functions cannot cross into workers: such a run stays in this thread.
   */
  connectors?: Record<string, ConnectorFactory>;
  /**
   * A connector module (`--connectors MODULE`): its default export maps prefixes to
   * connector factories. The coordinator and every worker load it, so the run keeps its
   * workers.
   */
  connectorModule?: string;
  /** Stops the run (Ctrl-C): nothing starts after it, running commands are stopped. */
  signal?: AbortSignal;
  /** Called once the session is loaded (the CLI reads config defaults from it). */
  onSession?: (session: Session) => void;
}

/** Splits hosts into `count` contiguous shards of near-equal size. */
export function splitHosts(hosts: string[], count: number): string[][] {
  const shards: string[][] = [];
  const size = Math.ceil(hosts.length / count);
  for (let i = 0; i < hosts.length; i += size) shards.push(hosts.slice(i, i + size));
  return shards;
}

/**
 * Refuses run options that contradict each other or cannot be used, before anything
 * is loaded or run (the CLI and the API alike).
 *
 * @throws {ArgumentError} saying which options and why
 */
export function validateRunOptions(options: RunOptions): void {
  if (options.serial && options.parallel !== undefined) {
    throw new ArgumentError(
      "--serial and --parallel contradict each other: --serial runs one host at a time; give one of them",
    );
  }
  if (options.parallel !== undefined && !(options.parallel >= 0)) {
    throw new ArgumentError(`--parallel takes a number, got ${JSON.stringify(options.parallel)}`);
  }
}

/** Runs a deploy and returns its report. */
export async function runDeploy(options: RunOptions): Promise<CoordinateResult> {
  validateRunOptions(options);
  const connectorModule = options.connectorModule && nodePath.resolve(options.connectorModule);
  const fromModule = options.connectorModule
    ? await loadConnectorModule(options.connectorModule)
    : {};
  const session = await openSession({
    inventory: options.inventory,
    deployDir: options.deployDir,
    data: options.data,
    limit: options.limit,
    hosts: options.hosts,
    argumentDefaults: options.argumentDefaults,
    configFile: options.configFile,
    groupDataDir: options.groupDataDir,
    connectorFor: withConnectors({ ...fromModule, ...options.connectors }),
    events: options.events,
  });
  // A host its connector cannot use is bad input (exit 2), not a connection failure.
  for (const host of session.hosts) checkHostConnector(host.name, () => host.createConnector());
  options.onSession?.(session);
  const hosts = session.hosts.map((h) => h.name);
  const base = {
    inventory: options.inventory,
    deployDir: options.deployDir,
    data: options.data ?? {},
    limit: options.limit ?? [],
    argumentDefaults: options.argumentDefaults ?? {},
    cwd: options.cwd,
    configFile: options.configFile,
    groupDataDir: options.groupDataDir,
    diff: options.diff ?? false,
    streamOutput: options.streamOutput ?? false,
    ...(connectorModule ? { connectors: connectorModule } : {}),
  };
  const plainSpec = options.spec.kind === "function" ? undefined : options.spec;
  const wanted = options.workers ?? defaultWorkers(hosts.length, navigator.hardwareConcurrency);
  const count = plainSpec && !options.connectors ? Math.min(wanted, hosts.length) : 0;
  const shards: ShardHandle[] = [];
  const ownerOf = new Map<string, ShardHandle>();
  if (count <= 0) {
    const init: ShardInit = { ...base, hosts, spec: plainSpec ?? { kind: "files", files: [] } };
    const engine = new ShardEngine(init, options.events, {
      catalogue: options.catalogue,
      source: options.spec.kind === "function" ? options.spec : undefined,
      session,
    });
    await engine.open();
    shards.push(new LocalShard(engine, hosts));
  } else {
    for (const part of splitHosts(hosts, count)) {
      const shard = new WorkerShard(
        { ...base, hosts: part, spec: plainSpec! },
        options.events,
        (host, factName, args, globals) => {
          const owner = ownerOf.get(host);
          if (!owner) return Promise.reject(new Error(`No host ${host} in this run`));
          return owner.readFact(host, factName, args, globals);
        },
      );
      shards.push(shard);
      for (const host of part) ownerOf.set(host, shard);
    }
  }
  try {
    return await coordinate({
      shards,
      hosts,
      events: options.events,
      dry: options.dry,
      approve: options.approve,
      onPrepared: options.onPrepared,
      parallel: options.parallel ?? session.config.parallel,
      serial: options.serial,
      noWait: options.noWait,
      failPercent: options.failPercent ?? session.config.failPercent,
      signal: options.signal,
    });
  } finally {
    await Promise.all(shards.map((s) => s.close()));
  }
}

/**
 * Hosts one worker thread must have to be worth its cost. A thread loads the library and
 * the deploy again and passes every event through messages, while the main thread mostly
 * waits on the hosts: at 50 real SSH hosts a run takes 7% longer (14% with no change)
 * with two workers than with none, and at 1,000 simulated hosts it is no faster and uses
 * half again the CPU; at 5,000 two workers are 10% faster (scripts/bench/sim_run.ts).
 */
const HOSTS_PER_WORKER = 1000;

/**
 * The worker count when none is asked for: one per 1,000 hosts, at most one per core,
 * and none (the main thread) below two.
 *
 * @example
 * ```ts
 * import { defaultWorkers } from "./run.ts";
 * defaultWorkers(50, 8); // 0
 * defaultWorkers(5000, 2); // 2
 * ```
 */
export function defaultWorkers(hosts: number, cores: number): number {
  const count = Math.min(cores, Math.floor(hosts / HOSTS_PER_WORKER));
  return count >= 2 ? count : 0;
}

/**
 * A shard: the hosts one worker (or the main thread) owns, with their connections,
 * their evaluation of the deploy code, their fact caches and their execution. The
 * coordinator drives shards through plain-data calls.
 *
 * @module
 */
import type { EventBus } from "../core/events.ts";
import type { Host } from "../core/host.ts";
import { CONNECTOR_ARGUMENT_NAMES, type GlobalArgumentsInput } from "../core/arguments.ts";
import type { Fact, FactArgs } from "../core/fact.ts";
import type { Catalogue } from "../core/catalogue.ts";
import type { ConnectorFactory } from "../core/connector.ts";
import { ArgumentError } from "../core/errors.ts";
import { DiskFiles } from "../core/local_files.ts";
import { type ConnectorCatalogue, withConnectors } from "../connectors/mod.ts";
import { stopRunningProcesses } from "../connectors/process.ts";
import type { DisconnectOptions } from "../core/connector.ts";
import { loadCustomModule } from "../loader/custom_modules.ts";
import { loadConnectorModule } from "../loader/connector_module.ts";
import { connectHosts, openSession, type Session } from "./session.ts";
import { collectOperations, type DeploySource, prepareHost } from "./prepare.ts";
import { executeOnHost } from "./execute.ts";
import type { HostPlan, PlannedOperation } from "./plan.ts";
import type {
  DeploySpec,
  HostCounters,
  HostPrepared,
  OperationOutcome,
  ShardInit,
} from "./protocol.ts";

/** Reads a fact of a host owned by another shard. */
export type FactRouter = (
  host: string,
  factName: string,
  args: Record<string, unknown>,
  globals: GlobalArgumentsInput,
) => Promise<unknown>;

/**
 * Turns a plain deploy spec into deploy code to run for each host, finding operations
 * by name in `catalogue` (or in the user module the spec names).
 */
export function deploySource(spec: DeploySpec | DeploySource, catalogue: Catalogue): DeploySource {
  if (spec.kind === "files" || spec.kind === "function") return spec;
  if (spec.kind === "operation" && spec.module) {
    const { name, input, module } = spec;
    return {
      kind: "function",
      fn: async () => {
        const operation = (await loadCustomModule(module)).operations.get(name);
        if (!operation) throw new ArgumentError(`${module} exports no operation ${name}`);
        operation(input);
      },
    };
  }
  const name = spec.kind === "exec" ? "server.shell" : spec.name;
  const operation = catalogue.operations.get(name);
  if (!operation) throw new ArgumentError(`Unknown operation ${name}`);
  const input = spec.kind === "exec" ? { commands: [spec.command] } : spec.input;
  return { kind: "function", fn: () => operation(input) };
}

function plainConnectorArguments(globals: GlobalArgumentsInput): GlobalArgumentsInput {
  const out: Record<string, unknown> = {};
  for (const key of CONNECTOR_ARGUMENT_NAMES) {
    if (globals[key] !== undefined) out[key] = globals[key];
  }
  return out as GlobalArgumentsInput;
}

/** Options of {@linkcode ShardEngine}. */
export interface ShardEngineOptions {
  /** The operations and facts that plain specs and other shards name. */
  catalogue: Catalogue;
  /** Reads facts of hosts owned by other shards (workers only). */
  router?: FactRouter;
  /** Deploy code to run instead of the init's plain spec (a function: in-process only). */
  source?: DeploySource;
  /** The session, when the caller opened it already (in-process). */
  session?: Session;
  /**
   * Connectors given as functions (API mode, in-process only), over the init's
   * connector module and the built-in ones.
   */
  connectors?: ConnectorCatalogue;
}

/** The engine side of a shard. */
export class ShardEngine {
  readonly events: EventBus;
  #init: ShardInit;
  #catalogue: Catalogue;
  #source: DeploySource;
  #router: FactRouter | undefined;
  #session: Session | undefined;
  #extraConnectors: ConnectorCatalogue | undefined;
  /** Facts asked of this shard's hosts, by name: other shards name the deploy's own. */
  #metFacts = new Map<string, Fact<unknown, FactArgs>>();
  #owned: Host[] = [];
  #plans = new Map<string, HostPlan>();
  /** Each host's operations by id, built on first use (execution looks them up per run). */
  #byId = new Map<string, Map<string, PlannedOperation>>();
  #failed = new Set<string>();
  #connections: Promise<Map<string, string>> | undefined;

  constructor(init: ShardInit, events: EventBus, options: ShardEngineOptions) {
    this.#init = init;
    this.events = events;
    this.#catalogue = options.catalogue;
    this.#router = options.router;
    this.#source = options.source ?? deploySource(init.spec, options.catalogue);
    this.#session = options.session;
    this.#extraConnectors = options.connectors;
  }

  /** The connectors of this shard: the given ones, the connector module's, the built-in. */
  async #connectorFor(): Promise<ConnectorFactory> {
    const fromModule = this.#init.connectors
      ? await loadConnectorModule(this.#init.connectors)
      : {};
    return withConnectors({ ...fromModule, ...this.#extraConnectors });
  }

  /** Loads config, inventory and group data; marks hosts owned elsewhere as remote. */
  async open(): Promise<void> {
    const init = this.#init;
    this.#session ??= await openSession({
      inventory: init.inventory,
      deployDir: init.deployDir,
      data: init.data,
      limit: init.limit,
      argumentDefaults: init.argumentDefaults,
      configFile: init.configFile,
      groupDataDir: init.groupDataDir,
      connectorFor: await this.#connectorFor(),
      events: this.events,
      quiet: true,
      onFact: (fact) => this.#metFacts.set(fact.name, fact),
    });
    const owned = new Set(init.hosts);
    this.#owned = this.#session.hosts.filter((h) => owned.has(h.name));
    const router = this.#router;
    for (const host of this.#session.inventory.getHosts()) {
      if (owned.has(host.name) || !router) continue;
      host.setRemoteFactReader((factName, args, globals) =>
        router(host.name, factName, args, plainConnectorArguments(globals))
      );
    }
  }

  get #opened(): Session {
    if (!this.#session) throw new Error("shard used before open()");
    return this.#session;
  }

  /** Opens every owned host's connection, once; resolves to the failures by host. */
  #connecting(): Promise<Map<string, string>> {
    this.#connections ??= connectHosts(this.#owned, this.events, true).then((failed) => {
      for (const name of failed.keys()) this.#failed.add(name);
      return failed;
    });
    return this.#connections;
  }

  /** Connects the owned hosts; returns the failures by host. */
  async connect(): Promise<Record<string, string>> {
    return Object.fromEntries(await this.#connecting());
  }

  /** Runs the deploy code and prepares every operation of the owned, connected hosts. */
  async prepare(): Promise<HostPrepared[]> {
    const session = this.#opened;
    const local = new DiskFiles(this.#init.cwd);
    // The deploy code runs while the connections open (a fact it reads waits for its
    // host's connection); each host's operations are prepared once it is connected.
    const connecting = this.#connecting();
    const isUp = (host: Host) => host.connect().then(() => true, () => false);
    this.#plans = await collectOperations({
      hosts: this.#owned.filter((h) => !this.#failed.has(h.name)),
      inventory: session.inventory,
      source: this.#source,
      cwd: this.#init.cwd,
      local,
      connected: isUp,
      diff: this.#init.diff,
    });
    await connecting;
    const live = this.#owned.filter((h) => !this.#failed.has(h.name) && this.#plans.has(h.name));
    return await Promise.all(
      live.map((host) =>
        prepareHost(this.#plans.get(host.name)!, session.inventory, local, this.#init.diff)
      ),
    );
  }

  #planned(hostName: string, opId: string) {
    let byId = this.#byId.get(hostName);
    if (!byId) {
      byId = new Map((this.#plans.get(hostName)?.operations ?? []).map((o) => [o.id, o]));
      this.#byId.set(hostName, byId);
    }
    const op = byId.get(opId);
    if (!op) throw new Error(`${hostName} has no operation ${opId}`);
    return op;
  }

  /** Executes one operation on one owned host. */
  async run(hostName: string, opId: string): Promise<OperationOutcome> {
    const plan = this.#plans.get(hostName)!;
    const planned = this.#planned(hostName, opId);
    // The host runs its operations in plan order: the next one's facts ride along.
    const next = plan.operations[plan.operations.indexOf(planned) + 1];
    return await executeOnHost(plan.host, planned, {
      inventory: this.#opened.inventory,
      local: new DiskFiles(this.#init.cwd),
      events: this.events,
      streamOutput: this.#init.streamOutput,
      prefetch: next?.factReads,
    });
  }

  /** Records that an operation did not run on a host (so `_if` on it still works). */
  skip(hostName: string, opId: string, outcome: OperationOutcome): void {
    this.#planned(hostName, opId).meta.setResult({
      changed: outcome.changed,
      success: outcome.success,
      stdout: outcome.stdout,
      stderr: outcome.stderr,
      error: outcome.error,
    });
  }

  /** Reads a fact of an owned host for another shard. */
  async readFact(
    hostName: string,
    factName: string,
    args: Record<string, unknown>,
    globals: GlobalArgumentsInput,
  ): Promise<unknown> {
    const host = this.#owned.find((h) => h.name === hostName);
    const fact = this.#catalogue.facts.get(factName) ?? this.#metFacts.get(factName);
    if (!host) throw new Error(`Cannot read fact ${factName} of ${hostName} here`);
    if (!fact) {
      throw new Error(
        `Cannot read fact ${factName} of ${hostName} from another worker: the worker that owns ${hostName} has not met ${factName} (a fact the deploy defines is known there once its own deploy code reads it); read it there too, or run with --workers 0`,
      );
    }
    return await host.getFact(fact, args, globals);
  }

  /** Stops the commands running on the owned hosts (Ctrl-C): local processes, channels. */
  async cancel(): Promise<void> {
    // The connectors first (their own stopping commands are processes too), then what
    // still runs on the controller.
    await Promise.all(this.#owned.map((host) => host.cancel()));
    await stopRunningProcesses();
  }

  /** Disconnects the owned hosts; returns their counters. */
  async finish(options: DisconnectOptions = {}): Promise<Record<string, HostCounters>> {
    const notes = new Map<string, string>();
    await Promise.all(this.#owned.map(async (host) => {
      try {
        const note = await host.disconnect(options);
        if (note) {
          notes.set(host.name, note);
          this.events.emit({ type: "note", host: host.name, message: note });
        }
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.events.emit({ type: "warning", host: host.name, message: `disconnect: ${message}` });
      }
    }));
    return Object.fromEntries(
      this.#owned.map((h) => [h.name, {
        roundTrips: h.stats.roundTrips,
        factsRead: h.stats.factsRead,
        ...(notes.has(h.name) ? { note: notes.get(h.name) } : {}),
      }]),
    );
  }
}

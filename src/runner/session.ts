/**
 * A session: the inventory loaded, group data and config applied, hosts built with
 * their connectors. The CLI and API mode both start here.
 *
 * @module
 */
import * as nodePath from "node:path";
import { Host } from "../core/host.ts";
import { Inventory, resolveHostData } from "../core/inventory.ts";
import type { GlobalArgumentsInput } from "../core/arguments.ts";
import { globalArgumentsFromData, validateGlobalArguments } from "../core/arguments.ts";
import type { ConnectorFactory } from "../core/connector.ts";
import type { EventBus } from "../core/events.ts";
import type { Fact, FactArgs } from "../core/fact.ts";
import { ArgumentError } from "../core/errors.ts";
import { groupsOf, type InventorySpec, loadGroupData, loadInventory } from "../loader/inventory.ts";
import { configDefaults, type DeployConfig, loadConfig } from "../loader/config.ts";

/** Options of {@linkcode openSession}. */
export interface SessionOptions {
  /** The inventory as given on the command line: a file or an inline list. */
  inventory: string;
  /** Folder of the deploy (config.ts and group_data/ are looked up there). */
  deployDir: string;
  /** `--data key=value` overrides. */
  data?: Record<string, unknown>;
  /** `--limit` patterns (host names or groups, `*` globs). */
  limit?: string[];
  /** Global argument defaults from the command line (`--sudo`, ...): over config. */
  argumentDefaults?: GlobalArgumentsInput;
  connectorFor: ConnectorFactory;
  events: EventBus;
  /** config.ts to read instead of the one in `deployDir` (`--config`). */
  configFile?: string;
  /** A group_data folder read after the others (`--group-data`). */
  groupDataDir?: string;
  /**
   * Only these hosts, by exact name (one shard of a planned run); each must be in the
   * inventory.
   */
  hosts?: readonly string[];
  /** Do not report phases (shards: the coordinator reports them). @default {false} */
  quiet?: boolean;
  /** Called with every fact asked of any host (see `HostInit.onFact`). */
  onFact?: (fact: Fact<unknown, FactArgs>) => void;
}

/** A loaded session. */
export interface Session {
  inventory: Inventory;
  /** The hosts this run acts on (after `--limit`). */
  hosts: Host[];
  config: DeployConfig;
  configPath?: string;
  spec: InventorySpec;
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replaceAll("*", ".*").replaceAll(
    "?",
    ".",
  );
  return new RegExp(`^${escaped}$`);
}

/** Loads config, inventory and group data, and builds the hosts. */
export async function openSession(options: SessionOptions): Promise<Session> {
  if (!options.quiet) options.events.emit({ type: "phase", phase: "config" });
  const { config, path: configPath } = await loadConfig(options.deployDir, options.configFile);
  if (!options.quiet) options.events.emit({ type: "phase", phase: "inventory" });
  const spec = await loadInventory(options.inventory);
  const dirs = [spec.dir, options.deployDir].filter((d): d is string => !!d);
  const groupData = await loadGroupData(spec, dirs, options.groupDataDir);
  const layers = { all: groupData.all ?? {}, groups: groupData, override: options.data ?? {} };
  const fromConfig = configDefaults(config);
  const hosts = spec.hosts.map((declaration) => {
    const groups = groupsOf(declaration);
    const data = resolveHostData(
      { ...declaration, groups: groups.filter((g) => g !== "all") },
      layers,
    );
    const fromData = globalArgumentsFromData(data);
    validateGlobalArguments(fromData, `data of host ${declaration.name}`);
    return new Host({
      name: declaration.name,
      groups,
      data: Object.freeze(data),
      defaults: { ...fromConfig, ...fromData, ...options.argumentDefaults },
      connector: () => options.connectorFor(declaration.name, data),
      events: options.events,
      onFact: options.onFact,
    });
  });
  const inventory = new Inventory(hosts);
  let active = hosts;
  if (options.limit?.length) {
    const patterns = options.limit.map(globToRegExp);
    active = hosts.filter((h) =>
      patterns.some((p) => p.test(h.name) || h.groups.some((g) => p.test(g)))
    );
    if (!active.length) {
      throw new ArgumentError(
        `--limit ${options.limit.join(",")} matches no host or group of ${spec.source}`,
      );
    }
  }
  if (options.hosts) {
    const byName = new Map(active.map((h) => [h.name, h]));
    active = options.hosts.map((name) => {
      const host = byName.get(name);
      if (!host) throw new ArgumentError(`Host ${name} is not in the inventory ${spec.source}`);
      return host;
    });
  }
  return { inventory, hosts: active, config, configPath, spec };
}

/** Connects every host in parallel; returns the hosts that could not connect. */
export async function connectHosts(
  hosts: Host[],
  events: EventBus,
  quiet = false,
): Promise<Map<string, string>> {
  if (!quiet) events.emit({ type: "phase", phase: "connect" });
  const failed = new Map<string, string>();
  await Promise.all(hosts.map(async (host) => {
    try {
      await host.connect();
      events.emit({ type: "connected", host: host.name });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      failed.set(host.name, message);
      events.emit({ type: "connectFailed", host: host.name, error: message });
    }
  }));
  return failed;
}

/** The folder a deploy file lives in, or the working folder. */
export function deployDirOf(files: string[], cwd: string): string {
  return files.length ? nodePath.dirname(nodePath.resolve(cwd, files[0])) : cwd;
}

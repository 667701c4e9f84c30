/**
 * The inventory: hosts, groups, and how each host's data is resolved
 * (override > host > group > all), as pyinfra does.
 *
 * @module
 */
import type { Host } from "./host.ts";

/** One host as an inventory file declares it. */
export interface HostDeclaration {
  name: string;
  data: Record<string, unknown>;
  /** Groups in the order they were declared (file group and `all` excluded). */
  groups: string[];
}

/** The layers that make up a host's data, from weakest to strongest. */
export interface DataLayers {
  /** Data of the `all` group. */
  all: Record<string, unknown>;
  /** Data of each group, by group name. */
  groups: Record<string, Record<string, unknown>>;
  /** `--data key=value` from the command line. */
  override: Record<string, unknown>;
}

/**
 * Resolves a host's data: `override` over host data over group data (later groups
 * win) over `all`.
 *
 * @example
 * ```ts
 * import { resolveHostData } from "./inventory.ts";
 * resolveHostData({ name: "web1", data: { port: 2 }, groups: ["web"] }, {
 *   all: { port: 0, env: "prod" }, groups: { web: { port: 1 } }, override: {},
 * }); // { port: 2, env: "prod" }
 * ```
 */
export function resolveHostData(
  host: HostDeclaration,
  layers: DataLayers,
): Record<string, unknown> {
  const data: Record<string, unknown> = { ...layers.all };
  for (const group of host.groups) Object.assign(data, layers.groups[group] ?? {});
  Object.assign(data, host.data, layers.override);
  return data;
}

/**
 * Hosts and groups. Deploy code reaches it as `inventory`.
 *
 * @example
 * ```ts ignore
 * import { inventory } from "tsinfra";
 * const db = inventory.getHost("db1");
 * for (const web of inventory.getGroup("web")) console.log(web.name);
 * ```
 */
export class Inventory {
  readonly #hosts: Map<string, Host>;
  readonly #groups: Map<string, string[]>;

  constructor(hosts: readonly Host[]) {
    this.#hosts = new Map(hosts.map((h) => [h.name, h]));
    this.#groups = new Map();
    for (const host of hosts) {
      for (const group of host.groups) {
        const members = this.#groups.get(group) ?? [];
        members.push(host.name);
        this.#groups.set(group, members);
      }
    }
  }

  /** The host with this name, or undefined. */
  getHost(name: string): Host | undefined {
    return this.#hosts.get(name);
  }

  /** The hosts of a group (empty when the group does not exist). */
  getGroup(name: string): Host[] {
    return (this.#groups.get(name) ?? []).map((n) => this.#hosts.get(n)!);
  }

  /** Every host, in inventory order. */
  getHosts(): Host[] {
    return [...this.#hosts.values()];
  }

  /** Every group name, sorted. */
  getGroupNames(): string[] {
    return [...this.#groups.keys()].sort();
  }

  get size(): number {
    return this.#hosts.size;
  }
}

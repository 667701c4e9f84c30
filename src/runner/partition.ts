/**
 * Splitting a run's hosts into shards, for `tsinfra plan`: deterministic (the same
 * hosts give the same shards, whatever their order), covering, disjoint, and balanced.
 *
 * @module
 */
import { ArgumentError } from "../core/errors.ts";

/** A host as the partitioner sees it: its name and its groups. */
export interface PartitionHost {
  name: string;
  groups: readonly string[];
}

/** How many shards, and which groups must not be split. */
export interface PartitionOptions {
  /** The number of shards (`--shards N`). */
  shards?: number;
  /** At most this many hosts per shard (`--shard-size K`); the count follows from it. */
  shardSize?: number;
  /** Groups whose hosts stay in one shard (`--shard-key`). */
  shardKey?: readonly string[];
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The shard count asked for, checked. */
export function shardCount(hostCount: number, options: PartitionOptions): number {
  const { shards, shardSize } = options;
  if ((shards === undefined) === (shardSize === undefined)) {
    throw new ArgumentError("plan needs one of --shards N or --shard-size K");
  }
  if (shards !== undefined) {
    if (!Number.isInteger(shards) || shards < 1) {
      throw new ArgumentError(`--shards takes a whole number of at least 1, got ${shards}`);
    }
    return shards;
  }
  if (!Number.isInteger(shardSize) || shardSize! < 1) {
    throw new ArgumentError(`--shard-size takes a whole number of at least 1, got ${shardSize}`);
  }
  return Math.max(1, Math.ceil(hostCount / shardSize!));
}

/**
 * Hosts that must run in the same shard, as units: hosts sharing a keyed group are one
 * unit (groups that overlap join), every other host is a unit of its own.
 */
function unitsOf(hosts: readonly PartitionHost[], key: readonly string[]): string[][] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root)!;
    parent.set(x, root);
    return root;
  };
  for (const host of hosts) parent.set(host.name, host.name);
  const keyed = new Set(key);
  const firstOfGroup = new Map<string, string>();
  for (const host of hosts) {
    for (const group of host.groups) {
      if (!keyed.has(group)) continue;
      const first = firstOfGroup.get(group);
      if (first === undefined) firstOfGroup.set(group, host.name);
      else {
        const [a, b] = [find(first), find(host.name)].sort(byName);
        parent.set(b, a);
      }
    }
  }
  const units = new Map<string, string[]>();
  for (const host of hosts) {
    const root = find(host.name);
    units.set(root, [...(units.get(root) ?? []), host.name]);
  }
  return [...units.values()].map((u) => u.sort(byName));
}

/**
 * Splits hosts into shards.
 *
 * Without a shard key, the sorted names are cut into contiguous runs whose sizes differ
 * by at most one. With one, each unit (see {@linkcode unitsOf}) goes whole, largest
 * first, to the shard with the fewest hosts so far (the lowest index on a tie). Shards
 * may be empty (more shards than hosts); each shard's hosts are sorted.
 *
 * @throws {ArgumentError} for a bad count, or a shard key naming no group of the run
 * @example
 * ```ts
 * import { partitionHosts } from "./partition.ts";
 * const hosts = ["c", "a", "b"].map((name) => ({ name, groups: [] }));
 * const shards = partitionHosts(hosts, { shards: 2 });
 * if (JSON.stringify(shards) !== '[["a","b"],["c"]]') throw new Error();
 * ```
 */
export function partitionHosts(
  hosts: readonly PartitionHost[],
  options: PartitionOptions,
): string[][] {
  const count = shardCount(hosts.length, options);
  const key = options.shardKey ?? [];
  const names = new Set<string>();
  for (const host of hosts) {
    if (names.has(host.name)) throw new ArgumentError(`Host ${host.name} is listed twice`);
    names.add(host.name);
  }
  for (const group of key) {
    if (!hosts.some((h) => h.groups.includes(group))) {
      throw new ArgumentError(`--shard-key ${group}: no host of the run is in group ${group}`);
    }
  }
  const shards: string[][] = Array.from({ length: count }, () => []);
  if (!key.length) {
    const sorted = hosts.map((h) => h.name).sort(byName);
    const base = Math.floor(sorted.length / count);
    const larger = sorted.length % count;
    let at = 0;
    for (let i = 0; i < count; i++) {
      const size = base + (i < larger ? 1 : 0);
      shards[i] = sorted.slice(at, at + size);
      at += size;
    }
    return shards;
  }
  const units = unitsOf(hosts, key).sort((a, b) => b.length - a.length || byName(a[0], b[0]));
  for (const unit of units) {
    let lightest = 0;
    for (let i = 1; i < count; i++) {
      if (shards[i].length < shards[lightest].length) lightest = i;
    }
    shards[lightest].push(...unit);
  }
  return shards.map((s) => s.sort(byName));
}

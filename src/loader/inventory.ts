/**
 * Inventories: a TypeScript module whose exported arrays are groups of hosts (a host is
 * a name or `[name, data]`), or an inline list on the command line (`@local`,
 * `web1,web2`). Group data comes from `group_data/<group>.{ts,json,yaml}`.
 *
 * @module
 */
import * as nodePath from "node:path";
import { ArgumentError, DeployError } from "../core/errors.ts";
import type { DataLayers, HostDeclaration } from "../core/inventory.ts";
import { ModuleLoader } from "./module_loader.ts";
import { findDataFile, loadDataFile } from "./user_data.ts";
import { expandInventoryConnector, isInventoryConnector } from "./inventory_connectors.ts";

/** A loaded inventory, before hosts are built. */
export interface InventorySpec {
  /** Where it came from: a file path, or the inline text. */
  source: string;
  /** Folder of the inventory file, if it is one. */
  dir?: string;
  hosts: HostDeclaration[];
}

function looksLikeFile(text: string): boolean {
  return /\.(ts|js|mjs)$/.test(text) || text.includes("/") && !text.startsWith("@");
}

/** Connectors whose name part is handed to a program as an argument (ssh, docker). */
const NAMED_CONNECTORS = ["@ssh/", "@docker/", "@podman/", "@dockerssh/"];

/**
 * Refuses a host name no connector can use safely, naming it, before anything runs: an
 * empty name after a connector (`@docker/`), a name starting with `-` (ssh and docker
 * would take it as an option, `-oProxyCommand=...` runs a command), and whitespace or
 * control characters.
 *
 * @param name the host's inventory name
 * @param source where it was listed (the inventory file or inline text)
 * @throws {ArgumentError} saying what is wrong with the name
 * @example
 * ```ts
 * import { checkHostName } from "./inventory.ts";
 * checkHostName("web1", "inventory.ts"); // fine
 * let refused = false;
 * try {
 *   checkHostName("-oProxyCommand=id", "inventory.ts");
 * } catch {
 *   refused = true;
 * }
 * ```
 */
export function checkHostName(name: string, source: string): void {
  const prefix = NAMED_CONNECTORS.find((p) => name.startsWith(p)) ?? "";
  const target = name.slice(prefix.length);
  const refuse = (why: string) => {
    throw new ArgumentError(`Invalid host name ${JSON.stringify(name)} in ${source}: ${why}`);
  };
  if (prefix && !target) {
    refuse(`${prefix.slice(0, -1)} needs a name after the slash, e.g. ${prefix}web1`);
  }
  if (target.startsWith("-")) refuse("a host name cannot start with -");
  // deno-lint-ignore no-control-regex
  if (/[\s\x00-\x1f\x7f]/.test(name)) {
    refuse("a host name cannot hold spaces, line breaks or control characters");
  }
}

/**
 * Parses an inline inventory: `@local`, `host`, `host1,host2`, `@docker/debian`;
 * `@terraform/KEY` and `@vagrant[/VM]` expand into the hosts those tools list.
 */
export async function inlineInventory(text: string): Promise<InventorySpec> {
  // A name given twice is one host (two would race on the same connection and report).
  const names = [...new Set(text.split(",").map((n) => n.trim()).filter(Boolean))];
  if (!names.length) throw new ArgumentError(`Empty inventory: ${JSON.stringify(text)}`);
  const hosts: HostDeclaration[] = [];
  for (const name of names) {
    if (isInventoryConnector(name)) hosts.push(...await expandInventoryConnector(name));
    else hosts.push({ name, data: {}, groups: [] });
  }
  for (const host of hosts) checkHostName(host.name, "the inventory argument");
  return { source: text, hosts };
}

/** Loads an inventory module: each exported array is a group. */
export async function loadInventoryFile(path: string): Promise<InventorySpec> {
  const full = nodePath.resolve(path);
  const loader = new ModuleLoader("inventory");
  const module = await loader.import(full);
  const group = nodePath.basename(full).replace(/\.(ts|js|mjs)$/, "");
  const hosts = new Map<string, HostDeclaration>();
  for (const [groupName, value] of Object.entries(module)) {
    if (!Array.isArray(value)) continue;
    value.forEach((entry, index) => {
      let name: unknown;
      let data: unknown = {};
      if (typeof entry === "string") name = entry;
      else if (Array.isArray(entry) && entry.length === 2) [name, data] = entry;
      if (typeof name !== "string" || !name || typeof data !== "object" || data === null) {
        throw new DeployError(
          `${full}: export ${groupName}[${index}] must be a host name or [name, data], got ${
            JSON.stringify(entry)
          }`,
        );
      }
      const existing = hosts.get(name);
      if (existing) {
        Object.assign(existing.data, data);
        if (!existing.groups.includes(groupName)) existing.groups.push(groupName);
      } else {
        hosts.set(name, { name, data: { ...data as object }, groups: [groupName] });
      }
    });
  }
  if (!hosts.size) {
    throw new DeployError(
      `${full}: no hosts: export arrays of host names, e.g. export const web = ["web1"]`,
    );
  }
  for (const host of hosts.values()) {
    checkHostName(host.name, full);
    if (!host.groups.includes(group)) host.groups.push(group);
  }
  return { source: full, dir: nodePath.dirname(full), hosts: [...hosts.values()] };
}

/** Loads an inventory given on the command line: a file, or an inline list. */
export async function loadInventory(text: string): Promise<InventorySpec> {
  let isFile = false;
  try {
    isFile = Deno.statSync(text).isFile;
  } catch {
    isFile = false;
  }
  if (isFile) return await loadInventoryFile(text);
  if (looksLikeFile(text)) throw new ArgumentError(`Inventory file not found: ${text}`);
  return await inlineInventory(text);
}

/** Every group name a host is in: its own groups and `all`. */
export function groupsOf(host: HostDeclaration): string[] {
  return [...host.groups.filter((g) => g !== "all"), "all"];
}

/**
 * Loads the group data for every group in the inventory, from `group_data/` in each of
 * `dirs` (later folders win).
 */
export async function loadGroupData(
  spec: InventorySpec,
  dirs: string[],
  extraDir?: string,
): Promise<DataLayers["groups"] & { all?: Record<string, unknown> }> {
  if (extraDir !== undefined) {
    try {
      if (!Deno.statSync(extraDir).isDirectory) throw new Error();
    } catch {
      throw new ArgumentError(`Group data folder not found: ${extraDir}`);
    }
  }
  const groups = new Set<string>(["all"]);
  for (const host of spec.hosts) for (const g of host.groups) groups.add(g);
  const result: Record<string, Record<string, unknown>> = {};
  const loader = new ModuleLoader("group-data");
  for (const group of groups) {
    const folders = [...new Set(dirs)].map((d) => nodePath.join(d, "group_data"));
    if (extraDir !== undefined) folders.push(nodePath.resolve(extraDir));
    for (const folder of folders) {
      const file = findDataFile(nodePath.join(folder, group));
      if (!file) continue;
      result[group] = { ...result[group], ...await loadDataFile(file, loader) };
    }
  }
  return result;
}

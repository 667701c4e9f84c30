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

/**
 * Parses an inline inventory: `@local`, `host`, `host1,host2`, `@docker/debian`;
 * `@terraform/KEY` and `@vagrant[/VM]` expand into the hosts those tools list.
 */
export async function inlineInventory(text: string): Promise<InventorySpec> {
  const names = text.split(",").map((n) => n.trim()).filter(Boolean);
  if (!names.length) throw new ArgumentError(`Empty inventory: ${JSON.stringify(text)}`);
  const hosts: HostDeclaration[] = [];
  for (const name of names) {
    if (isInventoryConnector(name)) hosts.push(...await expandInventoryConnector(name));
    else hosts.push({ name, data: {}, groups: [] });
  }
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
): Promise<DataLayers["groups"] & { all?: Record<string, unknown> }> {
  const groups = new Set<string>(["all"]);
  for (const host of spec.hosts) for (const g of host.groups) groups.add(g);
  const result: Record<string, Record<string, unknown>> = {};
  const loader = new ModuleLoader("group-data");
  for (const group of groups) {
    for (const dir of [...new Set(dirs)]) {
      const file = findDataFile(nodePath.join(dir, "group_data", group));
      if (!file) continue;
      result[group] = { ...result[group], ...await loadDataFile(file, loader) };
    }
  }
  return result;
}

/**
 * The objects deploy code imports from `tsinfra`: `host`, `inventory` and `local`.
 * Each reads the deploy context of the code that uses it, so one deploy file serves
 * every host.
 *
 * @module
 */
import { currentDeploy, type DeployScope } from "./context.ts";
import type { Fact, FactArgs } from "./fact.ts";
import type { GlobalArgumentsInput } from "./arguments.ts";
import type { Host } from "./host.ts";
import { captureCallSite, innermost } from "./call_site.ts";

function scope(what: string): DeployScope {
  return currentDeploy(what).scope;
}

/** The current host, as deploy code sees it. */
export interface CurrentHost {
  /** The host's inventory name. */
  readonly name: string;
  /** The host's resolved data (with `local.include` data on top). */
  readonly data: Readonly<Record<string, unknown>>;
  /** Every group the host belongs to, `all` included. */
  readonly groups: readonly string[];
  /** Reads a fact of this host. */
  getFact<T, A extends FactArgs>(
    fact: Fact<T, A>,
    args?: Partial<A>,
    globals?: GlobalArgumentsInput,
  ): Promise<T>;
}

/**
 * The host the deploy code is running for.
 *
 * @example
 * ```ts ignore
 * import { host, files } from "tsinfra";
 * files.file({ path: `/etc/motd`, present: host.data.motd !== undefined });
 * ```
 */
export const host: CurrentHost = {
  get name() {
    return scope("host.name").host.name;
  },
  get data() {
    return scope("host.data").data;
  },
  get groups() {
    return scope("host.groups").host.groups;
  },
  getFact(fact, args, globals) {
    return scope("host.getFact").host.getFact(fact, args, globals);
  },
};

/** The inventory, as deploy code sees it. */
export interface CurrentInventory {
  /** A host by name; throws when there is none. */
  getHost(name: string): Host;
  /** The hosts of a group (empty when the group does not exist). */
  getGroup(name: string): Host[];
  /** Every host. */
  getHosts(): Host[];
}

/**
 * The inventory of the run.
 *
 * @example
 * ```ts ignore
 * import { inventory } from "tsinfra";
 * import { Hostname } from "tsinfra/facts/server";
 * const dbName = await inventory.getHost("db").getFact(Hostname);
 * ```
 */
export const inventory: CurrentInventory = {
  getHost(name) {
    const found = scope("inventory.getHost").inventory.getHost(name);
    if (!found) throw new Error(`inventory.getHost: no host named ${name} in the inventory`);
    return found;
  },
  getGroup(name) {
    return scope("inventory.getGroup").inventory.getGroup(name);
  },
  getHosts() {
    return scope("inventory.getHosts").inventory.getHosts();
  },
};

/** Options of {@linkcode local.include}. */
export interface IncludeOptions {
  /** Data seen as `host.data` inside the included file, over the host's own. */
  data?: Record<string, unknown>;
}

/** Controller-side helpers for deploy code (pyinfra's `local`). */
export const local = {
  /**
   * Runs another deploy file for the current host, as pyinfra's `local.include`.
   * `./x` is relative to the calling file; other relative paths to the working folder.
   *
   * @example
   * ```ts ignore
   * import { local } from "tsinfra";
   * await local.include("./tasks/nginx.ts", { data: { port: 8080 } });
   * ```
   */
  include(path: string, options: IncludeOptions = {}): Promise<void> {
    const current = scope("local.include");
    let target = path;
    if (path.startsWith("./") || path.startsWith("../")) {
      const caller = innermost(captureCallSite(userFileLookup));
      if (caller) target = joinPath(dirname(caller.file), path);
    }
    return current.include(target, options.data);
  },
};

let userFileLookup: (url: string) => string | undefined = () => undefined;

/** Lets the loader tell which module URLs are user files (for `./` paths). */
export function setUserFileLookup(lookup: (url: string) => string | undefined): void {
  userFileLookup = lookup;
}

/** The user-file lookup installed by the loader. */
export function getUserFileLookup(): (url: string) => string | undefined {
  return userFileLookup;
}

function dirname(path: string): string {
  const at = path.lastIndexOf("/");
  return at <= 0 ? "/" : path.slice(0, at);
}

function joinPath(dir: string, relative: string): string {
  const parts = dir.split("/");
  for (const part of relative.split("/")) {
    if (part === "." || part === "") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return parts.join("/") || "/";
}

/**
 * Binds every copy of the library that a deploy imports to the running engine. A deploy
 * may import `tsinfra` through the import map `tsinfra init` writes, a URL of any served
 * copy (`https://host/tsinfra/mod.ts`, `.../src/facts/server.ts`), or a relative path to
 * a checkout. Each of those would otherwise load a second engine that the run never
 * sees ("called outside a deploy"), so the loader points them all at the running copy's
 * own modules, and warns once when the imported copy is another version.
 *
 * @module
 */
import { DeployError } from "../core/errors.ts";
import { LIBRARY, VERSION } from "../version.ts";

/** The running copy of the library (a file: URL, an https: URL, or the binary's own). */
export const LIBRARY_ROOT: URL = new URL("../../", import.meta.url);

/** A module path of the library, relative to its root: `mod.ts` or `src/...ts`. */
const LIBRARY_MODULE = /^(.*\/)(mod\.ts|src\/(?:[a-z0-9_]+\/)*[a-z0-9_]+\.ts)$/;

/** A library copy's root URL, mapped to its version (undefined: not a tsinfra copy). */
const copies = new Map<string, Promise<string | undefined>>();
const warned = new Set<string>();

let warningSink: (message: string) => void = () => {};

/**
 * Where warnings about imported library copies go (another version than the running
 * one). Silent by default: the coordinator scans the deploy once and reports them, so
 * each host's loader need not repeat them.
 */
export function setLibraryWarningSink(sink: (message: string) => void): void {
  warningSink = sink;
}

/** pyinfra's module names that live in another file of ours. */
export const MODULE_FILE_ALIASES: Record<string, string> = { postgresql: "postgres" };

/**
 * The modules of the library's operations and facts, by the names their definitions
 * carry (`src/operations/<module>.ts`, `src/facts/<module>.ts`, with the aliases above).
 * Plain data, so that resolving an import needs no catalogue; a test checks it against
 * the built-in catalogue.
 */
export const LIBRARY_MODULES: Readonly<Record<"operations" | "facts", readonly string[]>> = {
  operations: (
    "apk apt brew bsdinit cargo choco dnf docker files gem git iptables js launchd lxd " +
    "mysql npm openrc pacman pip pkg pkgin postgres puppet selinux server snap ssh " +
    "systemd sysvinit upstart vzctl xbps yum zypper"
  ).split(" "),
  facts: (
    "apk apt brew bsdinit cargo choco deb dnf docker files gem git gpg hardware iptables " +
    "launchd lxd mysql npm openrc pacman pip pkg pkgin postgres postgresql rpm selinux " +
    "server snap systemd sysvinit upstart vzctl xbps yum zypper"
  ).split(" "),
};

function checkModule(kind: string, module: string, specifier: string): string {
  const modules = LIBRARY_MODULES[kind === "facts" ? "facts" : "operations"];
  if (modules.includes(module)) return MODULE_FILE_ALIASES[module] ?? module;
  throw new DeployError(
    `Unknown tsinfra module ${specifier}: ${kind} modules are ${[...modules].sort().join(", ")}`,
  );
}

/**
 * Where `tsinfra` and `tsinfra/<sub>` resolve: the running copy of the library.
 * Accepted: `tsinfra`, `tsinfra/operations`, `tsinfra/facts`, `tsinfra/facts/<module>`
 * and `tsinfra/operations/<module>` (with or without `.ts`).
 *
 * @example
 * ```ts
 * import { librarySpecifier } from "./library_imports.ts";
 * if (!librarySpecifier("tsinfra")?.endsWith("/mod.ts")) throw new Error();
 * ```
 */
export function librarySpecifier(specifier: string): string | undefined {
  if (specifier === "tsinfra") return new URL("mod.ts", LIBRARY_ROOT).href;
  if (specifier === "tsinfra/facts" || specifier === "tsinfra/operations") {
    return new URL(`src/${specifier.slice(8)}/mod.ts`, LIBRARY_ROOT).href;
  }
  const match = /^tsinfra\/(facts|operations)\/([a-z0-9_]+)(\.ts)?$/.exec(specifier);
  if (!match) return undefined;
  const file = checkModule(match[1], match[2], specifier);
  return new URL(`src/${match[1]}/${file}.ts`, LIBRARY_ROOT).href;
}

/** Reads a copy's `src/version.ts`: its version when it is tsinfra, else undefined. */
function versionOf(root: string): Promise<string | undefined> {
  let known = copies.get(root);
  if (!known) {
    known = (async () => {
      try {
        const response = await fetch(new URL("src/version.ts", root));
        if (!response.ok) {
          await response.body?.cancel();
          return undefined;
        }
        const text = await response.text();
        if (!text.includes(`export const LIBRARY = "${LIBRARY}"`)) return undefined;
        return /export const VERSION = "([^"]+)"/.exec(text)?.[1] ?? "unknown";
      } catch {
        return undefined; // unreachable or unreadable: not treated as a library copy
      }
    })();
    copies.set(root, known);
  }
  return known;
}

/**
 * When `url` is a module of a tsinfra copy (served or on disk), the running library's
 * URL for the same module; else undefined.
 *
 * @param url the absolute URL (file:, http:, https:) a deploy imports
 * @param from the importing file, for messages
 */
export async function boundLibraryModule(url: URL, from: string): Promise<string | undefined> {
  const match = LIBRARY_MODULE.exec(url.href.replace(/[?#].*$/, ""));
  if (!match) return undefined;
  const [, root, module] = match;
  if (root === LIBRARY_ROOT.href) return url.href;
  const version = await versionOf(root);
  if (version === undefined) return undefined;
  const sub = /^src\/(facts|operations)\/([a-z0-9_]+)\.ts$/.exec(module);
  if (sub) checkModule(sub[1], sub[2], `${root}${module} (imported by ${from})`);
  if (version !== VERSION && !warned.has(root)) {
    warned.add(root);
    warningSink(
      `${from} imports tsinfra ${version} from ${root}, but this is tsinfra ${VERSION}: ` +
        `the deploy runs with ${VERSION}`,
    );
  }
  return new URL(module, LIBRARY_ROOT).href;
}

/**
 * Parsers the package-manager facts share: `name version` lines into name -> versions,
 * and INI-style repository files (yum, zypper) into a list of repositories.
 *
 * @module
 */

/** Package name -> installed versions. */
export type PackageVersions = Record<string, string[]>;

/**
 * Collects `regex` group 1 (name) and group 2 (version) from every matching line, the
 * way pyinfra's `parse_packages` does (matching at the start of the line).
 *
 * @example
 * ```ts
 * import { parsePackages } from "./packaging.ts";
 * parsePackages(/^(\S+) (\S+)/, ["curl 7.88"]); // { curl: ["7.88"] }
 * ```
 */
export function parsePackages(regex: RegExp, lines: readonly string[]): PackageVersions {
  const anchored = regex.source.startsWith("^")
    ? regex
    : new RegExp("^(?:" + regex.source + ")", regex.flags);
  const packages: PackageVersions = {};
  for (const line of lines) {
    const match = anchored.exec(line);
    if (!match) continue;
    const versions = packages[match[1]] ??= [];
    if (!versions.includes(match[2])) versions.push(match[2]);
  }
  return packages;
}

/** One repository from a `.repo` file: `name` plus every `key=value`. */
export type RepositoryEntry = Record<string, string>;

/**
 * Parses yum/zypper `.repo` files: `[name]` starts a repository, `key=value` lines fill
 * it; blank lines and `#` comments are ignored.
 *
 * @example
 * ```ts
 * import { parseRepositories } from "./packaging.ts";
 * parseRepositories(["[epel]", "enabled=1"]); // [{ name: "epel", enabled: "1" }]
 * ```
 */
export function parseRepositories(lines: readonly string[]): RepositoryEntry[] {
  const repos: RepositoryEntry[] = [];
  let current: RepositoryEntry = {};
  for (const raw of lines) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    if (line.startsWith("[")) {
      if (Object.keys(current).length) repos.push(current);
      current = { name: line.slice(1, -1) };
    }
    if (Object.keys(current).length && line.includes("=")) {
      const at = line.indexOf("=");
      current[line.slice(0, at)] = line.slice(at + 1);
    }
  }
  if (Object.keys(current).length) repos.push(current);
  return repos;
}

/**
 * dpkg facts: installed packages (`deb.DebPackages`), one package or `.deb` archive
 * (`deb.DebPackage`) and the architecture (`deb.DebArch`).
 *
 * @module
 */
import { defineFact, type Fact } from "../core/fact.ts";
import { sh } from "../core/command.ts";
import { type PackageVersions, parsePackages } from "./util/packaging.ts";

const NAME = "[a-zA-Z0-9\\+\\-\\.]+";
const VERSION = "[a-zA-Z0-9:~\\.\\-\\+]+";

/**
 * The architecture apt sources use, e.g. `amd64`.
 *
 * @example
 * ```ts ignore
 * const arch = await host.getFact(DebArch); // "amd64"
 * ```
 */
export const DebArch: Fact<string | null> = defineFact<string | null>({
  name: "deb.DebArch",
  summary: "Returns the architecture string used in apt repository sources.",
  command: "dpkg --print-architecture",
  requiresCommand: "dpkg",
  process: (lines) => lines.join("\n").trim() || null,
  default: () => null,
});

/**
 * Installed (and held) packages: name -> versions, from `dpkg -l`.
 *
 * @example
 * ```ts ignore
 * const installed = await host.getFact(DebPackages);
 * installed.nginx; // ["1.22.1-9"]
 * ```
 */
export const DebPackages: Fact<PackageVersions> = defineFact<PackageVersions>({
  name: "deb.DebPackages",
  summary: "Returns a dict of installed dpkg packages.",
  command: "dpkg -l",
  requiresCommand: "dpkg",
  process: (lines) =>
    parsePackages(new RegExp(`^[i|h]i\\s+(${NAME}):?[a-zA-Z0-9]*\\s+(${VERSION}).+$`), lines),
  default: () => ({}),
});

/** What `deb.DebPackage` reports. */
export interface DebPackageInfo {
  name?: string;
  version?: string;
}

/**
 * An installed package by name, or a `.deb` file on the host by path: its name and
 * version (empty when neither exists).
 *
 * @example
 * ```ts ignore
 * const info = await host.getFact(DebPackage, { name: "/tmp/tool.deb" }); // { name, version }
 * ```
 */
export const DebPackage: Fact<DebPackageInfo, { name: string }> = defineFact<
  DebPackageInfo,
  { name: string }
>({
  name: "deb.DebPackage",
  summary: "Returns information on a .deb archive or installed package.",
  argNames: ["name"],
  requiresCommand: "dpkg",
  command: ({ name }) =>
    sh`! test -e ${name} && (dpkg -s ${name} 2>/dev/null || true) || dpkg -I ${name}`,
  process: (lines) => {
    const info: DebPackageInfo = {};
    for (const raw of lines) {
      const line = raw.trim();
      const name = new RegExp(`^Package:\\s+(${NAME})$`).exec(line);
      if (name) {
        info.name = name[1];
        continue;
      }
      const version = new RegExp(`^Version:\\s+(${VERSION})$`).exec(line);
      if (version) info.version = version[1];
    }
    return info;
  },
  default: () => ({}),
});

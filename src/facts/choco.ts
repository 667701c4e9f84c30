/**
 * Chocolatey facts (Windows): installed packages (`choco.ChocoPackages`) and choco's
 * version (`choco.ChocoVersion`), run in PowerShell.
 *
 * @module
 */
import { defineFact, type Fact } from "../core/fact.ts";
import { type PackageVersions, parsePackages } from "./util/packaging.ts";

/**
 * Installed Chocolatey packages: name -> versions.
 *
 * @example
 * ```ts ignore
 * const installed = await host.getFact(ChocoPackages);
 * ```
 */
export const ChocoPackages: Fact<PackageVersions> = defineFact<PackageVersions>({
  name: "choco.ChocoPackages",
  summary: "Returns a dict of installed choco packages.",
  command: "choco list",
  shellExecutable: "ps",
  process: (lines) => parsePackages(/^([a-zA-Z0-9.\-+_]+)\s([0-9.]+)$/, lines),
  default: () => ({}),
});

/**
 * choco's version.
 *
 * @example
 * ```ts ignore
 * const version = await host.getFact(ChocoVersion);
 * ```
 */
export const ChocoVersion: Fact<string | null> = defineFact<string | null>({
  name: "choco.ChocoVersion",
  summary: "Returns the choco version.",
  command: "choco --version",
  process: (lines) => lines.join("").replaceAll("\n", ""),
  default: () => null,
});

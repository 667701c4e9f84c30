/**
 * pacman facts: installed packages (`pacman.PacmanPackages`) and the members of a
 * package group (`pacman.PacmanUnpackGroup`).
 *
 * @module
 */
import { defineFact, type Fact } from "../core/fact.ts";
import { sh } from "../core/command.ts";
import { type PackageVersions, parsePackages } from "./util/packaging.ts";

/**
 * Installed pacman packages: name -> versions.
 *
 * @example
 * ```ts ignore
 * const installed = await host.getFact(PacmanPackages);
 * ```
 */
export const PacmanPackages: Fact<PackageVersions> = defineFact<PackageVersions>({
  name: "pacman.PacmanPackages",
  summary: "Returns a dict of installed pacman packages.",
  command: "pacman -Q",
  requiresCommand: "pacman",
  process: (lines) => parsePackages(/^([0-9a-zA-Z-]+)\s([0-9._+a-z-]+)/, lines),
  default: () => ({}),
});

/**
 * The packages a name stands for: a group's members, or the package itself.
 *
 * @example
 * ```ts ignore
 * const members = await host.getFact(PacmanUnpackGroup, { name: "base-devel" });
 * ```
 */
export const PacmanUnpackGroup: Fact<string[], { name: string }> = defineFact<
  string[],
  { name: string }
>({
  name: "pacman.PacmanUnpackGroup",
  summary: "Returns a list of actual packages belonging to the provided package name.",
  argNames: ["name"],
  requiresCommand: "pacman",
  command: ({ name }) => sh`pacman -S --print-format "%n" ${name} || true`,
  process: (lines) => lines,
  default: () => [],
});

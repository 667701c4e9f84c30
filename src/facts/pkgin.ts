/**
 * pkgin facts (NetBSD, SmartOS): installed packages (`pkgin.PkginPackages`).
 *
 * @module
 */
import { defineFact, type Fact } from "../core/fact.ts";
import { type PackageVersions, parsePackages } from "./util/packaging.ts";

/**
 * Installed pkgin packages: name -> versions.
 *
 * @example
 * ```ts ignore
 * const installed = await host.getFact(PkginPackages);
 * ```
 */
export const PkginPackages: Fact<PackageVersions> = defineFact<PackageVersions>({
  name: "pkgin.PkginPackages",
  summary: "Returns a dict of installed pkgin packages.",
  command: "pkgin list",
  requiresCommand: "pkgin",
  process: (lines) => parsePackages(/^([a-zA-Z\-0-9]+)-([0-9.]+-?[a-z0-9]*)\s/, lines),
  default: () => ({}),
});

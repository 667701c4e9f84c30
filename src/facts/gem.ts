/**
 * gem facts: installed packages (`gem.GemPackages`).
 *
 * @module
 */
import { defineFact, type Fact } from "../core/fact.ts";
import { type PackageVersions, parsePackages } from "./util/packaging.ts";

/**
 * Installed gem packages: name -> versions.
 *
 * @example
 * ```ts ignore
 * const installed = await host.getFact(GemPackages);
 * ```
 */
export const GemPackages: Fact<PackageVersions> = defineFact<PackageVersions>({
  name: "gem.GemPackages",
  summary: "Returns a dict of installed gem packages.",
  command: "gem list --local",
  requiresCommand: "gem",
  process: (lines) => parsePackages(/^([a-zA-Z0-9\-+_]+)\s\(([0-9.]+)\)$/, lines),
  default: () => ({}),
});

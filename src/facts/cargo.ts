/**
 * cargo facts: installed packages (`cargo.CargoPackages`).
 *
 * @module
 */
import { defineFact, type Fact } from "../core/fact.ts";
import { type PackageVersions, parsePackages } from "./util/packaging.ts";

/**
 * Installed cargo packages: name -> versions.
 *
 * @example
 * ```ts ignore
 * const installed = await host.getFact(CargoPackages);
 * ```
 */
export const CargoPackages: Fact<PackageVersions> = defineFact<PackageVersions>({
  name: "cargo.CargoPackages",
  summary: "Returns a dict of installed cargo packages globally.",
  command: "cargo install --list",
  requiresCommand: "cargo",
  process: (lines) => parsePackages(/^([a-zA-Z0-9-]+)\sv([0-9.]+)/, lines),
  default: () => ({}),
});

/**
 * apk facts: installed Alpine packages (`apk.ApkPackages`).
 *
 * @module
 */
import { defineFact, type Fact } from "../core/fact.ts";
import { type PackageVersions, parsePackages } from "./util/packaging.ts";

/**
 * Installed apk packages: name -> versions.
 *
 * @example
 * ```ts ignore
 * const installed = await host.getFact(ApkPackages);
 * ```
 */
export const ApkPackages: Fact<PackageVersions> = defineFact<PackageVersions>({
  name: "apk.ApkPackages",
  summary: "Returns a dict of installed apk packages.",
  command: "apk list --installed",
  requiresCommand: "apk",
  process: (lines) => parsePackages(/^([a-zA-Z0-9\-_]+)-([0-9.]+-?[a-z0-9]*)\s/, lines),
  default: () => ({}),
});

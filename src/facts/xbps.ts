/**
 * xbps facts: installed Void Linux packages (`xbps.XbpsPackages`).
 *
 * @module
 */
import { defineFact, type Fact } from "../core/fact.ts";
import { type PackageVersions, parsePackages } from "./util/packaging.ts";

/**
 * Installed xbps packages: name -> versions.
 *
 * @example
 * ```ts ignore
 * const installed = await host.getFact(XbpsPackages);
 * ```
 */
export const XbpsPackages: Fact<PackageVersions> = defineFact<PackageVersions>({
  name: "xbps.XbpsPackages",
  summary: "Returns a dict of installed XBPS packages.",
  command: "xbps-query -l",
  requiresCommand: "xbps-query",
  process: (lines) => parsePackages(/^.. ([a-zA-Z0-9_\-+]+)-([0-9a-z_.]+)/, lines),
  default: () => ({}),
});

/**
 * BSD pkg facts: installed packages (`pkg.PkgPackages`), from `pkg info` or `pkg_info`.
 *
 * @module
 */
import { defineFact, type Fact } from "../core/fact.ts";
import { type PackageVersions, parsePackages } from "./util/packaging.ts";

/**
 * Installed BSD packages: name -> versions.
 *
 * @example
 * ```ts ignore
 * const installed = await host.getFact(PkgPackages);
 * ```
 */
export const PkgPackages: Fact<PackageVersions> = defineFact<PackageVersions>({
  name: "pkg.PkgPackages",
  summary: "Returns a dict of installed pkg packages.",
  command: "pkg info || pkg_info || true",
  process: (lines) => parsePackages(/^([a-zA-Z0-9_\-+]+)-([0-9a-z.]+)/, lines),
  default: () => ({}),
});

/**
 * npm facts: installed packages, global or of a project (`npm.NpmPackages`).
 *
 * @module
 */
import { defineFact, type Fact } from "../core/fact.ts";
import { sh } from "../core/command.ts";
import { type PackageVersions, parsePackages } from "./util/packaging.ts";

/**
 * Installed npm packages: global, or run in `directory` (as pyinfra, still `-g`).
 *
 * @example
 * ```ts ignore
 * const installed = await host.getFact(NpmPackages, {});
 * ```
 */
export const NpmPackages: Fact<PackageVersions, { directory?: string | null }> = defineFact<
  PackageVersions,
  { directory?: string | null }
>({
  name: "npm.NpmPackages",
  summary: "Returns a dict of installed npm packages globally or in a given directory.",
  argNames: ["directory"],
  requiresCommand: "npm",
  command: ({ directory }) =>
    directory ? sh`cd ${directory} && npm list -g --depth=0` : "npm list -g --depth=0",
  // npm draws the tree with ├──/└── in a UTF-8 locale and +--/`-- otherwise.
  process: (lines) => parsePackages(/^(?:[└├]──|[`+]--)\s([a-zA-Z0-9-]+)@([0-9.]+)$/, lines),
  default: () => ({}),
});

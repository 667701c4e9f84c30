/**
 * pip facts: installed Python packages (`pip.PipPackages`, `pip.Pip3Packages`), from
 * `pip freeze --all`.
 *
 * @module
 */
import { defineFact, type Fact } from "../core/fact.ts";
import { StringCommand } from "../core/command.ts";
import { type PackageVersions, parsePackages } from "./util/packaging.ts";

const PIP_REGEX = /^([a-zA-Z0-9_\-+.]+)==([0-9.]+[a-z0-9-]*)$/;

function pipPackages(name: string, defaultPip: string, summary: string) {
  return defineFact<PackageVersions, { pip?: string | null }>({
    name,
    summary,
    argNames: ["pip"],
    requiresCommand: ({ pip }) => pip || defaultPip,
    command: ({ pip }) => new StringCommand([pip || defaultPip, "freeze --all"]),
    process: (lines) => parsePackages(PIP_REGEX, lines),
    default: () => ({}),
  });
}

/**
 * Packages `pip` (or the given pip, e.g. a virtualenv's) has installed: name -> versions.
 *
 * @example
 * ```ts ignore
 * const installed = await host.getFact(PipPackages, { pip: "/srv/venv/bin/pip" });
 * ```
 */
export const PipPackages: Fact<PackageVersions, { pip?: string | null }> = pipPackages(
  "pip.PipPackages",
  "pip",
  "Returns a dict of installed pip packages.",
);

/**
 * As {@linkcode PipPackages}, with `pip3` by default.
 *
 * @example
 * ```ts ignore
 * const installed = await host.getFact(Pip3Packages, {});
 * ```
 */
export const Pip3Packages: Fact<PackageVersions, { pip?: string | null }> = pipPackages(
  "pip.Pip3Packages",
  "pip3",
  "Returns a dict of installed pip3 packages.",
);

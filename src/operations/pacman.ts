/**
 * pacman operations (Arch Linux): `pacman.packages`, `pacman.update` and `pacman.upgrade`, with
 * pyinfra's arguments and commands.
 *
 * @module
 */
import { sh } from "../core/command.ts";
import type { Operation } from "../core/operation.ts";
import { simplePackageManager, type SimplePackagesOptions } from "./util/simple_packages.ts";
import { PacmanPackages, PacmanUnpackGroup } from "../facts/pacman.ts";

const manager = simplePackageManager({
  module: "pacman",
  label: "pacman",
  installed: PacmanPackages,
  updateCommand: sh`pacman -Sy`,
  upgradeCommand: sh`pacman --noconfirm -Su`,
  installCommand: sh`pacman --noconfirm -S`,
  uninstallCommand: sh`pacman --noconfirm -R`,
  // A group name stands for its member packages.
  expandPackage: async (pkg, ctx) => {
    const name = typeof pkg === "string" ? pkg : pkg[0];
    const members = await ctx.host.getFact(PacmanUnpackGroup, { name });
    return members?.length ? members : null;
  },
});

/** Options of {@linkcode packages}. */
export type PackagesOptions = Omit<SimplePackagesOptions, "latest">;

/**
 * Installs or removes pacman packages.
 *
 * @example
 * ```ts ignore
 * pacman.packages({ packages: ["nginx"], update: true });
 * ```
 */
export const packages: Operation<PackagesOptions> = manager.packages;

/**
 * Updates pacman's package lists. Not idempotent.
 *
 * @example
 * ```ts ignore
 * pacman.update({});
 * ```
 */
export const update: Operation<Record<string, never>> = manager.update;

/**
 * Upgrades every pacman package. Not idempotent.
 *
 * @example
 * ```ts ignore
 * pacman.upgrade({});
 * ```
 */
export const upgrade: Operation<Record<string, never>> = manager.upgrade!;

/**
 * xbps operations (Void Linux): `xbps.packages`, `xbps.update` and `xbps.upgrade`, with
 * pyinfra's arguments and commands.
 *
 * @module
 */
import { sh } from "../core/command.ts";
import type { Operation } from "../core/operation.ts";
import { XbpsPackages } from "../facts/xbps.ts";
import { simplePackageManager, type SimplePackagesOptions } from "./util/simple_packages.ts";
const manager = simplePackageManager({
  module: "xbps",
  label: "XBPS",
  installed: XbpsPackages,
  updateCommand: sh`xbps-install -S`,
  upgradeCommand: sh`xbps-install -y -u`,
  installCommand: sh`xbps-install -y -u`,
  uninstallCommand: sh`xbps-remove -y`,
});

/** Options of {@linkcode packages}. */
export type PackagesOptions = Omit<SimplePackagesOptions, "latest">;

/**
 * Installs or removes XBPS packages.
 *
 * @example
 * ```ts ignore
 * xbps.packages({ packages: ["nginx"], update: true });
 * ```
 */
export const packages: Operation<PackagesOptions> = manager.packages;

/**
 * Updates XBPS's package lists. Not idempotent.
 *
 * @example
 * ```ts ignore
 * xbps.update({});
 * ```
 */
export const update: Operation<Record<string, never>> = manager.update;

/**
 * Upgrades every XBPS package. Not idempotent.
 *
 * @example
 * ```ts ignore
 * xbps.upgrade({});
 * ```
 */
export const upgrade: Operation<Record<string, never>> = manager.upgrade!;

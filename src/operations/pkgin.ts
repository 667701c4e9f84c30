/**
 * pkgin operations (NetBSD, SmartOS): `pkgin.packages`, `pkgin.update` and
 * `pkgin.upgrade`, with pyinfra's arguments and commands.
 *
 * @module
 */
import { sh } from "../core/command.ts";
import type { Operation } from "../core/operation.ts";
import { PkginPackages } from "../facts/pkgin.ts";
import { simplePackageManager, type SimplePackagesOptions } from "./util/simple_packages.ts";

const pkgin = simplePackageManager({
  module: "pkgin",
  label: "pkgin",
  installed: PkginPackages,
  updateCommand: sh`pkgin -y update`,
  upgradeCommand: sh`pkgin -y upgrade`,
  installCommand: sh`pkgin -y install`,
  uninstallCommand: sh`pkgin -y remove`,
  upgradePackagesCommand: sh`pkgin -y upgrade`,
  latest: true,
});

/** Options of {@linkcode packages}. */
export type PackagesOptions = SimplePackagesOptions;

/**
 * Installs or removes pkgin packages.
 *
 * @example
 * ```ts ignore
 * pkgin.packages({ packages: ["nginx"], update: true });
 * ```
 */
export const packages: Operation<PackagesOptions> = pkgin.packages;

/**
 * Updates pkgin's package lists. Not idempotent.
 *
 * @example
 * ```ts ignore
 * pkgin.update({});
 * ```
 */
export const update: Operation<Record<string, never>> = pkgin.update;

/**
 * Upgrades every pkgin package. Not idempotent.
 *
 * @example
 * ```ts ignore
 * pkgin.upgrade({});
 * ```
 */
export const upgrade: Operation<Record<string, never>> = pkgin.upgrade!;

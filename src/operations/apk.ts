/**
 * apk operations (Alpine Linux): `apk.packages`, `apk.update` and `apk.upgrade`, with
 * pyinfra's arguments and commands.
 *
 * @module
 */
import { sh } from "../core/command.ts";
import { defineOperation, type Operation } from "../core/operation.ts";
import { ApkPackages } from "../facts/apk.ts";
import { simplePackageManager, type SimplePackagesOptions } from "./util/simple_packages.ts";

const apk = simplePackageManager({
  module: "apk",
  label: "apk",
  installed: ApkPackages,
  updateCommand: sh`apk update`,
  upgradeCommand: sh`apk upgrade`,
  installCommand: sh`apk add`,
  uninstallCommand: sh`apk del`,
  upgradePackagesCommand: sh`apk upgrade`,
  versionJoin: "=",
  latest: true,
  ownUpgrade: true,
});

/** Options of {@linkcode packages}. */
export type PackagesOptions = SimplePackagesOptions;

/**
 * Installs or removes apk packages; pin a version with `name=version`.
 *
 * @example
 * ```ts ignore
 * apk.packages({ packages: ["nginx", "curl"], update: true });
 * ```
 */
export const packages: Operation<PackagesOptions> = apk.packages;

/**
 * Updates apk's package index. Not idempotent.
 *
 * @example
 * ```ts ignore
 * apk.update({});
 * ```
 */
export const update: Operation<Record<string, never>> = apk.update;

/** Options of {@linkcode upgrade}. */
export interface UpgradeOptions {
  /** Also replace packages that are not in the repositories any more (`--available`). @default {false} */
  available?: boolean;
}

/**
 * Upgrades every apk package. Not idempotent.
 *
 * @example
 * ```ts ignore
 * apk.upgrade({ available: true });
 * ```
 */
export const upgrade: Operation<UpgradeOptions> = defineOperation<UpgradeOptions>(
  "apk.upgrade",
  {
    argNames: ["available"],
    idempotent: false,
    summary: "Upgrades all apk packages.",
    async *generator({ available }) {
      yield available ? sh`apk upgrade --available` : sh`apk upgrade`;
    },
  },
);

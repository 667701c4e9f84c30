/**
 * The shape most package managers share in pyinfra: `update`, `upgrade` and
 * `packages` (with optional update/upgrade first), built from the manager's commands.
 * apk, pacman, xbps and pkgin are defined with it.
 *
 * @module
 */
import type { StringCommand } from "../../core/command.ts";
import { defineOperation, type Operation } from "../../core/operation.ts";
import type { Fact } from "../../core/fact.ts";
import type { PackageVersions } from "../../facts/util/packaging.ts";
import { ensurePackages, type PackageSpec } from "./packaging.ts";

/** Options of a simple manager's `packages`. */
export interface SimplePackagesOptions {
  /** Packages to ensure. @default {null} */
  packages?: string | PackageSpec[] | null;
  /** Whether they should be installed. @default {true} */
  present?: boolean;
  /** Upgrade installed packages given without a version (where supported). @default {false} */
  latest?: boolean;
  /** Update the package lists first. @default {false} */
  update?: boolean;
  /** Upgrade every package first. @default {false} */
  upgrade?: boolean;
}

/** What differs between simple package managers. */
export interface SimpleManager {
  /** pyinfra's module name: `apk`. */
  module: string;
  /** Display name for summaries: `apk`. */
  label: string;
  installed: Fact<PackageVersions>;
  /** Built with {@linkcode sh}, as every other command here: `` sh`apk update` ``. */
  updateCommand: StringCommand;
  upgradeCommand: StringCommand;
  /** The command the packages to install are appended to. */
  installCommand: StringCommand;
  uninstallCommand: StringCommand;
  /** The command upgrading named packages (`latest`), if the manager has one. */
  upgradePackagesCommand?: StringCommand;
  versionJoin?: string;
  /** Whether `packages` takes `latest` (pyinfra's signature). */
  latest?: boolean;
  /** The module defines its own `upgrade` (with options): do not register one. */
  ownUpgrade?: boolean;
  expandPackage?: (
    pkg: PackageSpec,
    ctx: Parameters<Operation<unknown>["generate"]>[1],
  ) => Promise<PackageSpec[] | null>;
}

/** The `update`, `upgrade` and `packages` operations of a simple manager. */
export function simplePackageManager(manager: SimpleManager): {
  update: Operation<Record<string, never>>;
  upgrade: Operation<Record<string, never>> | undefined;
  packages: Operation<SimplePackagesOptions>;
} {
  const update = defineOperation<Record<string, never>>(`${manager.module}.update`, {
    argNames: [],
    idempotent: false,
    summary: `Update ${manager.label} repositories.`,
    async *generator() {
      yield manager.updateCommand;
    },
  });
  const upgrade = manager.ownUpgrade
    ? undefined
    : defineOperation<Record<string, never>>(`${manager.module}.upgrade`, {
      argNames: [],
      idempotent: false,
      summary: `Upgrade all ${manager.label} packages.`,
      async *generator() {
        yield manager.upgradeCommand;
      },
    });
  const packages = defineOperation<SimplePackagesOptions>(`${manager.module}.packages`, {
    argNames: manager.latest
      ? ["packages", "present", "latest", "update", "upgrade"]
      : ["packages", "present", "update", "upgrade"],
    summary: `Add/remove/update ${manager.label} packages.`,
    async *generator(args, ctx) {
      if (args.update) yield manager.updateCommand;
      if (args.upgrade) yield manager.upgradeCommand;
      yield* ensurePackages(ctx, {
        packages: args.packages,
        current: await ctx.host.getFact(manager.installed),
        present: args.present ?? true,
        installCommand: manager.installCommand,
        uninstallCommand: manager.uninstallCommand,
        upgradeCommand: manager.upgradePackagesCommand,
        versionJoin: manager.versionJoin,
        latest: args.latest ?? false,
        expandPackage: manager.expandPackage
          ? (pkg) => manager.expandPackage!(pkg, ctx)
          : undefined,
      });
    },
  });
  return { update, upgrade, packages };
}

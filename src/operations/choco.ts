/**
 * Chocolatey operations (Windows): `choco.packages` and `choco.install`, with
 * pyinfra's arguments and commands.
 *
 * @module
 */
import { sh } from "../core/command.ts";
import { defineOperation, type Operation } from "../core/operation.ts";
import { ChocoPackages } from "../facts/choco.ts";
import { ensurePackages } from "./util/packaging.ts";

/** Options of {@linkcode packages}. */
export interface PackagesOptions {
  /** Packages to ensure; pin a version with `name:version`. @default {null} */
  packages?: string | string[] | null;
  /** Whether they should be installed. @default {true} */
  present?: boolean;
  /** Upgrade installed packages given without a version. @default {false} */
  latest?: boolean;
}

/**
 * Installs or removes Chocolatey packages.
 *
 * @example
 * ```ts ignore
 * choco.packages({ packages: ["notepadplusplus"] });
 * ```
 */
export const packages: Operation<PackagesOptions> = defineOperation<PackagesOptions>(
  "choco.packages",
  {
    argNames: ["packages", "present", "latest"],
    summary: "Add/remove/update choco packages.",
    async *generator(args, ctx) {
      yield* ensurePackages(ctx, {
        packages: args.packages,
        current: await ctx.host.getFact(ChocoPackages),
        present: args.present ?? true,
        installCommand: "choco install -y",
        uninstallCommand: "choco uninstall -y -x",
        upgradeCommand: "choco update -y",
        versionJoin: ":",
        latest: args.latest ?? false,
      });
    },
  },
);

/**
 * Installs Chocolatey itself (PowerShell). Not idempotent.
 *
 * @example
 * ```ts ignore
 * choco.install({});
 * ```
 */
export const install: Operation<Record<string, never>> = defineOperation<Record<string, never>>(
  "choco.install",
  {
    argNames: [],
    idempotent: false,
    summary: "Install chocolatey.",
    async *generator() {
      yield sh`Set-ExecutionPolicy Bypass -Scope Process -Force ;iex ((New-Object System.Net.WebClient).DownloadString("https://chocolatey.org/install.ps1"))`;
    },
  },
);

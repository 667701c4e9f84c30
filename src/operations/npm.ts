/**
 * npm operations: `npm.packages`, global or in a project folder, with pyinfra's
 * arguments and commands.
 *
 * @module
 */
import { defineOperation, type Operation } from "../core/operation.ts";
import { shellQuote } from "../core/quote.ts";
import { NpmPackages } from "../facts/npm.ts";
import { ensurePackages } from "./util/packaging.ts";

/** Options of {@linkcode packages}. */
export interface PackagesOptions {
  /** Packages to ensure; pin a version with `name@version`. @default {null} */
  packages?: string | string[] | null;
  /** Whether they should be installed. @default {true} */
  present?: boolean;
  /** Upgrade installed packages given without a version. @default {false} */
  latest?: boolean;
  /** A project folder to install into; global (`-g`) when absent. @default {null} */
  directory?: string | null;
}

/**
 * Installs or removes npm packages.
 *
 * @example
 * ```ts ignore
 * npm.packages({ packages: ["pm2"] });
 * npm.packages({ packages: ["express@4.19.2"], directory: "/srv/app" });
 * ```
 */
export const packages: Operation<PackagesOptions> = defineOperation<PackagesOptions>(
  "npm.packages",
  {
    argNames: ["packages", "present", "latest", "directory"],
    summary: "Install/remove/update npm packages.",
    async *generator({ packages, present = true, latest = false, directory }, ctx) {
      const current = await ctx.host.getFact(NpmPackages, { directory: directory ?? null });
      const npm = (action: string) =>
        directory ? `cd ${shellQuote(directory)} && npm ${action}` : `npm ${action} -g`;
      yield* ensurePackages(ctx, {
        packages,
        current,
        present,
        installCommand: npm("install"),
        uninstallCommand: npm("uninstall"),
        upgradeCommand: npm("update"),
        versionJoin: "@",
        latest,
      });
    },
  },
);

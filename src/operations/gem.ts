/**
 * gem operations: `gem.packages`, with pyinfra's arguments and commands.
 *
 * @module
 */
import { defineOperation, type Operation } from "../core/operation.ts";
import { GemPackages } from "../facts/gem.ts";
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
 * Installs or removes Ruby gems.
 *
 * @example
 * ```ts ignore
 * gem.packages({ packages: ["rails"] });
 * ```
 */
export const packages: Operation<PackagesOptions> = defineOperation<PackagesOptions>(
  "gem.packages",
  {
    argNames: ["packages", "present", "latest"],
    summary: "Add/remove/update gem packages.",
    async *generator(args, ctx) {
      yield* ensurePackages(ctx, {
        packages: args.packages,
        current: await ctx.host.getFact(GemPackages),
        present: args.present ?? true,
        installCommand: "gem install",
        uninstallCommand: "gem uninstall",
        upgradeCommand: "gem update",
        versionJoin: ":",
        latest: args.latest ?? false,
      });
    },
  },
);

/**
 * cargo operations: `cargo.packages`, with pyinfra's arguments and commands.
 *
 * @module
 */
import { defineOperation, type Operation } from "../core/operation.ts";
import { CargoPackages } from "../facts/cargo.ts";
import { ensurePackages } from "./util/packaging.ts";

/** Options of {@linkcode packages}. */
export interface PackagesOptions {
  /** Packages to ensure; pin a version with `name@version`. @default {null} */
  packages?: string | string[] | null;
  /** Whether they should be installed. @default {true} */
  present?: boolean;
  /** Upgrade installed packages given without a version. @default {false} */
  latest?: boolean;
}

/**
 * Installs or removes Rust crates installed with cargo.
 *
 * @example
 * ```ts ignore
 * cargo.packages({ packages: ["ripgrep"] });
 * ```
 */
export const packages: Operation<PackagesOptions> = defineOperation<PackagesOptions>(
  "cargo.packages",
  {
    argNames: ["packages", "present", "latest"],
    summary: "Add/remove/update cargo packages.",
    async *generator(args, ctx) {
      yield* ensurePackages(ctx, {
        packages: args.packages,
        current: await ctx.host.getFact(CargoPackages),
        present: args.present ?? true,
        installCommand: "cargo install",
        uninstallCommand: "cargo uninstall",
        upgradeCommand: "cargo install",
        versionJoin: "@",
        latest: args.latest ?? false,
      });
    },
  },
);

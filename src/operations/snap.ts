/**
 * snap operations: `snap.package`, with pyinfra's arguments and commands.
 *
 * @module
 */
import { defineOperation, type Operation } from "../core/operation.ts";
import { sh } from "../core/command.ts";
import { SnapPackage, SnapPackages } from "../facts/snap.ts";

/** Options of {@linkcode package_}. */
export interface PackageOptions {
  /** Snaps to ensure. @default {null} */
  packages?: string | string[] | null;
  /** The channel to install from and track. @default {"latest/stable"} */
  channel?: string;
  /** Install with classic confinement. @default {false} */
  classic?: boolean;
  /** Whether they should be installed. @default {true} */
  present?: boolean;
}

/**
 * Installs, removes or moves snaps to a channel.
 *
 * @example
 * ```ts ignore
 * snap.package({ packages: ["lxd"], channel: "5.21/stable" });
 * ```
 */
export const package_: Operation<PackageOptions> = defineOperation<PackageOptions>(
  "snap.package",
  {
    argNames: ["packages", "channel", "classic", "present"],
    summary: "Install/remove a snap package.",
    async *generator(
      { packages, channel = "latest/stable", classic = false, present = true },
      ctx,
    ) {
      if (packages === null || packages === undefined) return;
      const list = typeof packages === "string" ? [packages] : packages;
      const installed = await ctx.host.getFact(SnapPackages);
      const install: string[] = [];
      const remove: string[] = [];
      const refresh: string[] = [];
      for (const name of list) {
        if (installed.includes(name)) {
          if (!present) remove.push(name);
          else {
            const info = await ctx.host.getFact(SnapPackage, { package: name });
            if (info && "channel" in info && info.channel !== channel) refresh.push(name);
          }
        } else if (present) install.push(name);
        else ctx.noop(`snap package ${name} is not installed`);
      }
      if (install.length) {
        const words = [...(classic ? ["--classic"] : []), ...install];
        yield sh`snap install ${words} --channel=${channel}`;
      }
      if (remove.length) yield sh`snap remove ${remove}`;
      if (refresh.length) yield sh`snap refresh ${refresh} --channel=${channel}`;
    },
  },
);
export { package_ as package };

/**
 * BSD pkg operations: `pkg.packages` (pkg on FreeBSD, pkg_add on OpenBSD), with
 * pyinfra's arguments and commands.
 *
 * @module
 */
import { defineOperation, type Operation } from "../core/operation.ts";
import { File } from "../facts/files.ts";
import { Arch, Os, OsVersion, Which } from "../facts/server.ts";
import { PkgPackages } from "../facts/pkg.ts";
import { ensurePackages } from "./util/packaging.ts";

/** Options of {@linkcode packages}. */
export interface PackagesOptions {
  /** Packages to ensure. @default {null} */
  packages?: string | string[] | null;
  /** Whether they should be installed. @default {true} */
  present?: boolean;
  /** A `PKG_PATH` to install from (OpenBSD); guessed when none is configured. @default {null} */
  pkgPath?: string | null;
}

/**
 * Installs or removes BSD packages.
 *
 * @example
 * ```ts ignore
 * pkg.packages({ packages: ["nginx"] });
 * ```
 */
export const packages: Operation<PackagesOptions> = defineOperation<PackagesOptions>(
  "pkg.packages",
  {
    argNames: ["packages", "present", "pkgPath"],
    summary: "Install/remove pkg packages.",
    async *generator(args, ctx) {
      const present = args.present ?? true;
      let pkgPath = args.pkgPath;
      if (present && !pkgPath && !(await ctx.host.getFact(File, { path: "/etc/installurl" }))) {
        const os = (await ctx.host.getFact(Os)) ?? "";
        pkgPath = `http://ftp.${os.toLowerCase()}.org/pub/${os}/${await ctx.host.getFact(
          OsVersion,
        )}/packages/${await ctx.host.getFact(Arch)}/`;
      }
      const isPkg = await ctx.host.getFact(Which, { command: "pkg" });
      let install = isPkg ? "pkg install -y" : "pkg_add";
      if (pkgPath) install = `PKG_PATH=${pkgPath} ${install}`;
      yield* ensurePackages(ctx, {
        packages: args.packages,
        current: await ctx.host.getFact(PkgPackages),
        present,
        installCommand: install,
        uninstallCommand: isPkg ? "pkg delete -y" : "pkg_delete",
      });
    },
  },
);

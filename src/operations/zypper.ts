/**
 * zypper operations (openSUSE, SLES): `zypper.packages`, `zypper.update`,
 * `zypper.rpm`, `zypper.repo` and `zypper.key`, with pyinfra's arguments and commands.
 *
 * @module
 */
import { defineOperation, type Operation } from "../core/operation.ts";
import { sh } from "../core/command.ts";
import { RpmPackages } from "../facts/rpm.ts";
import { ensurePackages } from "./util/packaging.ts";
import {
  ensureRpm,
  ensureYumRepo,
  type RpmFileOptions,
  type RpmKeyOptions,
  type RpmRepoOptions,
} from "./util/rpm.ts";

/** Options of {@linkcode key}. */
export type KeyOptions = RpmKeyOptions;

/**
 * Imports a GPG key into rpm. Not idempotent.
 *
 * @example
 * ```ts ignore
 * zypper.key({ src: "https://repo.internal/key.asc" });
 * ```
 */
export const key: Operation<KeyOptions> = defineOperation<KeyOptions>("zypper.key", {
  argNames: ["src"],
  idempotent: false,
  summary: "Add zypper gpg keys with rpm.",
  async *generator({ src }) {
    yield sh`rpm --import ${src}`;
  },
});

/** Options of {@linkcode repo}. */
export interface RepoOptions extends RpmRepoOptions {
  /** The repository type. @default {"rpm-md"} */
  type?: string;
}

/**
 * Writes (or downloads, or removes) a `.repo` file in /etc/zypp/repos.d.
 *
 * @example
 * ```ts ignore
 * zypper.repo({ src: "internal", baseurl: "https://repo.internal/sles15/" });
 * ```
 */
export const repo: Operation<RepoOptions> = defineOperation<RepoOptions>("zypper.repo", {
  argNames: ["src", "baseurl", "present", "description", "enabled", "gpgcheck", "gpgkey", "type"],
  summary: "Add/remove/update zypper repositories.",
  generator: (args, ctx) =>
    ensureYumRepo(ctx, {
      ...args,
      present: args.present ?? true,
      enabled: args.enabled ?? true,
      gpgcheck: args.gpgcheck ?? true,
      type: args.type ?? "rpm-md",
      directory: "/etc/zypp/repos.d/",
    }),
});

/** Options of {@linkcode rpm}. */
export type RpmOptions = RpmFileOptions;

/**
 * Installs or removes a `.rpm` file or URL.
 *
 * @example
 * ```ts ignore
 * zypper.rpm({ src: "/tmp/tool.rpm" });
 * ```
 */
export const rpm: Operation<RpmOptions> = defineOperation<RpmOptions>("zypper.rpm", {
  argNames: ["src", "present"],
  summary: "Add/remove .rpm file packages with zypper.",
  generator: ({ src, present = true }, ctx) =>
    ensureRpm(ctx, src, present, ["zypper", "--non-interactive"]),
});

/**
 * Updates every zypper package. Not idempotent.
 *
 * @example
 * ```ts ignore
 * zypper.update({});
 * ```
 */
export const update: Operation<Record<string, never>> = defineOperation<Record<string, never>>(
  "zypper.update",
  {
    argNames: [],
    idempotent: false,
    summary: "Updates all zypper packages.",
    async *generator() {
      yield sh`zypper update -y`;
    },
  },
);

/** Options of {@linkcode packages}. */
export interface PackagesOptions {
  /** Packages to ensure; pin a version with `name=version`. @default {null} */
  packages?: string | string[] | null;
  /** Whether they should be installed. @default {true} */
  present?: boolean;
  /** Upgrade installed packages given without a version. @default {false} */
  latest?: boolean;
  /** Update every package first. @default {false} */
  update?: boolean;
  /** Clean the caches first (`clean --all`). @default {false} */
  clean?: boolean;
  /** Global zypper arguments for installing, as shell text. @default {null} */
  extraGlobalInstallArgs?: string | null;
  /** Extra arguments for `install`, as shell text. @default {null} */
  extraInstallArgs?: string | null;
  /** Global zypper arguments for removing, as shell text. @default {null} */
  extraGlobalUninstallArgs?: string | null;
  /** Extra arguments for `remove`, as shell text. @default {null} */
  extraUninstallArgs?: string | null;
}

/**
 * Installs or removes zypper packages.
 *
 * @example
 * ```ts ignore
 * zypper.packages({ packages: ["nginx"], update: true });
 * ```
 */
export const packages: Operation<PackagesOptions> = defineOperation<PackagesOptions>(
  "zypper.packages",
  {
    argNames: [
      "packages",
      "present",
      "latest",
      "update",
      "clean",
      "extraGlobalInstallArgs",
      "extraInstallArgs",
      "extraGlobalUninstallArgs",
      "extraUninstallArgs",
    ],
    summary: "Install/remove/update zypper packages & updates.",
    async *generator(args, ctx) {
      if (args.clean) yield sh`zypper clean --all`;
      if (args.update) yield sh`zypper update -y`;
      const install = ["zypper", "--non-interactive", "install", "-y"];
      if (args.extraInstallArgs) install.push(args.extraInstallArgs);
      if (args.extraGlobalInstallArgs) install.splice(1, 0, args.extraGlobalInstallArgs);
      const remove = ["zypper", "--non-interactive", "remove", "-y"];
      if (args.extraUninstallArgs) remove.push(args.extraUninstallArgs);
      if (args.extraGlobalUninstallArgs) remove.splice(1, 0, args.extraGlobalUninstallArgs);
      yield* ensurePackages(ctx, {
        packages: args.packages,
        current: await ctx.host.getFact(RpmPackages),
        present: args.present ?? true,
        installCommand: install.join(" "),
        uninstallCommand: remove.join(" "),
        upgradeCommand: "zypper update -y",
        versionJoin: "=",
        latest: args.latest ?? false,
      });
    },
  },
);

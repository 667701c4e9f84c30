/**
 * yum and dnf take the same operations with the same commands but their own tool
 * name: `key`, `repo`, `rpm`, `update` and `packages` are built here for each.
 *
 * @module
 */
import { defineOperation, type Operation } from "../../core/operation.ts";
import { sh } from "../../core/command.ts";
import { RpmPackageProvides, RpmPackages } from "../../facts/rpm.ts";
import { ensurePackages } from "./packaging.ts";
import {
  ensureRpm,
  ensureYumRepo,
  type RpmFileOptions,
  type RpmKeyOptions,
  type RpmPackagesOptions,
  type RpmRepoOptions,
} from "./rpm.ts";

/** The five operations of yum or dnf. */
export interface YumFamily {
  key: Operation<RpmKeyOptions>;
  repo: Operation<RpmRepoOptions>;
  rpm: Operation<RpmFileOptions>;
  update: Operation<Record<string, never>>;
  packages: Operation<RpmPackagesOptions>;
}

/** Defines `TOOL.key`, `TOOL.repo`, `TOOL.rpm`, `TOOL.update` and `TOOL.packages`. */
export function yumFamily(tool: "yum" | "dnf"): YumFamily {
  const key = defineOperation<RpmKeyOptions>(`${tool}.key`, {
    argNames: ["src"],
    idempotent: false,
    summary: `Add ${tool} gpg keys with rpm.`,
    async *generator({ src }) {
      yield sh`rpm --import ${src}`;
    },
  });
  const repo = defineOperation<RpmRepoOptions>(`${tool}.repo`, {
    argNames: ["src", "present", "baseurl", "description", "enabled", "gpgcheck", "gpgkey"],
    summary: `Add/remove/update ${tool} repositories.`,
    generator: (args, ctx) =>
      ensureYumRepo(ctx, {
        ...args,
        present: args.present ?? true,
        enabled: args.enabled ?? true,
        gpgcheck: args.gpgcheck ?? true,
      }),
  });
  const rpm = defineOperation<RpmFileOptions>(`${tool}.rpm`, {
    argNames: ["src", "present"],
    summary: `Add/remove .rpm file packages with ${tool}.`,
    generator: ({ src, present = true }, ctx) => ensureRpm(ctx, src, present, [tool]),
  });
  const update = defineOperation<Record<string, never>>(`${tool}.update`, {
    argNames: [],
    idempotent: false,
    summary: `Updates all ${tool} packages.`,
    async *generator() {
      yield sh`${tool} update -y`;
    },
  });
  const packages = defineOperation<RpmPackagesOptions>(`${tool}.packages`, {
    argNames: [
      "packages",
      "present",
      "latest",
      "update",
      "clean",
      "nobest",
      "extraInstallArgs",
      "extraUninstallArgs",
    ],
    summary: `Install/remove/update ${tool} packages & updates.`,
    async *generator(args, ctx) {
      if (args.clean) yield sh`${tool} clean all`;
      if (args.update) yield sh`${tool} update -y`;
      const install = [tool, "install", "-y"];
      if (args.nobest) install.push("--nobest");
      if (args.extraInstallArgs) install.push(args.extraInstallArgs);
      const remove = [tool, "remove", "-y"];
      if (args.extraUninstallArgs) remove.push(args.extraUninstallArgs);
      yield* ensurePackages(ctx, {
        packages: args.packages,
        current: await ctx.host.getFact(RpmPackages),
        present: args.present ?? true,
        installCommand: install.join(" "),
        uninstallCommand: remove.join(" "),
        upgradeCommand: `${tool} update -y`,
        versionJoin: "=",
        latest: args.latest ?? false,
        // A name may be provided by a package of another name ("vim" by "vim-enhanced").
        expandPackage: async (pkg) => {
          const name = typeof pkg === "string" ? pkg : pkg[0];
          const providers = await ctx.host.getFact(RpmPackageProvides, { name });
          return providers?.length ? providers : null;
        },
      });
    },
  });
  return { key, repo, rpm, update, packages };
}

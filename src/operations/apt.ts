/**
 * apt operations: `apt.packages`, `apt.update`, `apt.upgrade`, `apt.distUpgrade`,
 * `apt.deb`, `apt.key`, `apt.repo` and `apt.ppa`, with pyinfra's arguments and commands.
 *
 * @module
 */
import { defineOperation, type Operation, type OperationContext } from "../core/operation.ts";
import { raw, sh, StringCommand } from "../core/command.ts";
import { OperationError, OperationTypeError } from "../core/errors.ts";
import { doubleQuote } from "../core/quote.ts";
import { AptKeys, AptSources, parseAptRepo, sameAptSource } from "../facts/apt.ts";
import { DebPackage, DebPackages } from "../facts/deb.ts";
import { GpgKey } from "../facts/gpg.ts";
import { File } from "../facts/files.ts";
import { Date as HostDate } from "../facts/server.ts";
import { download } from "./files/download.ts";
import { line } from "./files/line.ts";
import { ensurePackages, type PackageSpec } from "./util/packaging.ts";

/** apt remembers its last successful update here (Debian leaves the folder empty). */
const APT_UPDATE_FILENAME = "/var/lib/apt/periodic/update-success-stamp";

/**
 * `apt-get` without questions, keeping changed config files, as pyinfra runs it.
 *
 * @param command the apt-get verb and its arguments, as shell text (it carries the
 *   user's `extraInstallArgs`, which pyinfra passes to the shell as they are)
 * @param force add `--force-yes` @default {false}
 * @returns the command
 */
export function noninteractiveApt(command: string, force = false): StringCommand {
  return new StringCommand([
    "DEBIAN_FRONTEND=noninteractive apt-get -y",
    ...(force ? ["--force-yes"] : []),
    '-o Dpkg::Options::="--force-confdef"',
    '-o Dpkg::Options::="--force-confold"',
    command,
  ]);
}

function isUrl(src: string): boolean {
  return /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(src);
}

// --- update / upgrade ------------------------------------------------------------------

/** Options of {@linkcode update}. */
export interface UpdateOptions {
  /** Skip the update when the last one is younger than this many seconds. @default {null} */
  cacheTime?: number | null;
}

async function* updateCommands(cacheTime: number | null | undefined, ctx: OperationContext) {
  if (cacheTime) {
    const [stamp, now] = await Promise.all([
      ctx.host.getFact(File, { path: APT_UPDATE_FILENAME }),
      ctx.host.getFact(HostDate),
    ]);
    const mtime = stamp ? stamp.mtime : undefined;
    if (mtime && mtime.getTime() > now.getTime() - cacheTime * 1000) {
      ctx.noop("apt is already up to date");
      return;
    }
  }
  yield sh`apt-get update`;
  if (cacheTime) yield sh`touch ${APT_UPDATE_FILENAME}`;
}

/**
 * Updates apt's package lists. Runs every time unless `cacheTime` is given.
 *
 * @example
 * ```ts ignore
 * apt.update({ cacheTime: 3600 });
 * ```
 */
export const update: Operation<UpdateOptions> = defineOperation<UpdateOptions>("apt.update", {
  argNames: ["cacheTime"],
  idempotent: false,
  summary: "Updates apt repositories.",
  generator: ({ cacheTime }, ctx) => updateCommands(cacheTime, ctx),
});

/** Options of {@linkcode upgrade}. */
export interface UpgradeOptions {
  /** Also remove dependencies nothing needs any more (`--autoremove`). @default {false} */
  autoRemove?: boolean;
}

/**
 * Upgrades every installed package. Not idempotent.
 *
 * @example
 * ```ts ignore
 * apt.upgrade({ autoRemove: true });
 * ```
 */
export const upgrade: Operation<UpgradeOptions> = defineOperation<UpgradeOptions>("apt.upgrade", {
  argNames: ["autoRemove"],
  idempotent: false,
  summary: "Upgrades all apt packages.",
  async *generator({ autoRemove }) {
    yield noninteractiveApt(autoRemove ? "upgrade --autoremove" : "upgrade");
  },
});

/**
 * Upgrades every installed package with `dist-upgrade`. Not idempotent.
 *
 * @example
 * ```ts ignore
 * apt.distUpgrade({});
 * ```
 */
export const distUpgrade: Operation<Record<string, never>> = defineOperation<
  Record<string, never>
>("apt.distUpgrade", {
  argNames: [],
  idempotent: false,
  summary: "Updates all apt packages, employing dist-upgrade.",
  async *generator() {
    yield noninteractiveApt("dist-upgrade");
  },
});

// --- packages --------------------------------------------------------------------------

/** Options of {@linkcode packages}. */
export interface PackagesOptions {
  /** Packages to ensure; pin a version as apt does: `"nginx=1.22.1-9"`. @default {null} */
  packages?: string | PackageSpec[] | null;
  /** Whether the packages should be installed. @default {true} */
  present?: boolean;
  /** Upgrade installed packages given without a version. @default {false} */
  latest?: boolean;
  /** Run `apt-get update` first. @default {false} */
  update?: boolean;
  /** With `update`: skip it when the last one is younger than this many seconds. @default {null} */
  cacheTime?: number | null;
  /** Run `apt-get upgrade` first. @default {false} */
  upgrade?: boolean;
  /** Pass `--force-yes` to apt. @default {false} */
  force?: boolean;
  /** Do not install recommended packages (`--no-install-recommends`). @default {false} */
  noRecommends?: boolean;
  /** Allow installing an older pinned version (`--allow-downgrades`). @default {false} */
  allowDowngrades?: boolean;
  /** Extra arguments for `apt-get install`, as shell text. @default {null} */
  extraInstallArgs?: string | null;
  /** Extra arguments for `apt-get remove`, as shell text. @default {null} */
  extraUninstallArgs?: string | null;
}

/**
 * Installs or removes apt packages, optionally updating the package lists first.
 *
 * @example
 * ```ts ignore
 * apt.packages({ packages: ["nginx", "git"], update: true, cacheTime: 3600 });
 * apt.packages({ packages: ["apache2"], present: false });
 * ```
 */
export const packages: Operation<PackagesOptions> = defineOperation<PackagesOptions>(
  "apt.packages",
  {
    argNames: [
      "packages",
      "present",
      "latest",
      "update",
      "cacheTime",
      "upgrade",
      "force",
      "noRecommends",
      "allowDowngrades",
      "extraInstallArgs",
      "extraUninstallArgs",
    ],
    summary: "Install/remove/update packages & update apt.",
    validate(args) {
      const list = args.packages;
      if (
        list !== undefined && list !== null && typeof list !== "string" &&
        !(Array.isArray(list) && list.every((p) => typeof p === "string" || Array.isArray(p)))
      ) {
        throw new OperationTypeError("apt.packages: packages must be a name or a list of names");
      }
    },
    async *generator(args, ctx) {
      const { present = true, force = false } = args;
      if (args.update) yield* updateCommands(args.cacheTime, ctx);
      if (args.upgrade) yield noninteractiveApt("upgrade");
      const install = ["install"];
      if (args.noRecommends === true) install.push("--no-install-recommends");
      if (args.allowDowngrades) install.push("--allow-downgrades");
      const upgradeCommand = install.join(" ");
      if (args.extraInstallArgs) install.push(args.extraInstallArgs);
      const remove = ["remove", ...(args.extraUninstallArgs ? [args.extraUninstallArgs] : [])];
      yield* ensurePackages(ctx, {
        packages: args.packages,
        current: await ctx.host.getFact(DebPackages),
        present,
        installCommand: noninteractiveApt(install.join(" "), force),
        uninstallCommand: noninteractiveApt(remove.join(" "), force),
        upgradeCommand: noninteractiveApt(upgradeCommand, force),
        versionJoin: "=",
        latest: args.latest ?? false,
      });
    },
  },
);

// --- deb -------------------------------------------------------------------------------

/** Options of {@linkcode deb}. */
export interface DebOptions {
  /** A `.deb` file on the host, or a URL the host downloads it from. */
  src: string;
  /** Whether the package should be installed. @default {true} */
  present?: boolean;
  /** Pass `--force-yes` to apt when installing dependencies. @default {false} */
  force?: boolean;
}

/**
 * Installs (with its dependencies, through `apt-get install -f`) or removes a `.deb`.
 * A URL is downloaded to a temporary file named after it, so a second run finds it.
 *
 * @example
 * ```ts ignore
 * apt.deb({ src: "https://example.com/tool_1.0_amd64.deb" });
 * ```
 */
export const deb: Operation<DebOptions> = defineOperation<DebOptions>("apt.deb", {
  argNames: ["src", "present", "force"],
  summary: "Add/remove .deb file packages.",
  async *generator({ src: original, present = true, force = false }, ctx) {
    let src = original;
    if (isUrl(original)) {
      const temp = ctx.tempFilename(original);
      yield* download.generate({ src: original, dest: temp }, ctx);
      src = temp;
    }
    const [info, current] = await Promise.all([
      ctx.host.getFact(DebPackage, { name: src }),
      ctx.host.getFact(DebPackages),
    ]);
    const name = info?.name;
    const exists = !!name && Object.hasOwn(current, name) &&
      current[name].map(String).includes(String(info?.version));
    if (present) {
      if (exists) ctx.noop(`deb ${original} is installed`);
      else {
        yield sh`dpkg --force-confdef --force-confold -i ${src} 2> /dev/null || true`;
        yield sh`${noninteractiveApt("install", force)} -f`;
        yield sh`dpkg --force-confdef --force-confold -i ${src}`;
      }
    } else if (exists) {
      yield sh`${noninteractiveApt("remove", force)} ${name!}`;
    } else ctx.noop(`deb ${original} is not installed`);
  },
});

// --- keys and repositories -------------------------------------------------------------

/** Options of {@linkcode key}. */
export interface KeyOptions {
  /** A key file on the host, or a URL. @default {null} */
  src?: string | null;
  /** A keyserver to receive `keyid` from. @default {null} */
  keyserver?: string | null;
  /** Key id(s): needed with `keyserver`; with `src`, what the file should contain. @default {null} */
  keyid?: string | string[] | null;
}

/**
 * Adds GPG keys to apt's keyring with `apt-key`, from a file, a URL or a keyserver.
 *
 * @example
 * ```ts ignore
 * apt.key({ src: "https://download.docker.com/linux/debian/gpg" });
 * apt.key({ keyserver: "keyserver.ubuntu.com", keyid: "0x3B4FE6ACC0B21F32" });
 * ```
 */
export const key: Operation<KeyOptions> = defineOperation<KeyOptions>("apt.key", {
  argNames: ["src", "keyserver", "keyid"],
  summary: "Add apt gpg keys with apt-key.",
  async *generator({ src, keyserver, keyid }, ctx) {
    const existing = await ctx.host.getFact(AptKeys);
    let ids = keyid === undefined || keyid === null
      ? []
      : typeof keyid === "string"
      ? [keyid]
      : keyid;
    if (src) {
      const data = await ctx.host.getFact(GpgKey, { src });
      if (data && Object.keys(data).length) ids = Object.keys(data);
      if (!ids.length || !ids.every((id) => Object.hasOwn(existing, id))) {
        yield isUrl(src)
          ? sh`(wget -O - ${src} || curl -sSLf ${src}) | apt-key add -`
          : sh`apt-key add ${src}`;
      } else {
        ctx.noop(`All keys from ${src} are already available in the apt keychain`);
      }
    }
    if (keyserver) {
      if (!ids.length) throw new OperationError("`keyid` must be provided with `keyserver`");
      const needed = [...new Set(ids)].filter((id) => !Object.hasOwn(existing, id)).sort();
      if (needed.length) {
        yield sh`apt-key adv --keyserver ${keyserver} --recv-keys ${needed}`;
      } else {
        ctx.noop(`Keys ${ids.join(", ")} are already available in the apt keychain`);
      }
    }
  },
});

/** Options of {@linkcode repo}. */
export interface RepoOptions {
  /** The sources.list line, e.g. `deb http://deb.debian.org/debian bookworm main`. */
  src: string;
  /** Whether the repository should be configured. @default {true} */
  present?: boolean;
  /** Write `/etc/apt/sources.list.d/<filename>.list` rather than /etc/apt/sources.list. @default {null} */
  filename?: string | null;
}

/**
 * Adds or removes an apt repository line.
 *
 * @example
 * ```ts ignore
 * apt.repo({ src: "deb http://deb.debian.org/debian bookworm-backports main", filename: "backports" });
 * ```
 */
export const repo: Operation<RepoOptions> = defineOperation<RepoOptions>("apt.repo", {
  argNames: ["src", "present", "filename"],
  summary: "Add/remove apt repositories.",
  async *generator({ src, present = true, filename }, ctx) {
    const path = filename ? `/etc/apt/sources.list.d/${filename}.list` : "/etc/apt/sources.list";
    const sources = await ctx.host.getFact(AptSources);
    const wanted = parseAptRepo(src);
    const isPresent = !!wanted && sources.some((s) => sameAptSource(s, wanted));
    if (!isPresent && present) {
      yield* line.generate({ path, line: src, escapeRegexCharacters: true }, ctx);
    } else if (isPresent && !present) {
      yield* line.generate({ path, line: src, present: false, escapeRegexCharacters: true }, ctx);
    } else {
      ctx.noop(`apt repo "${src}" ${present ? "exists" : "does not exist"}`);
    }
  },
});

/** Options of {@linkcode ppa}. */
export interface PpaOptions {
  /** The PPA, `ppa:user/repo`. */
  src: string;
  /** Whether it should be configured. @default {true} */
  present?: boolean;
}

/**
 * Adds or removes an Ubuntu PPA with `apt-add-repository`. Not idempotent.
 *
 * @example
 * ```ts ignore
 * apt.ppa({ src: "ppa:deadsnakes/ppa" });
 * ```
 */
export const ppa: Operation<PpaOptions> = defineOperation<PpaOptions>("apt.ppa", {
  argNames: ["src", "present"],
  idempotent: false,
  summary: "Add/remove Ubuntu ppa repositories.",
  async *generator({ src, present = true }) {
    // pyinfra's double quotes, with what is live inside them escaped (no `$(...)`).
    yield sh`apt-add-repository -y ${raw(present ? "" : "--remove ")}${raw(doubleQuote(src))}`;
  },
});

/**
 * The package-list logic every package manager shares: given the packages wanted
 * (optionally with versions) and the installed ones from a fact, emit one install or
 * remove command for the difference, and an upgrade for the rest when `latest`. The
 * behaviour of pyinfra's `operations/util/packaging.py:ensure_packages`.
 *
 * @module
 */
import { raw, type RawPart, sh, type StringCommand } from "../../core/command.ts";
import type { OperationContext } from "../../core/operation.ts";

/** A package name, or `[name, version]`. */
export type PackageSpec = string | readonly [string, string];

/** Installed packages: name -> versions. */
export type InstalledPackages = Readonly<Record<string, readonly string[]>>;

/** What {@linkcode ensurePackages} needs to know about one package manager. */
export interface EnsurePackagesOptions {
  /** Wanted packages; `null`/`undefined` means nothing to do. */
  packages: PackageSpec | readonly PackageSpec[] | null | undefined;
  /** The installed packages, from the manager's fact. */
  current: InstalledPackages;
  /** Whether the packages should be installed (`true`) or removed (`false`). */
  present: boolean;
  /**
   * The command the missing packages are appended to. A string is shell text: it
   * carries the user's extra install arguments, which pyinfra passes on as they are.
   */
  installCommand: string | StringCommand;
  /** The command the unwanted packages are appended to (a string is shell text). */
  uninstallCommand: string | StringCommand;
  /** Upgrade packages given without a version that are already installed. */
  latest?: boolean;
  /** The command those packages are appended to (a string is shell text). */
  upgradeCommand?: string | StringCommand;
  /** The manager's name/version separator (`=` for apt): `"nginx=1.2"` is split on it. */
  versionJoin?: string;
  /** Expands a package to what it stands for (a group to its members), or `null`. */
  expandPackage?: (
    pkg: PackageSpec,
  ) =>
    | Promise<readonly PackageSpec[] | null | undefined>
    | readonly PackageSpec[]
    | null
    | undefined;
}

function packageName(pkg: PackageSpec): string {
  return typeof pkg === "string" ? pkg : pkg[0];
}

function packageLabel(pkg: PackageSpec): string {
  // pyinfra formats lists as Python reprs in its noop messages.
  return typeof pkg === "string" ? pkg : `['${pkg[0]}', '${pkg[1]}']`;
}

async function hasPackage(
  pkg: PackageSpec,
  current: InstalledPackages,
  expand: EnsurePackagesOptions["expandPackage"],
  matchAny: boolean,
): Promise<boolean> {
  const toCheck = (expand ? await expand(pkg) : null) || [pkg];
  const versions = new Map<string, Set<string>>();
  for (const item of toCheck) {
    const name = packageName(item);
    if (!versions.has(name)) versions.set(name, new Set());
    if (typeof item !== "string") versions.get(name)!.add(item[1]);
  }
  const checks = [...versions].map(([name, wanted]) => {
    const installed = Object.hasOwn(current, name) ? current[name] : undefined;
    if (!installed) return false;
    return wanted.size === 0 || [...wanted].some((v) => installed.includes(v));
  });
  return matchAny ? checks.some(Boolean) : checks.every(Boolean);
}

/**
 * Yields the commands that bring `packages` to the wanted state, and records a noop for
 * every package already there.
 *
 * @example
 * ```ts ignore
 * yield* ensurePackages(ctx, {
 *   packages: ["nginx", "curl=7.88.1-10"],
 *   current: await ctx.host.getFact(DebPackages),
 *   present: true,
 *   installCommand: "apt-get install -y",
 *   uninstallCommand: "apt-get remove -y",
 *   versionJoin: "=",
 * });
 * ```
 */
export async function* ensurePackages(
  ctx: Pick<OperationContext, "noop">,
  options: EnsurePackagesOptions,
): AsyncGenerator<StringCommand> {
  const { current, present, latest = false, versionJoin } = options;
  if (options.packages === null || options.packages === undefined) return;
  let packages: PackageSpec[] = typeof options.packages === "string"
    ? [options.packages]
    : [...(options.packages as readonly PackageSpec[])];
  if (versionJoin) {
    packages = packages.map((pkg) => {
      if (typeof pkg !== "string") return pkg;
      const at = pkg.lastIndexOf(versionJoin);
      return at < 0 ? pkg : [pkg.slice(0, at), pkg.slice(at + versionJoin.length)] as const;
    });
  }

  const diff: PackageSpec[] = [];
  const upgrade: string[] = [];
  for (const pkg of packages) {
    const has = await hasPackage(pkg, current, options.expandPackage, !present);
    if (present) {
      if (!has) {
        diff.push(pkg);
        continue;
      }
      if (typeof pkg === "string") upgrade.push(pkg);
      if (!latest) {
        const installed = Object.hasOwn(current, packageName(pkg))
          ? current[packageName(pkg)]
          : undefined;
        ctx.noop(
          installed
            ? `package ${packageLabel(pkg)} is installed (${installed.join(", ")})`
            : `package ${packageLabel(pkg)} is installed`,
        );
      }
    } else if (has) {
      diff.push(pkg);
    } else {
      ctx.noop(`package ${packageLabel(pkg)} is not installed`);
    }
  }

  if (diff.length) {
    const joined = diff.map((pkg) => typeof pkg === "string" ? pkg : pkg.join(versionJoin ?? ""));
    const command = present ? options.installCommand : options.uninstallCommand;
    yield sh`${commandText(command)} ${joined}`;
  }
  if (latest && options.upgradeCommand && upgrade.length) {
    yield sh`${commandText(options.upgradeCommand)} ${upgrade}`;
  }
}

/** A manager's command prefix: a string is shell text (the user's extra arguments). */
function commandText(command: string | StringCommand): StringCommand | RawPart {
  return typeof command === "string" ? raw(command) : command;
}

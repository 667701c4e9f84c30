/**
 * What yum, dnf and zypper share: installing a `.rpm` file or URL, and writing a
 * `.repo` file, as pyinfra's `ensure_rpm` and `ensure_yum_repo`.
 *
 * @module
 */
import type { OperationContext } from "../../core/operation.ts";
import { sh } from "../../core/command.ts";
import { File } from "../../facts/files.ts";
import { RpmPackage } from "../../facts/rpm.ts";
import { download } from "../files/download.ts";
import { file } from "../files/file.ts";
import { putContent } from "../files/put.ts";

function isUrl(src: string): boolean {
  return /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(src);
}

/**
 * Installs (`rpm -i`) or removes an rpm from a file on the host or a URL (downloaded
 * first, to a temporary `.rpm` named after it). `packageManager` is the words of the
 * command that removes it (`["zypper", "--non-interactive"]`).
 */
export async function* ensureRpm(
  ctx: OperationContext,
  source: string,
  present: boolean,
  packageManager: readonly string[],
) {
  let src = source;
  if (isUrl(source)) {
    src = `${ctx.tempFilename(source)}.rpm`;
    yield* download.generate({ src: source, dest: src }, ctx);
  }
  const info = await ctx.host.getFact(RpmPackage, { name: src });
  let exists = false;
  if (info) {
    const current = await ctx.host.getFact(RpmPackage, { name: info.name });
    exists = !!current && current.version === info.version;
  }
  if (present && !exists) {
    // Without info the file is only downloaded at execution: check then.
    yield info ? sh`rpm -i ${src}` : sh`rpm -q \`rpm -qp ${src}\` 2> /dev/null || rpm -i ${src}`;
  } else if (exists && !present) {
    yield sh`${packageManager} remove -y ${info!.name}`;
  } else {
    ctx.noop(`rpm ${source} is ${present ? "installed" : "not installed"}`);
  }
}

/** How a `.repo` file is described. */
export interface YumRepoSpec {
  /** A repository name (the file's name) or the URL of a `.repo` file. */
  src: string;
  baseurl?: string | null;
  present: boolean;
  description?: string | null;
  enabled: boolean;
  gpgcheck: boolean;
  gpgkey?: string | null;
  /** The repository type line (zypper). */
  type?: string | null;
  /** Where `.repo` files live. @default {"/etc/yum.repos.d/"} */
  directory?: string;
}

/** Writes, downloads or removes a `.repo` file. */
export async function* ensureYumRepo(ctx: OperationContext, spec: YumRepoSpec) {
  let name = spec.src;
  let url: string | undefined;
  if (isUrl(spec.src)) {
    url = spec.src;
    name = new URL(spec.src).pathname.split("/").pop() ?? "";
    if (name.endsWith(".repo")) name = name.slice(0, -5);
  }
  const filename = `${spec.directory ?? "/etc/yum.repos.d/"}${name}.repo`;
  if (!spec.present) {
    yield* file.generate({ path: filename, present: false }, ctx);
    return;
  }
  if (url) {
    if (!(await ctx.host.getFact(File, { path: filename }))) {
      yield* download.generate({ src: url, dest: filename }, ctx);
    }
    return;
  }
  const lines = [
    `[${name}]`,
    `name=${spec.description || name}`,
    `baseurl=${spec.baseurl}`,
    `enabled=${spec.enabled ? 1 : 0}`,
    `gpgcheck=${spec.gpgcheck ? 1 : 0}`,
  ];
  if (spec.type) lines.push(`type=${spec.type}`);
  if (spec.gpgkey) lines.push(`gpgkey=${spec.gpgkey}`);
  yield* putContent(lines.join("\n") + "\n", filename, {}, ctx);
}

/** Options of yum's and dnf's `packages`. */
export interface RpmPackagesOptions {
  /** Packages to ensure; pin a version with `name=version`. @default {null} */
  packages?: string | string[] | null;
  /** Whether they should be installed. @default {true} */
  present?: boolean;
  /** Upgrade installed packages given without a version. @default {false} */
  latest?: boolean;
  /** Update every package first. @default {false} */
  update?: boolean;
  /** Clean the caches first (`clean all`). @default {false} */
  clean?: boolean;
  /** Allow a not-best candidate (`--nobest`). @default {false} */
  nobest?: boolean;
  /** Extra arguments for `install`, as shell text. @default {null} */
  extraInstallArgs?: string | null;
  /** Extra arguments for `remove`, as shell text. @default {null} */
  extraUninstallArgs?: string | null;
}

/** Options of the rpm managers' `repo`. */
export interface RpmRepoOptions {
  /** A repository name, or the URL of a `.repo` file. */
  src: string;
  /** Whether the repository should be configured. @default {true} */
  present?: boolean;
  /** Its base URL. @default {null} */
  baseurl?: string | null;
  /** Its description (`name=`). @default {null} (the name) */
  description?: string | null;
  /** Whether it is enabled. @default {true} */
  enabled?: boolean;
  /** Whether packages' signatures are checked. @default {true} */
  gpgcheck?: boolean;
  /** The key's URL. @default {null} */
  gpgkey?: string | null;
}

/** Options of the rpm managers' `rpm`. */
export interface RpmFileOptions {
  /** A `.rpm` file on the host, or its URL. */
  src: string;
  /** Whether the package should be installed. @default {true} */
  present?: boolean;
}

/** Options of the rpm managers' `key`. */
export interface RpmKeyOptions {
  /** The key file on the host, or its URL (`rpm --import`). */
  src: string;
}

/**
 * `server.LinuxDistribution` and `server.LinuxName`: the distribution's name and version
 * from `/etc/*-release`, read the way the `distro` library that pyinfra uses reads them.
 *
 * @module
 */
import { defineFact } from "../../core/fact.ts";

/** The Linux distribution. */
export interface LinuxDistributionInfo {
  name: string | null;
  major: number | null;
  minor: number | null;
  /** The keys of os-release (upper case), with CODENAME when it can be told. */
  release_meta: Record<string, string>;
}

const PRETTY_NAMES: Record<string, string> = {
  alpine: "Alpine",
  centos: "CentOS",
  fedora: "Fedora",
  gentoo: "Gentoo",
  opensuse: "openSUSE",
  rhel: "RedHat",
  ubuntu: "Ubuntu",
  debian: "Debian",
};

const empty = (): LinuxDistributionInfo => ({
  name: null,
  major: null,
  minor: null,
  release_meta: {},
});

function parseOsRelease(content: string): Record<string, string> {
  const props: Record<string, string> = {};
  for (const line of content.split("\n")) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
    if (!match) continue;
    props[match[1].toLowerCase()] = match[2].replace(/^(["'])(.*)\1$/, "$2");
  }
  if (props.version_codename) props.codename = props.version_codename;
  else if (props.ubuntu_codename) props.codename = props.ubuntu_codename;
  else if (props.version) {
    const match = /\((\D+)\)|,\s*(\D+)/.exec(props.version);
    if (match) props.codename = match[1] ?? match[2];
  }
  return props;
}

function versionParts(version: string): [number | null, number | null] {
  const [major, minor] = version.split(".");
  const asInt = (v?: string) => (v && /^\d+$/.test(v) && Number(v) !== 0 ? Number(v) : null);
  return [asInt(major), asInt(minor)];
}

/**
 * Parses the output of the release-files command.
 *
 * @example
 * ```ts
 * import { parseDistribution } from "./distribution.ts";
 * parseDistribution(["/etc/os-release", 'ID=debian', 'NAME="Debian GNU/Linux"', 'VERSION_ID="12"', "---"]).name;
 * // "Debian"
 * ```
 */
export function parseDistribution(lines: string[]): LinuxDistributionInfo {
  const files = new Map<string, string>();
  for (const part of lines.join("\n").trim().split("---")) {
    const text = part.trim();
    const newline = text.indexOf("\n");
    if (!text || newline < 0) continue;
    files.set(text.slice(0, newline), text.slice(newline + 1));
  }
  if (!files.size) return empty();
  const osRelease = files.get("/etc/os-release");
  const props = osRelease !== undefined ? parseOsRelease(osRelease) : {};
  // A distribution's own release file (centos-release, ...), not os-release or lsb-release.
  let fileId = "";
  let fileName = "";
  let fileVersion = "";
  for (const [path, content] of files) {
    const base = path.split("/").pop()!;
    if (["os-release", "lsb-release", "system-release"].includes(base)) continue;
    const match = /^(.*?)\s+(?:release\s+|version\s+)?([\d.]+)/.exec(content.split("\n")[0]);
    fileId = base.replace(/-release$/, "");
    if (match) {
      fileName = match[1].replace(/\s+(release|version)$/i, "");
      fileVersion = match[2];
    }
    break;
  }
  const id = (props.id ?? fileId).toLowerCase();
  const name = PRETTY_NAMES[id] ?? props.name ?? (fileName || null);
  const [major, minor] = versionParts(props.version_id ?? fileVersion);
  const meta: Record<string, string> = {};
  for (const [key, value] of Object.entries(props)) {
    if (key !== "release_codename") meta[key.toUpperCase()] = value;
  }
  return { name, major, minor, release_meta: meta };
}

const RELEASE_FILES_COMMAND = "cd /etc/ && for file in $(ls -pdL *-release | grep -v /); " +
  'do echo "/etc/${file}"; cat "/etc/${file}"; echo ---; done';

/**
 * The Linux distribution: name, major and minor version, and os-release's keys.
 *
 * @example
 * ```ts ignore
 * const { name, major } = await host.getFact(LinuxDistribution);
 * ```
 */
export const LinuxDistribution = defineFact<LinuxDistributionInfo>({
  name: "server.LinuxDistribution",
  summary: "Returns a dict of the Linux distribution version.",
  command: RELEASE_FILES_COMMAND,
  process: parseDistribution,
  default: empty,
});

/**
 * The name of the Linux distribution (`Debian`, `Ubuntu`, `CentOS`...), or null.
 *
 * @example
 * ```ts ignore
 * if ((await host.getFact(LinuxName)) === "Debian") {
 *   // ...
 * }
 * ```
 */
export const LinuxName = defineFact<string | null>({
  name: "server.LinuxName",
  summary: "Returns the name of the Linux distribution.",
  command: RELEASE_FILES_COMMAND,
  process: (lines) => parseDistribution(lines).name,
});

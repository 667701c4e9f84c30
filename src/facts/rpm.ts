/**
 * rpm facts: installed packages (`rpm.RpmPackages`), one package or `.rpm` file
 * (`rpm.RpmPackage`) and the packages providing a name (`rpm.RpmPackageProvides`).
 *
 * @module
 */
import { defineFact, type Fact } from "../core/fact.ts";
import { raw as rawPart, sh } from "../core/command.ts";
import { type PackageVersions, parsePackages } from "./util/packaging.ts";

const RPM_LINE = /^(\S+) (\S+)$/;
const QUERY_FORMAT = "%{NAME} %{VERSION}-%{RELEASE}\\n";

/** The query format as pyinfra writes it, in double quotes. */
function raw(format: string) {
  return rawPart(`"${format}"`);
}

/**
 * Installed rpm packages: name -> versions (`VERSION-RELEASE`).
 *
 * @example
 * ```ts ignore
 * const installed = await host.getFact(RpmPackages);
 * ```
 */
export const RpmPackages: Fact<PackageVersions> = defineFact<PackageVersions>({
  name: "rpm.RpmPackages",
  summary: "Returns a dict of installed rpm packages.",
  command: `rpm --queryformat "${QUERY_FORMAT}" -qa`,
  requiresCommand: "rpm",
  process: (lines) => parsePackages(RPM_LINE, lines),
  default: () => ({}),
});

/** What `rpm.RpmPackage` reports. */
export interface RpmPackageInfo {
  name: string;
  version: string;
}

/**
 * An installed package by name, or a `.rpm` file on the host by path.
 *
 * @example
 * ```ts ignore
 * const info = await host.getFact(RpmPackage, { name: "nginx" });
 * ```
 */
export const RpmPackage: Fact<RpmPackageInfo | null, { name: string }> = defineFact<
  RpmPackageInfo | null,
  { name: string }
>({
  name: "rpm.RpmPackage",
  summary: "Returns information on a .rpm file or installed package.",
  argNames: ["name"],
  requiresCommand: "rpm",
  command: ({ name }) =>
    sh`rpm --queryformat ${
      raw(QUERY_FORMAT)
    } -q ${name} || ! test -e ${name} || rpm --queryformat ${
      raw(QUERY_FORMAT)
    } -qp ${name} 2> /dev/null`,
  process: (lines) => {
    for (const line of lines) {
      const match = RPM_LINE.exec(line);
      if (match) return { name: match[1], version: match[2] };
    }
    return null;
  },
  default: () => null,
});

/**
 * Packages that provide a name (a package, a file, a capability): `[name, version]`.
 *
 * @example
 * ```ts ignore
 * const providers = await host.getFact(RpmPackageProvides, { name: "/usr/bin/vim" });
 * ```
 */
export const RpmPackageProvides: Fact<[string, string][], { name: string }> = defineFact<
  [string, string][],
  { name: string }
>({
  name: "rpm.RpmPackageProvides",
  summary: "Returns a list of packages that provide the specified capability.",
  argNames: ["name"],
  requiresCommand: "repoquery",
  command: ({ name }) =>
    sh`repoquery --queryformat ${raw(QUERY_FORMAT)} --whatprovides ${name} || true`,
  process: (lines) =>
    lines.map((line) => RPM_LINE.exec(line)).filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1], m[2]] as [string, string]),
  default: () => [],
});

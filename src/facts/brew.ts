/**
 * Homebrew facts: installed formulae (`brew.BrewPackages`) and casks
 * (`brew.BrewCasks`), taps (`brew.BrewTaps`) and brew's version (`brew.BrewVersion`).
 *
 * @module
 */
import { defineFact, type Fact } from "../core/fact.ts";
import { type PackageVersions, parsePackages } from "./util/packaging.ts";

const BREW_LINE = /^([^\s]+)\s([0-9._+a-z-]+)/;

/** Whether this brew takes `--cask` (2.6 and later) rather than `brew cask ...`. */
export function newCaskCli(version: readonly number[]): boolean {
  return version[0] >= 3 || (version[0] >= 2 && version[1] >= 6);
}

/**
 * brew's version as `[major, minor, patch]` (`[0, 0, 0]` when unknown).
 *
 * @example
 * ```ts ignore
 * const [major] = await host.getFact(BrewVersion);
 * ```
 */
export const BrewVersion: Fact<number[]> = defineFact<number[]>({
  name: "brew.BrewVersion",
  summary: "Returns the version of brew installed as a semantic versioning tuple.",
  command: "brew --version",
  requiresCommand: "brew",
  process: (lines) => {
    const match = /^Homebrew\s+(\d+)\.(\d+)\.(\d+).*$/.exec(lines[0] ?? "");
    return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [0, 0, 0];
  },
  default: () => [0, 0, 0],
});

/**
 * Installed formulae: name -> versions.
 *
 * @example
 * ```ts ignore
 * const installed = await host.getFact(BrewPackages);
 * ```
 */
export const BrewPackages: Fact<PackageVersions> = defineFact<PackageVersions>({
  name: "brew.BrewPackages",
  summary: "Returns a dict of installed brew packages.",
  command: "brew list --versions",
  requiresCommand: "brew",
  process: (lines) => parsePackages(BREW_LINE, lines),
  default: () => ({}),
});

/**
 * Installed casks: name -> versions.
 *
 * @example
 * ```ts ignore
 * const casks = await host.getFact(BrewCasks);
 * ```
 */
export const BrewCasks: Fact<PackageVersions> = defineFact<PackageVersions>({
  name: "brew.BrewCasks",
  summary: "Returns a dict of installed brew casks.",
  command:
    'if brew --version | grep -q -e "Homebrew\\ +(1\\.|2\\.[0-5]).*" 1>/dev/null;then brew cask list --versions; else brew list --cask --versions; fi',
  requiresCommand: "brew",
  process: (lines) => parsePackages(BREW_LINE, lines),
  default: () => ({}),
});

/**
 * The taps brew has.
 *
 * @example
 * ```ts ignore
 * const taps = await host.getFact(BrewTaps);
 * ```
 */
export const BrewTaps: Fact<string[]> = defineFact<string[]>({
  name: "brew.BrewTaps",
  summary: "Returns a list of brew taps.",
  command: "brew tap",
  requiresCommand: "brew",
  process: (lines) => lines,
  default: () => [],
});

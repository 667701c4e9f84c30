/**
 * snap facts: installed snaps (`snap.SnapPackages`) and one snap's details
 * (`snap.SnapPackage`).
 *
 * @module
 */
import { defineFact, type Fact } from "../core/fact.ts";
import { sh } from "../core/command.ts";

/**
 * The names of installed snaps.
 *
 * @example
 * ```ts ignore
 * const snaps = await host.getFact(SnapPackages);
 * ```
 */
export const SnapPackages: Fact<string[]> = defineFact<string[]>({
  name: "snap.SnapPackages",
  summary: "Returns a list of installed snap packages.",
  command: "snap list",
  requiresCommand: "snap",
  process: (lines) => lines.slice(1).map((line) => line.split(/\s+/)[0]),
  default: () => [],
});

const FIELDS: [string, RegExp][] = [
  ["name", /^name:[ ]+(.*)/],
  ["publisher", /^publisher:[ ]+(.*)/],
  ["snap-id", /^snap-id:[ ]+(.*)/],
  ["channel", /^tracking:[ ]+([\w\d.-]+\/[\w\d.-]+)[/]?.*$/],
  ["version", /^installed:[ ]+([\w\d.-]+).*$/],
];

/**
 * A snap's name, publisher, id, tracked channel and installed version.
 *
 * @example
 * ```ts ignore
 * const info = await host.getFact(SnapPackage, { package: "lxd" });
 * ```
 */
export const SnapPackage: Fact<Record<string, string>, { package: string }> = defineFact<
  Record<string, string>,
  { package: string }
>({
  name: "snap.SnapPackage",
  summary: "Returns information for an installed snap package.",
  argNames: ["package"],
  requiresCommand: "snap",
  command: (args) => sh`snap info ${args.package}`,
  process: (lines) => {
    const info: Record<string, string> = {};
    for (const line of lines) {
      for (const [key, regex] of FIELDS) {
        const match = regex.exec(line);
        if (match) info[key] = match[1];
      }
    }
    return info;
  },
  default: () => ({}),
});

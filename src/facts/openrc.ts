/**
 * OpenRC facts: services of a runlevel and whether each is started
 * (`openrc.OpenrcStatus`) or enabled there (`openrc.OpenrcEnabled`).
 *
 * @module
 */
import { defineFact, type Fact } from "../core/fact.ts";
import { sh } from "../core/command.ts";

const STATUS =
  /^\s+([a-zA-Z0-9\-_]+)\s+\[\s+([a-z]+)(?:\s(?:[0-9]+\sday\(s\)\s)?[0-9]+:[0-9]+:[0-9]+\s\([0-9]+\))?\s+\]/;

/**
 * Services of a runlevel and whether each is started (`rc-status`).
 *
 * @example
 * ```ts ignore
 * const status = await host.getFact(OpenrcStatus, { runlevel: "default" });
 * ```
 */
export const OpenrcStatus: Fact<Record<string, boolean>, { runlevel?: string }> = defineFact<
  Record<string, boolean>,
  { runlevel?: string }
>({
  name: "openrc.OpenrcStatus",
  summary: "Returns a dict of name -> status for OpenRC services for a given runlevel.",
  argNames: ["runlevel"],
  argDefaults: { runlevel: "default" },
  requiresCommand: "rc-status",
  command: ({ runlevel = "default" }) => sh`rc-status ${runlevel}`,
  process: (lines) => {
    const services: Record<string, boolean> = {};
    for (const line of lines) {
      const match = STATUS.exec(line);
      if (match) services[match[1]] = match[2] === "started";
    }
    return services;
  },
  default: () => ({}),
});

/**
 * Services and whether each is enabled in a runlevel (`rc-update show -v`).
 *
 * @example
 * ```ts ignore
 * const enabled = await host.getFact(OpenrcEnabled, { runlevel: "default" });
 * ```
 */
export const OpenrcEnabled: Fact<Record<string, boolean>, { runlevel?: string }> = defineFact<
  Record<string, boolean>,
  { runlevel?: string }
>({
  name: "openrc.OpenrcEnabled",
  summary: "Returns a dict of name -> whether enabled for OpenRC services for a given runlevel.",
  argNames: ["runlevel"],
  argDefaults: { runlevel: "default" },
  requiresCommand: "rc-update",
  command: "rc-update show -v",
  process: (lines, { runlevel = "default" }) => {
    const services: Record<string, boolean> = {};
    for (const line of lines) {
      const at = line.indexOf("|");
      if (at < 0) continue;
      services[line.slice(0, at).trim()] = line.slice(at + 1).split(/\s+/).includes(runlevel);
    }
    return services;
  },
  default: () => ({}),
});

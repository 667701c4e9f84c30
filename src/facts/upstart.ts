/**
 * Upstart facts: jobs and whether each runs (`upstart.UpstartStatus`).
 *
 * @module
 */
import { defineFact, type Fact } from "../core/fact.ts";

/**
 * Upstart jobs and whether each is running (`initctl list`).
 *
 * @example
 * ```ts ignore
 * const status = await host.getFact(UpstartStatus);
 * ```
 */
export const UpstartStatus: Fact<Record<string, boolean>> = defineFact<Record<string, boolean>>({
  name: "upstart.UpstartStatus",
  summary: "Returns a dict of name -> status for upstart managed services.",
  command: "initctl list",
  requiresCommand: "initctl",
  process: (lines) => {
    const services: Record<string, boolean> = {};
    for (const line of lines) {
      const match = /^([a-z-]+) [a-z]+\/([a-z]+)/.exec(line);
      if (match) services[match[1]] = match[2] === "running";
    }
    return services;
  },
  default: () => ({}),
});

/**
 * launchd facts: services and whether each runs (`launchd.LaunchdStatus`).
 *
 * @module
 */
import { defineFact, type Fact } from "../core/fact.ts";

/**
 * launchd services and whether each is running (it has a PID in `launchctl list`).
 *
 * @example
 * ```ts ignore
 * const status = await host.getFact(LaunchdStatus);
 * ```
 */
export const LaunchdStatus: Fact<Record<string, boolean>> = defineFact<Record<string, boolean>>({
  name: "launchd.LaunchdStatus",
  summary: "Returns a dict of name -> status for launchd managed services.",
  command: "launchctl list",
  requiresCommand: "launchctl",
  process: (lines) => {
    const services: Record<string, boolean> = {};
    for (const line of lines) {
      const bits = line.trim().split(/\s+/);
      if (!bits[0] || bits[0] === "PID" || bits.length < 3) continue;
      services[bits[2]] = /^-?\d+$/.test(bits[0]);
    }
    return services;
  },
  default: () => ({}),
});

/**
 * OpenVZ facts: containers (`vzctl.OpenvzContainers`), from `vzlist -a -j`.
 *
 * @module
 */
import { defineFact, type Fact } from "../core/fact.ts";

/**
 * OpenVZ containers by CTID, with what `vzlist -j` reports of each.
 *
 * @example
 * ```ts ignore
 * const containers = await host.getFact(OpenvzContainers);
 * ```
 */
export const OpenvzContainers: Fact<Record<string, Record<string, unknown>>> = defineFact<
  Record<string, Record<string, unknown>>
>({
  name: "vzctl.OpenvzContainers",
  summary: "Returns a dict of running OpenVZ containers by CTID.",
  command: "vzlist -a -j",
  requiresCommand: "vzlist",
  process: (lines) => {
    const containers: Record<string, Record<string, unknown>> = {};
    for (const entry of JSON.parse(lines.join("")) as Record<string, unknown>[]) {
      const { ctid, ...rest } = entry;
      containers[String(Number(ctid))] = rest;
    }
    return containers;
  },
  default: () => ({}),
});

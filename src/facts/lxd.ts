/**
 * LXD facts: containers (`lxd.LxdContainers`), from `lxc list --format json`.
 *
 * @module
 */
import { defineFact, type Fact } from "../core/fact.ts";

/**
 * LXD containers as `lxc list` describes them (`name`, `status`, ...).
 *
 * @example
 * ```ts ignore
 * const containers = await host.getFact(LxdContainers);
 * ```
 */
export const LxdContainers: Fact<Record<string, unknown>[]> = defineFact<
  Record<string, unknown>[]
>({
  name: "lxd.LxdContainers",
  summary: "Returns a list of running LXD containers.",
  command: "lxc list --format json --fast",
  requiresCommand: "lxc",
  process: (lines) => JSON.parse(lines.join("\n")) as Record<string, unknown>[],
  default: () => [],
});

/**
 * zypper facts: the configured repositories (`zypper.ZypperRepositories`).
 *
 * @module
 */
import { defineFact, type Fact } from "../core/fact.ts";
import { parseRepositories, type RepositoryEntry } from "./util/packaging.ts";

/**
 * Every repository in zypper's configuration: `name` plus each `key=value`.
 *
 * @example
 * ```ts ignore
 * const repos = await host.getFact(ZypperRepositories);
 * ```
 */
export const ZypperRepositories: Fact<RepositoryEntry[]> = defineFact<RepositoryEntry[]>({
  name: "zypper.ZypperRepositories",
  summary: "Returns a list of installed zypper repositories.",
  command: "cat /etc/zypp/repos.d/*.repo || true",
  requiresCommand: "zypper",
  process: (lines) => parseRepositories(lines),
  default: () => [],
});

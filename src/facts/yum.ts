/**
 * yum facts: the configured repositories (`yum.YumRepositories`).
 *
 * @module
 */
import { defineFact, type Fact } from "../core/fact.ts";
import { parseRepositories, type RepositoryEntry } from "./util/packaging.ts";

/**
 * Every repository in yum's configuration: `name` plus each `key=value`.
 *
 * @example
 * ```ts ignore
 * const repos = await host.getFact(YumRepositories);
 * ```
 */
export const YumRepositories: Fact<RepositoryEntry[]> = defineFact<RepositoryEntry[]>({
  name: "yum.YumRepositories",
  summary: "Returns a list of installed yum repositories.",
  command:
    "(! test -f /etc/yum.conf || cat /etc/yum.conf) && (cat /etc/yum.repos.d/*.repo || true)",
  requiresCommand: "yum",
  process: (lines) => parseRepositories(lines),
  default: () => [],
});

/**
 * dnf facts: the configured repositories (`dnf.DnfRepositories`).
 *
 * @module
 */
import { defineFact, type Fact } from "../core/fact.ts";
import { parseRepositories, type RepositoryEntry } from "./util/packaging.ts";

/**
 * Every repository in dnf's configuration: `name` plus each `key=value`.
 *
 * @example
 * ```ts ignore
 * const repos = await host.getFact(DnfRepositories);
 * ```
 */
export const DnfRepositories: Fact<RepositoryEntry[]> = defineFact<RepositoryEntry[]>({
  name: "dnf.DnfRepositories",
  summary: "Returns a list of installed dnf repositories.",
  command:
    "(! test -f /etc/dnf.conf || cat /etc/dnf.conf) && (cat /etc/dnf.repos.d/*.repo || true) && (cat /etc/yum.repos.d/*.repo || true)",
  requiresCommand: "dnf",
  process: (lines) => parseRepositories(lines),
  default: () => [],
});

/**
 * git facts: a repository's branch (`git.GitBranch`), its config or the global one
 * (`git.GitConfig`), the remote branch it tracks (`git.GitTrackingBranch`), and, for
 * tsinfra's idempotent pulls, whether its upstream moved (`git.GitUpstream`).
 *
 * @module
 */
import { defineFact, type Fact } from "../core/fact.ts";
import { sh } from "../core/command.ts";

/**
 * The branch or tag checked out in `repo` (`git describe --all`, without `heads/`).
 *
 * @example
 * ```ts ignore
 * const branch = await host.getFact(GitBranch, { repo: "/srv/app" }); // "main"
 * ```
 */
export const GitBranch: Fact<string | null, { repo: string }> = defineFact<
  string | null,
  { repo: string }
>({
  name: "git.GitBranch",
  summary: "Returns the branch checked out in a repository.",
  argNames: ["repo"],
  requiresCommand: "git",
  command: ({ repo }) => sh`! test -d ${repo} || (cd ${repo} && git describe --all)`,
  process: (lines) => lines.join("\n").replace(/(heads|tags)\//g, ""),
  default: () => null,
});

/**
 * Config of a repository (`--local`), or the global config: key -> values.
 *
 * @example
 * ```ts ignore
 * const config = await host.getFact(GitConfig, { repo: "/srv/app" });
 * config["user.name"]; // ["Deploy Bot"]
 * ```
 */
export const GitConfig: Fact<Record<string, string[]>, { repo?: string | null }> = defineFact<
  Record<string, string[]>,
  { repo?: string | null }
>({
  name: "git.GitConfig",
  summary: "Returns the git config of a repository, or the global config.",
  argNames: ["repo"],
  requiresCommand: "git",
  command: ({ repo }) =>
    repo
      ? sh`! test -d ${repo} || (cd ${repo} && git config --local -l)`
      : "git config --global -l || true",
  process: (lines) => {
    const items: Record<string, string[]> = {};
    for (const line of lines) {
      const at = line.indexOf("=");
      if (at < 0) continue;
      (items[line.slice(0, at)] ??= []).push(line.slice(at + 1));
    }
    return items;
  },
  default: () => ({}),
});

/**
 * The remote branch `repo`'s branch tracks (`origin/main`), or null.
 *
 * @example
 * ```ts ignore
 * const tracking = await host.getFact(GitTrackingBranch, { repo: "/srv/app" });
 * ```
 */
export const GitTrackingBranch: Fact<string | null, { repo: string }> = defineFact<
  string | null,
  { repo: string }
>({
  name: "git.GitTrackingBranch",
  summary: "Returns the remote branch a repository's branch tracks.",
  argNames: ["repo"],
  requiresCommand: "git",
  command: ({ repo }) => sh`! test -d ${repo} || (cd ${repo} && git status --branch --porcelain)`,
  process: (lines) => /\.{3}(\S+)\b/.exec(lines[0] ?? "")?.[1] ?? null,
  default: () => null,
});

/** Where a repository's branch stands against its upstream. */
export interface GitUpstreamInfo {
  /** The commit checked out. */
  local: string;
  /** The commit the upstream branch points to on the remote (`git ls-remote`). */
  upstream: string | null;
}

/**
 * The commit checked out in `repo` and the one its upstream branch has on the remote,
 * read without fetching (`git ls-remote`); null when there is no upstream. git.repo
 * pulls only when they differ.
 *
 * @example
 * ```ts ignore
 * const status = await host.getFact(GitUpstream, { repo: "/srv/app" });
 * const behind = status && status.local !== status.upstream;
 * ```
 */
export const GitUpstream: Fact<GitUpstreamInfo | null, { repo: string }> = defineFact<
  GitUpstreamInfo | null,
  { repo: string }
>({
  name: "git.GitUpstream",
  summary: "Returns the local and upstream commits of a repository's branch.",
  argNames: ["repo"],
  requiresCommand: "git",
  command: ({ repo }) =>
    sh`cd ${repo} && u=$(git rev-parse --abbrev-ref --symbolic-full-name '@{u}') && \
r=$(git config --get "branch.$(git rev-parse --abbrev-ref HEAD).remote") && \
b=$(git config --get "branch.$(git rev-parse --abbrev-ref HEAD).merge") && \
git rev-parse HEAD && git ls-remote "$r" "$b" | cut -f1 && test -n "$u"`,
  process: (lines) => ({ local: lines[0] ?? "", upstream: lines[1] || null }),
  default: () => null,
});

/**
 * git operations: `git.repo` (clone, switch branch, pull), `git.config`,
 * `git.worktree` and `git.bareRepo`, with pyinfra's arguments and commands.
 *
 * @module
 */
import { defineOperation, type Operation } from "../core/operation.ts";
import { OperationError } from "../core/errors.ts";
import { raw, sh, type StringCommand } from "../core/command.ts";
import { doubleQuote } from "../core/quote.ts";
import { Directory, File } from "../facts/files.ts";
import { GitBranch, GitConfig, GitTrackingBranch, GitUpstream } from "../facts/git.ts";
import { directory } from "./files/directory.ts";
import { chown, unixPathJoin } from "./util/files.ts";
import { keyscan } from "./ssh.ts";

/** Options of {@linkcode config}. */
export interface ConfigOptions {
  /** The config key, e.g. `user.name`. */
  key: string;
  /** The value it should have. */
  value: string;
  /** Add the value to a key that holds several (`--add`). @default {false} */
  multiValue?: boolean;
  /** A repository for `--local` config; the global config when absent. @default {null} */
  repo?: string | null;
}

/**
 * Sets a git config value, globally or in a repository.
 *
 * Keys are compared as git compares them: `init.defaultBranch` is the
 * `init.defaultbranch` that `git config -l` prints (pyinfra sets it again on every run).
 *
 * @example
 * ```ts ignore
 * git.config({ key: "user.name", value: "Deploy Bot", repo: "/srv/app" });
 * ```
 */
export const config: Operation<ConfigOptions> = defineOperation<ConfigOptions>("git.config", {
  argNames: ["key", "value", "multiValue", "repo"],
  summary: "Manage git config for a repository or globally.",
  async *generator({ key, value, multiValue = false, repo }, ctx) {
    let existing: Record<string, string[]> = {};
    if (!repo) existing = await ctx.host.getFact(GitConfig, {});
    else if (await ctx.host.getFact(Directory, { path: unixPathJoin(repo, ".git") })) {
      existing = await ctx.host.getFact(GitConfig, { repo });
    }
    const base = repo ? sh`cd ${repo} && git config --local` : sh`git config --global`;
    const current = existing[key] ?? existing[canonicalKey(key)] ?? [];
    // Double quotes as pyinfra writes them (its fixtures pin them); `"`, `\`, `$` and
    // backticks are escaped inside, so nothing in the value is live.
    const quoted = raw(doubleQuote(value));
    if (!multiValue && !(current.length === 1 && current[0] === value)) {
      yield sh`${base} ${key} ${quoted}`;
    } else if (multiValue && !current.includes(value)) {
      yield sh`${base} --add ${key} ${quoted}`;
    } else ctx.noop(`git config ${key} is set to ${value}`);
  },
});

/**
 * A key as `git config -l` prints it: section and variable name lower-cased (git
 * matches them case-insensitively), a subsection kept as it is (`branch.Main.remote`).
 */
function canonicalKey(key: string): string {
  const first = key.indexOf(".");
  const last = key.lastIndexOf(".");
  if (first < 0) return key.toLowerCase();
  return key.slice(0, first).toLowerCase() + key.slice(first, last) +
    key.slice(last).toLowerCase();
}

/** Options of {@linkcode repo}. */
export interface RepoOptions {
  /** The repository to clone (URL, `user@host:path`, or a path on the host). */
  src: string;
  /** The folder to clone into. */
  dest: string;
  /** The branch to check out. @default {null} (the remote's default) */
  branch?: string | null;
  /** Pull when the upstream branch has new commits. @default {true} */
  pull?: boolean;
  /** Pull with `--rebase`. @default {false} */
  rebase?: boolean;
  /** Owner of the files after a change (`chown -R`). @default {null} */
  user?: string | null;
  /** Group of the files after a change. @default {null} */
  group?: string | null;
  /** Trust the source's SSH host key first (`ssh.keyscan`). @default {false} */
  sshKeyscan?: boolean;
  /** Update submodules (`submodule update --init`). @default {false} */
  updateSubmodules?: boolean;
  /** With `updateSubmodules`, recursively. @default {false} */
  recursiveSubmodules?: boolean;
}

/**
 * Clones a repository, checks out a branch and pulls new commits.
 *
 * Unlike pyinfra, which pulls on every run, tsinfra pulls only when the upstream
 * branch points somewhere else than the checkout (read with `git ls-remote`, which
 * changes nothing), so a second run reports no change; when that cannot be read, it
 * pulls as pyinfra does.
 *
 * @example
 * ```ts ignore
 * git.repo({
 *   src: "https://git.example.com/app.git",
 *   dest: "/srv/app",
 *   branch: "main",
 *   _sudo: true,
 *   _sudoUser: "app",
 * });
 * ```
 */
export const repo: Operation<RepoOptions> = defineOperation<RepoOptions>("git.repo", {
  argNames: [
    "src",
    "dest",
    "branch",
    "pull",
    "rebase",
    "user",
    "group",
    "sshKeyscan",
    "updateSubmodules",
    "recursiveSubmodules",
  ],
  summary: "Clone/pull git repositories.",
  async *generator(args, ctx) {
    const { src, dest, branch, pull = true, rebase = false, user, group } = args;
    yield* directory.generate({ path: dest }, ctx);
    if (args.sshKeyscan) {
      const domain = /^[a-zA-Z0-9]+@([0-9a-zA-Z.-]+)/.exec(src);
      if (!domain) throw new OperationError(`Could not parse domain (to SSH keyscan) from: ${src}`);
      yield* keyscan.generate({ hostname: domain[1] }, ctx);
    }
    const git: StringCommand[] = [];
    const isRepo = await ctx.host.getFact(Directory, { path: unixPathJoin(dest, ".git") });
    if (!isRepo) {
      git.push(branch ? sh`clone ${src} --branch ${branch} .` : sh`clone ${src} .`);
    } else {
      let switched = false;
      if (branch && (await ctx.host.getFact(GitBranch, { repo: dest })) !== branch) {
        git.push(sh`fetch`, sh`checkout ${branch}`);
        switched = true;
      }
      if (pull && (switched || await upstreamMoved(dest, ctx))) {
        git.push(rebase ? sh`pull --rebase` : sh`pull`);
      }
      if (pull && !git.length) ctx.noop(`repository ${dest} is up to date`);
    }
    if (args.updateSubmodules) {
      git.push(
        args.recursiveSubmodules
          ? sh`submodule update --init --recursive`
          : sh`submodule update --init`,
      );
    }
    for (const command of git) yield sh`cd ${dest} && git ${command}`;
    if (git.length && (user || group)) yield chown(dest, user, group, true);
  },
});

/** Whether a pull could bring anything: unknown (no upstream info) counts as yes. */
async function upstreamMoved(
  dest: string,
  ctx: Parameters<Operation<unknown>["generate"]>[1],
): Promise<boolean> {
  try {
    const status = await ctx.host.getFact(GitUpstream, { repo: dest });
    return !status || !status.upstream || status.upstream !== status.local;
  } catch {
    return true;
  }
}

/** Options of {@linkcode worktree}. */
export interface WorktreeOptions {
  /** The working tree folder. */
  worktree: string;
  /** The main repository. @default {null} */
  repo?: string | null;
  /** Create it with a detached HEAD. @default {false} */
  detached?: boolean;
  /** A new local branch created with it. @default {null} */
  newBranch?: string | null;
  /** The commit, branch, ... it starts from. @default {null} */
  commitish?: string | null;
  /** Pull an existing tree that tracks a remote branch. @default {true} */
  pull?: boolean;
  /** Pull with `--rebase`. @default {false} */
  rebase?: boolean;
  /** `[remote, branch]` to pull from. @default {null} */
  fromRemoteBranch?: [string, string] | null;
  /** Whether the tree should exist. @default {true} */
  present?: boolean;
  /** Do not check that `repo` is a repository. @default {false} */
  assumeRepoExists?: boolean;
  /** Remove an unclean tree (`--force`). @default {false} */
  force?: boolean;
  /** Owner of the files after creating it. @default {null} */
  user?: string | null;
  /** Group of the files after creating it. @default {null} */
  group?: string | null;
}

/**
 * Creates, pulls or removes a git working tree.
 *
 * @example
 * ```ts ignore
 * git.worktree({ repo: "/srv/app", worktree: "/srv/app-hotfix", newBranch: "hotfix" });
 * ```
 */
export const worktree: Operation<WorktreeOptions> = defineOperation<WorktreeOptions>(
  "git.worktree",
  {
    argNames: [
      "worktree",
      "repo",
      "detached",
      "newBranch",
      "commitish",
      "pull",
      "rebase",
      "fromRemoteBranch",
      "present",
      "assumeRepoExists",
      "force",
      "user",
      "group",
    ],
    summary: "Manage git worktrees.",
    async *generator(args, ctx) {
      const { worktree, repo, present = true } = args;
      const exists = await ctx.host.getFact(Directory, { path: worktree });
      if (!exists && present) {
        if (
          !args.assumeRepoExists &&
          !(await ctx.host.getFact(Directory, { path: unixPathJoin(repo ?? "", ".git") }))
        ) {
          throw new OperationError(`The following folder is not a valid GIT repository : ${repo}`);
        }
        const words: string[] = [];
        if (args.newBranch) words.push("-b", args.newBranch);
        else if (args.detached) words.push("--detach");
        words.push(worktree);
        if (args.commitish) words.push(args.commitish);
        yield sh`cd ${repo ?? ""} && git worktree add ${words}`;
        if (args.user || args.group) yield chown(worktree, args.user, args.group, true);
      } else if (exists && !present) {
        yield sh`cd ${worktree} && git worktree remove ${[
          ".",
          ...(args.force ? ["--force"] : []),
        ]}`;
      } else if (exists && present) {
        const remote = args.fromRemoteBranch;
        if (remote || await ctx.host.getFact(GitTrackingBranch, { repo: worktree })) {
          const words: string[] = args.rebase ? ["--rebase"] : [];
          if (remote) {
            if (!Array.isArray(remote) || remote.length !== 2) {
              throw new OperationError(
                'The remote branch must be a 2-tuple (remote, branch) such as ("origin", "master")',
              );
            }
            words.push(remote[0], remote[1]);
          }
          yield words.length
            ? sh`cd ${worktree} && git pull ${words}`
            : sh`cd ${worktree} && git pull`;
        }
      }
    },
  },
);

/** Options of {@linkcode bareRepo}. */
export interface BareRepoOptions {
  /** The repository folder. */
  path: string;
  /** Owner of its files. @default {null} */
  user?: string | null;
  /** Group of its files. @default {null} */
  group?: string | null;
  /** Whether it should exist. @default {true} */
  present?: boolean;
}

/**
 * Creates (or removes) a bare repository.
 *
 * @example
 * ```ts ignore
 * git.bareRepo({ path: "/srv/git/app.git", user: "git", group: "git" });
 * ```
 */
export const bareRepo: Operation<BareRepoOptions> = defineOperation<BareRepoOptions>(
  "git.bareRepo",
  {
    argNames: ["path", "user", "group", "present"],
    summary: "Create bare git repositories.",
    async *generator({ path, user, group, present = true }, ctx) {
      yield* directory.generate({ path, present }, ctx);
      if (!present) return;
      const head = await ctx.host.getFact(File, { path: unixPathJoin(path, "HEAD") });
      if (!head) {
        yield sh`git init --bare ${path}`;
        if (user || group) yield chown(path, user, group, true);
      } else if ((user && head.user !== user) || (group && head.group !== group)) {
        yield chown(path, user, group, true);
      }
    },
  },
);

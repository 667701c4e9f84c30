/**
 * git facts: parsers on outputs recorded from git 2.39 on Debian 12 (tsinfra-fleet:bookworm),
 * and every command run for real with this machine's git on repositories whose paths
 * need quoting.
 */
import { splitLines } from "../../src/core/host.ts";
import type { Fact, FactArgs } from "../../src/core/fact.ts";
import { GitBranch, GitConfig, GitTrackingBranch, GitUpstream } from "../../src/facts/git.ts";
import { assertEquals } from "../_assert.ts";

/** Runs a fact's full command with `sh -c` (in `cwd`) and parses it as the engine would. */
async function viaSh<T, A extends FactArgs>(fact: Fact<T, A>, args: A, cwd?: string): Promise<T> {
  const out = await new Deno.Command("sh", {
    args: ["-c", fact.hostCommand(args).raw()],
    cwd,
    stdout: "piped",
    stderr: "null",
  }).output();
  const lines = splitLines(new TextDecoder().decode(out.stdout));
  return out.success && lines.length ? fact.process(lines, args) : fact.defaultValue();
}

/** Runs git in `cwd` with a fixed identity, failing the test on an error. */
async function git(cwd: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command("git", {
    args: ["-c", "user.email=t@example.com", "-c", "user.name=T", ...args],
    cwd,
    env: { GIT_CONFIG_NOSYSTEM: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).trim();
}

Deno.test("git.GitBranch strips heads/ and tags/ from git describe --all", () => {
  assertEquals(GitBranch.process(["heads/main"], { repo: "/srv/w" }), "main");
  assertEquals(GitBranch.process(["tags/v1"], { repo: "/srv/w" }), "v1");
  assertEquals(GitBranch.process(["heads/feature/x"], { repo: "/srv/w" }), "feature/x");
});

Deno.test("git.GitTrackingBranch reads the upstream of git status --porcelain", () => {
  const repo = { repo: "/srv/w" };
  assertEquals(GitTrackingBranch.process(["## main...origin/main"], repo), "origin/main");
  assertEquals(
    GitTrackingBranch.process(["## main...origin/main [ahead 1, behind 2]", " M a"], repo),
    "origin/main",
  );
  assertEquals(GitTrackingBranch.process(["## nouplink"], repo), null);
});

Deno.test("git.GitConfig keeps every value of a key given several times, in order", () => {
  const recorded = [
    "core.repositoryformatversion=0",
    "core.bare=false",
    "remote.origin.url=/srv/up.git",
    "remote.origin.push=refs/heads/main",
    "remote.origin.push=refs/heads/dev",
    "alias.lg=log --graph --format=%h=%s",
  ];
  const config = GitConfig.process(recorded, { repo: "/srv/w" });
  assertEquals(config["remote.origin.push"], ["refs/heads/main", "refs/heads/dev"]);
  assertEquals(config["alias.lg"], ["log --graph --format=%h=%s"]);
  assertEquals(config["core.bare"], ["false"]);
});

Deno.test("git.GitUpstream reads the local and the remote commit", () => {
  const local = "457e01ffa08fe948cc039f0b7179c5e3e872bd23";
  const remote = "80626aa622c3e1724b0e0a5d10d992152a911110";
  assertEquals(GitUpstream.process([local, remote], { repo: "/srv/w" }), {
    local,
    upstream: remote,
  });
  // The upstream branch was deleted on the remote: ls-remote prints nothing.
  assertEquals(GitUpstream.process([local], { repo: "/srv/w" }), { local, upstream: null });
});

Deno.test("git facts quote the repository path", () => {
  const repo = { repo: "/srv/my app's" };
  assertEquals(
    GitBranch.hostCommand(repo).raw(),
    "! command -v git >/dev/null || " +
      `! test -d '/srv/my app'"'"'s' || (cd '/srv/my app'"'"'s' && git describe --all)`,
  );
  assertEquals(
    GitConfig.hostCommand(repo).raw(),
    "! command -v git >/dev/null || " +
      `! test -d '/srv/my app'"'"'s' || (cd '/srv/my app'"'"'s' && git config --local -l)`,
  );
});

Deno.test("git facts read a real clone and its moved upstream", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tsinfra-git-facts-" });
  try {
    const upstream = `${dir}/up stream's.git`;
    const work = `${dir}/work $(x)`;
    const other = `${dir}/other`;
    await git(dir, "init", "-q", "--bare", "--initial-branch=main", upstream);
    await git(dir, "clone", "-q", upstream, other);
    await Deno.writeTextFile(`${other}/a`, "a\n");
    await git(other, "add", "a");
    await git(other, "commit", "-qm", "one");
    await git(other, "push", "-q", "origin", "HEAD:main");
    await git(dir, "clone", "-q", "--branch", "main", upstream, work);
    await git(work, "config", "--local", "--add", "tsinfra.multi", "one");
    await git(work, "config", "--local", "--add", "tsinfra.multi", "two");

    const repo = { repo: work };
    assertEquals(await viaSh(GitBranch, repo), "main");
    assertEquals(await viaSh(GitTrackingBranch, repo), "origin/main");
    assertEquals((await viaSh(GitConfig, repo))["tsinfra.multi"], ["one", "two"]);
    const head = await git(work, "rev-parse", "HEAD");
    assertEquals(await viaSh(GitUpstream, repo), { local: head, upstream: head });

    await Deno.writeTextFile(`${other}/b`, "b\n");
    await git(other, "add", "b");
    await git(other, "commit", "-qm", "two");
    await git(other, "push", "-q", "origin", "HEAD:main");
    const moved = await git(other, "rev-parse", "HEAD");
    assertEquals(await viaSh(GitUpstream, repo), { local: head, upstream: moved });
    // Nothing was fetched: the checkout still sits on the first commit.
    assertEquals(await git(work, "rev-parse", "HEAD"), head);

    await git(work, "checkout", "-q", "-b", "local-only");
    assertEquals(await viaSh(GitTrackingBranch, repo), null);
    assertEquals(await viaSh(GitUpstream, repo), null);
    // A folder that does not exist: the default, not an error.
    assertEquals(await viaSh(GitBranch, { repo: `${dir}/missing` }), null);
    assertEquals(await viaSh(GitConfig, { repo: `${dir}/missing` }), {});
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

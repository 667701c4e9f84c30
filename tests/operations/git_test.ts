/**
 * git operations beyond pyinfra's cases: git.repo pulls only when the upstream moved
 * (pyinfra pulls on every run), falls back to pulling when that cannot be read, and
 * keeps sources and branches one argument.
 */
import * as git from "../../src/operations/git.ts";
import { generateWith } from "./_context.ts";
import { assertEquals } from "../_assert.ts";

const existingRepo = (upstream: unknown) => (name: string) => {
  if (name === "files.Directory") return { mode: 755 };
  if (name === "git.GitBranch") return "main";
  if (name === "git.GitUpstream") {
    if (upstream instanceof Error) throw upstream;
    return upstream;
  }
  return null;
};

Deno.test("git.repo does nothing when the checkout is at the upstream commit", async () => {
  const { commands, noop } = await generateWith(git.repo, {
    src: "/srv/git/app.git",
    dest: "/srv/app",
    branch: "main",
  }, { facts: existingRepo({ local: "abc", upstream: "abc" }) });
  assertEquals([commands, noop], [[], "repository /srv/app is up to date"]);
});

Deno.test("git.repo pulls when the upstream moved, or when that cannot be told", async () => {
  const moved = await generateWith(git.repo, { src: "x", dest: "/srv/app" }, {
    facts: existingRepo({ local: "abc", upstream: "def" }),
  });
  assertEquals(moved.commands, ["cd /srv/app && git pull"]);
  const unknown = await generateWith(git.repo, { src: "x", dest: "/srv/app", rebase: true }, {
    facts: existingRepo(null),
  });
  assertEquals(unknown.commands, ["cd /srv/app && git pull --rebase"]);
});

Deno.test("git.repo quotes the source and branch of a clone", async () => {
  const { commands } = await generateWith(git.repo, {
    src: "ssh://git@host/repo's.git",
    dest: "/srv/my app",
    branch: "feature x",
  }, { facts: () => null });
  assertEquals(
    commands.at(-1),
    `cd '/srv/my app' && git clone 'ssh://git@host/repo'"'"'s.git' --branch 'feature x' .`,
  );
});

Deno.test("git.config escapes what double quotes would expand", async () => {
  const { commands } = await generateWith(git.config, { key: "user.name", value: 'a"$b`c' }, {
    facts: () => ({}),
  });
  assertEquals(commands, ['git config --global user.name "a\\"\\$b\\`c"']);
});

Deno.test("git.config finds a key that git config -l prints lower-cased", async () => {
  const facts = (name: string) =>
    name === "git.GitConfig"
      ? { "init.defaultbranch": ["main"], "branch.Main.remote": ["origin"] }
      : { mode: 755 };
  const global = await generateWith(git.config, { key: "init.defaultBranch", value: "main" }, {
    facts,
  });
  assertEquals([global.commands, global.noop], [
    [],
    "git config init.defaultBranch is set to main",
  ]);
  const subsection = await generateWith(git.config, {
    key: "branch.Main.Remote",
    value: "origin",
    repo: "/srv/app",
  }, { facts });
  assertEquals(subsection.commands, []);
  const otherCase = await generateWith(git.config, {
    key: "branch.main.remote",
    value: "origin",
    repo: "/srv/app",
  }, { facts });
  assertEquals(otherCase.commands, [
    'cd /srv/app && git config --local branch.main.remote "origin"',
  ]);
});

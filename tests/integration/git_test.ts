/**
 * git operations for real on Debian 12 (git 2.39) through @docker: git.bareRepo makes
 * a bare repository owned by a user that server.user creates, a commit is pushed into
 * it, git.repo clones it to /srv/app as that user on a branch, and git.config sets a
 * repository value and a global one. Every second run changes nothing; after a new
 * commit is pushed, the next run pulls it (once).
 */
import * as path from "node:path";
import { dockerTest, removeContainer } from "../../scripts/fleet/fleet.ts";
import { assertEquals } from "../_assert.ts";
import { run, tsinfraIn } from "../_cli.ts";

const BARE = `import { git, server } from "tsinfra";
server.user({ user: "app", shell: "/bin/bash" });
git.bareRepo({ path: "/srv/git/app.git", user: "app", group: "app" });
`;

const APP = `import { files, git } from "tsinfra";
files.directory({ path: "/srv/app", user: "app", group: "app" });
const asApp = { _sudo: true, _sudoUser: "app" };
git.repo({ src: "/srv/git/app.git", dest: "/srv/app", branch: "main", ...asApp });
git.config({ key: "user.name", value: "Deploy Bot", repo: "/srv/app", ...asApp });
git.config({ key: "init.defaultBranch", value: "main" });
`;

await dockerTest(
  "git operations clone as a user, pull new commits, then change nothing",
  async () => {
    const name = `tsinfra-git-${Math.floor(Math.random() * 1e9).toString(36)}`;
    const dir = await Deno.makeTempDir({ prefix: "tsinfra-git-ops-" });
    const exec = (script: string, user = "root") =>
      run("docker", ["exec", "-u", user, "-w", "/", name, "bash", "-ec", script]);
    /** Runs a deploy; the names of the operations that changed something. */
    const tsinfra = async (file: string) => {
      const result = await tsinfraIn(dir, `@docker/${name}`, file, "-y", "--json");
      assertEquals(result.code, 0, result.stdout + result.stderr);
      return Object.values(
        JSON.parse(result.stdout).hosts as Record<
          string,
          { operations: { name: string; changed: boolean }[] }
        >,
      )[0].operations.filter((o) => o.changed).map((o) => o.name);
    };
    /** Commits a file as `app` in /tmp/src and pushes it to the bare repository. */
    const pushCommit = async (file: string) => {
      const pushed = await exec(
        `cd /tmp/src && echo ${file} > ${file} && git add ${file} && ` +
          `git -c user.email=app@example.com -c user.name=App commit -qm ${file} && ` +
          "git push -q origin main && git rev-parse HEAD",
        "app",
      );
      assertEquals(pushed.code, 0, pushed.stderr);
      return pushed.stdout.trim();
    };
    try {
      const started = await run("docker", [
        "run",
        "-d",
        "--name",
        name,
        "tsinfra-fleet:bookworm",
        "sleep",
        "infinity",
      ]);
      assertEquals(started.code, 0, started.stderr);
      const installed = await exec(
        "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq git >/dev/null",
      );
      assertEquals(installed.code, 0, installed.stderr);
      await Deno.writeTextFile(path.join(dir, "bare.ts"), BARE);
      await Deno.writeTextFile(path.join(dir, "app.ts"), APP);

      assertEquals(await tsinfra("bare.ts"), [
        "server.user (app)",
        "git.bareRepo (/srv/git/app.git)",
      ]);
      assertEquals(await tsinfra("bare.ts"), []);
      const owner = await exec("stat -c %U:%G /srv/git/app.git/HEAD");
      assertEquals(owner.stdout.trim(), "app:app");

      const init = await exec(
        "git init -q -b main /tmp/src && git -C /tmp/src remote add origin /srv/git/app.git",
        "app",
      );
      assertEquals(init.code, 0, init.stderr);
      const first = await pushCommit("one");

      assertEquals(await tsinfra("app.ts"), [
        "files.directory (/srv/app)",
        "git.repo (/srv/app)",
        "git.config (user.name)",
        "git.config (init.defaultBranch)",
      ]);
      const head = await exec("git -C /srv/app rev-parse HEAD && stat -c %U /srv/app/one", "app");
      assertEquals(head.stdout.trim().split("\n"), [first, "app"]);
      const branch = await exec("git -C /srv/app rev-parse --abbrev-ref HEAD", "app");
      assertEquals(branch.stdout.trim(), "main");
      const config = await exec("git -C /srv/app config --local user.name", "app");
      assertEquals(config.stdout.trim(), "Deploy Bot");
      const global = await exec("git config --global init.defaultBranch");
      assertEquals(global.stdout.trim(), "main");
      assertEquals(await tsinfra("app.ts"), []);

      const second = await pushCommit("two");
      assertEquals(await tsinfra("app.ts"), ["git.repo (/srv/app)"]);
      const pulled = await exec("git -C /srv/app rev-parse HEAD && cat /srv/app/two", "app");
      assertEquals(pulled.stdout.trim().split("\n"), [second, "two"]);
      assertEquals(await tsinfra("app.ts"), []);
    } finally {
      await removeContainer(name);
      await Deno.remove(dir, { recursive: true });
    }
  },
);

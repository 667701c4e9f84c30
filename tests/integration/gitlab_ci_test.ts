/**
 * A real GitLab pipeline, run offline by npm `gitlab-ci-local` in its shell executor:
 * `tsinfra plan` splits six hosts into four shards, `tsinfra emit gitlab-ci` writes the
 * `.gitlab-ci.yml` (a `parallel: 4` shard job and a merge job), and the pipeline runs
 * each shard with `--shard auto` (GitLab's CI_NODE_INDEX/CI_NODE_TOTAL) in its own copy
 * of the repository, passes the reports as artifacts and merges them. One host fails:
 * its shard exits 1, the other shards pass, and the merge still runs (`when: always`)
 * and reports every host.
 *
 * gitlab-ci-local needs git and rsync; it runs under Deno (its build uses
 * `Set.prototype.union`, which Node 20 lacks).
 *
 * @module
 */
import * as path from "node:path";
import { assertEquals, assertMatch, assertStringIncludes } from "../_assert.ts";
import { ROOT, run, tsinfraIn } from "../_cli.ts";
import { shellQuote } from "../../src/core/quote.ts";

const GITLAB_CI_LOCAL = "npm:gitlab-ci-local@4.75.1";
const HOSTS = ["api1", "api2", "broken", "db1", "web1", "web2"];
/** gitlab-ci-local is killed after this long; a healthy run takes well under a minute. */
const PIPELINE_TIMEOUT_MS = 8 * 60_000;

async function hasProgram(name: string): Promise<boolean> {
  const out = await run("sh", ["-c", `command -v ${name}`]).catch(() => undefined);
  return out?.code === 0;
}

async function git(dir: string, ...args: string[]): Promise<void> {
  const out = await run("git", [
    "-c",
    "user.name=tsinfra",
    "-c",
    "user.email=ci@tsinfra.test",
    ...args,
  ], dir);
  assertEquals(out.code, 0, `git ${args.join(" ")}: ${out.stderr}`);
}

Deno.test({
  name: "a tsinfra run emitted as .gitlab-ci.yml runs 4 shards and merges them in gitlab-ci-local",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    for (const program of ["git", "rsync"]) {
      if (!(await hasProgram(program))) {
        throw new Error(`gitlab-ci-local needs ${program}: apt-get install ${program}`);
      }
    }
    const dir = await Deno.makeTempDir({ prefix: "tsinfra-gitlab-ci-" });
    const repo = path.join(dir, "repo");
    const out = path.join(dir, "out");
    try {
      await Deno.mkdir(repo);
      // Every host runs on this machine (@local); each writes its own file outside the
      // repository, so that the shards' separate build folders do not matter.
      await Deno.writeTextFile(
        path.join(repo, "inventory.ts"),
        `export const fleet = ${
          JSON.stringify(HOSTS)
        }.map((name) => [name, { connector: "@local" }]);\n`,
      );
      await Deno.writeTextFile(
        path.join(repo, "deploy.ts"),
        [
          `import { files, host, server } from "tsinfra";`,
          `files.directory({ path: ${JSON.stringify(out)} });`,
          `files.line({ path: \`${out}/\${host.name}.txt\`, line: \`deployed \${host.name}\` });`,
          `if (host.name === "broken") server.shell({ commands: ["echo broken host >&2; exit 7"] });`,
          "",
        ].join("\n"),
      );

      const plan = await tsinfraIn(
        repo,
        "plan",
        "inventory.ts",
        "deploy.ts",
        "--shards",
        "4",
        "-o",
        "manifest.json",
      );
      assertEquals(plan.code, 0, plan.stderr);
      const manifest = JSON.parse(await Deno.readTextFile(path.join(repo, "manifest.json")));
      assertEquals(manifest.shards.length, 4);

      // The jobs run this checkout's tsinfra with this Deno.
      const command = [
        Deno.execPath(),
        "run",
        "--allow-all",
        "--no-lock",
        path.join(ROOT, "cli.ts"),
      ]
        .map(shellQuote).join(" ");
      const emit = await tsinfraIn(
        repo,
        "emit",
        "gitlab-ci",
        "--manifest",
        "manifest.json",
        "--command",
        command,
      );
      assertEquals(emit.code, 0, emit.stderr);
      assertStringIncludes(emit.stdout, "parallel: 4");
      await Deno.writeTextFile(path.join(repo, ".gitlab-ci.yml"), emit.stdout);

      // gitlab-ci-local copies the tracked files of a git repository into each job's folder.
      await Deno.writeTextFile(path.join(repo, ".gitignore"), ".gitlab-ci-local/\nreports/\n");
      await git(repo, "init", "-q", "-b", "main");
      await git(repo, "remote", "add", "origin", "https://gitlab.example.com/infra/fleet.git");
      await git(repo, "add", "-A");
      await git(repo, "commit", "-q", "-m", "plan");
      // As a clone has it: gitlab-ci-local reads the default branch from origin/HEAD.
      await git(repo, "update-ref", "refs/remotes/origin/main", "HEAD");
      await git(repo, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main");

      const pipeline = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--allow-all",
          "--no-lock",
          GITLAB_CI_LOCAL,
          "--shell-isolation",
          "--no-color",
          "--home",
          path.join(dir, "home"),
          "--concurrency",
          "4",
        ],
        cwd: repo,
        stdin: "null",
        env: { NO_COLOR: "1" },
        signal: AbortSignal.timeout(PIPELINE_TIMEOUT_MS),
      }).output();
      const log = new TextDecoder().decode(pipeline.stdout) +
        new TextDecoder().decode(pipeline.stderr);
      const context = `gitlab-ci-local log:\n${log}`;

      // The shard of "broken" failed (exit 1: final, not retried), the others passed,
      // and the merge ran anyway and failed because a host failed.
      const brokenShard = manifest.shards.find((s: { hosts: string[] }) =>
        s.hosts.includes("broken")
      ).index;
      for (let index = 1; index <= 4; index++) {
        const verdict = index === brokenShard ? "FAIL" : "PASS";
        assertMatch(log, new RegExp(`${verdict}\\s+tsinfra-shard: \\[${index}/4\\]`), context);
      }
      assertMatch(log, /FAIL\s+tsinfra-merge/, context);
      assertEquals(pipeline.code === 0, false, context);

      // Each shard's report came to the merge job as an artifact; the merged report
      // (the merge job's artifact, copied back to the checkout) covers every host.
      const merged = JSON.parse(
        await Deno.readTextFile(path.join(repo, "reports", "merged.json")),
      );
      assertEquals(merged.run.id, manifest.runId);
      assertEquals(Object.keys(merged.shards).sort(), ["1", "2", "3", "4"], context);
      for (const shard of Object.values(merged.shards) as { attempt: number }[]) {
        assertEquals(shard.attempt, 1);
      }
      assertEquals(Object.keys(merged.hosts).sort(), [...HOSTS].sort(), context);
      for (const name of HOSTS) {
        assertEquals(merged.hosts[name].success, name !== "broken", `${name}: ${context}`);
      }
      assertEquals(merged.success, false);
      for (const name of HOSTS) {
        const text = await Deno.readTextFile(path.join(out, `${name}.txt`));
        assertEquals(text, `deployed ${name}\n`);
      }
      assertStringIncludes(log, "broken host");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

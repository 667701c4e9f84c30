/**
 * Sharded runs from the command line on local hosts: plan, one shard at a time (by
 * `i/n` and by the Kubernetes and GitLab variables), resume, merge, and each refusal
 * with its exit status and nothing run.
 */
import * as path from "node:path";
import { tsinfraWith } from "../_cli.ts";
import { assertEquals, assertMatch, assertStringIncludes } from "../_assert.ts";

const cli = tsinfraWith;

interface Report {
  success: boolean;
  hosts: Record<
    string,
    { success: boolean; status?: string; resumedFrom?: number; operations: unknown[] }
  >;
  shards: Record<string, { attempt: number }>;
  shard?: { index: number; of: number };
  attempt?: number;
}

async function project(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "tsinfra-shard-" });
  const local = (name: string, extra = "") => `["${name}", { connector: "@local"${extra} }]`;
  await Deno.writeTextFile(
    path.join(dir, "inventory.ts"),
    `export const web = [${["w1", "w2", "w3"].map((n) => local(n)).join(", ")}];\n` +
      `export const db = [${local("d1")}, ${local("d2", ", bad: true")}];\n`,
  );
  await Deno.writeTextFile(
    path.join(dir, "deploy.ts"),
    `import { files, host, server } from "tsinfra";\n` +
      `files.directory({ path: \`${dir}/out/\${host.name}\` });\n` +
      `if (host.data.bad && !Deno.env.get("FIXED")) server.shell({ commands: ["false"] });\n`,
  );
  return dir;
}

const readJson = async <T>(file: string): Promise<T> => JSON.parse(await Deno.readTextFile(file));

Deno.test("plan, run each shard, merge: the merged report holds every host", async () => {
  const dir = await project();
  try {
    const plan = await cli(dir, [
      "plan",
      "inventory.ts",
      "deploy.ts",
      "--shards",
      "3",
      "-o",
      "m.json",
    ]);
    assertEquals(plan.code, 0, plan.stderr);
    assertMatch(plan.stderr, /5 hosts in 3 shards \(1 to 2 hosts each\)/);
    const manifest = await readJson<{ runId: string; shards: { hosts: string[] }[] }>(
      path.join(dir, "m.json"),
    );
    assertEquals(manifest.shards.map((s) => s.hosts), [["d1", "d2"], ["w1", "w2"], ["w3"]]);

    // Shard 1 by i/n holds the failing host: exit 1, report complete.
    const one = await cli(dir, ["--manifest", "m.json", "--shard", "1/3", "--report-dir", "r"]);
    assertEquals(one.code, 1, one.stderr + one.stdout);
    // Shard 2 as Kubernetes runs it (0-based index), shard 3 as GitLab (1-based).
    const two = await cli(dir, ["--manifest", "m.json", "--shard", "auto", "--report-dir", "r"], {
      JOB_COMPLETION_INDEX: "1",
      TSINFRA_SHARD_TOTAL: "3",
    });
    assertEquals(two.code, 0, two.stderr + two.stdout);
    assertStringIncludes(two.stdout, "Shard 2 of 3");
    const three = await cli(dir, ["--manifest", "m.json", "--shard", "auto", "--report-dir", "r"], {
      CI_NODE_INDEX: "3",
      CI_NODE_TOTAL: "3",
    });
    assertEquals(three.code, 0, three.stderr + three.stdout);
    const files = [...Deno.readDirSync(path.join(dir, "r"))].map((e) => e.name).sort();
    assertEquals(files, [1, 2, 3].map((i) => `report-${manifest.runId}-${i}of3-a1.json`));

    const merged = await cli(dir, ["merge", "m.json", "r", "-o", "merged.json"]);
    assertEquals(merged.code, 1, merged.stderr);
    const report = await readJson<Report>(path.join(dir, "merged.json"));
    assertEquals(Object.keys(report.hosts), ["d1", "d2", "w1", "w2", "w3"]);
    assertEquals(report.hosts.d2.success, false);
    assertEquals(report.success, false);
    // 1 of 5 hosts failed: within --fail-percent 20, over 10.
    assertEquals(
      (await cli(dir, ["merge", "m.json", "r", "--fail-percent", "20", "-o", "x.json"])).code,
      0,
    );
    assertEquals(
      (await cli(dir, ["merge", "m.json", "r", "--fail-percent", "10", "-o", "x.json"])).code,
      1,
    );

    // A retry of shard 1 with the fault fixed and --resume: attempt 2, d1 not run again.
    const first = path.join(dir, "r", `report-${manifest.runId}-1of3-a1.json`);
    const retry = await cli(
      dir,
      ["--manifest", "m.json", "--shard", "1/3", "--report-dir", "r", "--resume", first],
      { FIXED: "1" },
    );
    assertEquals(retry.code, 0, retry.stderr + retry.stdout);
    assertStringIncludes(retry.stdout, "attempt 2: 1 hosts to run, 1 done earlier");
    const again = await readJson<Report>(
      path.join(dir, "r", `report-${manifest.runId}-1of3-a2.json`),
    );
    assertEquals(again.hosts.d1.resumedFrom, 1);
    assertEquals(again.hosts.d2.success, true);
    const fixed = await cli(dir, ["merge", "m.json", "r", "-o", "merged.json"]);
    assertEquals(fixed.code, 0, fixed.stderr);
    assertEquals((await readJson<Report>(path.join(dir, "merged.json"))).shards["1"].attempt, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("merge marks a missing shard's hosts not-run and exits 3", async () => {
  const dir = await project();
  try {
    assertEquals(
      (await cli(dir, ["plan", "inventory.ts", "deploy.ts", "--shard-size", "2", "-o", "m.json"]))
        .code,
      0,
    );
    const only = await cli(dir, ["--manifest", "m.json", "--shard", "2/3", "--report-dir", "r"]);
    assertEquals(only.code, 0, only.stderr + only.stdout);
    const merged = await cli(dir, ["merge", "m.json", "r"]);
    assertEquals(merged.code, 3, merged.stderr);
    assertMatch(merged.stderr, /1 of 3 shards, 2 of 5 hosts succeeded; no report from shard 1, 3/);
    const report: Report = JSON.parse(merged.stdout);
    assertEquals(report.hosts.d1.status, "not-run");
    assertEquals(report.hosts.w1.status, undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an empty shard succeeds with an empty report", async () => {
  const dir = await project();
  try {
    const plan = await cli(dir, [
      "plan",
      "inventory.ts",
      "deploy.ts",
      "--shards",
      "7",
      "--limit",
      "web",
      "-o",
      "m.json",
    ]);
    assertEquals(plan.code, 0, plan.stderr);
    const empty = await cli(dir, [
      "--manifest",
      "m.json",
      "--shard",
      "7/7",
      "--report-dir",
      "r",
      "--json",
    ]);
    assertEquals(empty.code, 0, empty.stderr);
    const report: Report = JSON.parse(empty.stdout);
    assertEquals([report.success, Object.keys(report.hosts), report.shard], [true, [], {
      index: 7,
      of: 7,
    }]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("refusals: changed files, wrong shard numbers, _runOnce without a key, a foreign report", async () => {
  const dir = await project();
  try {
    assertEquals(
      (await cli(dir, ["plan", "inventory.ts", "deploy.ts", "--shards", "2", "-o", "m.json"])).code,
      0,
    );
    const cases: [string[], Record<string, string>, RegExp][] = [
      [["--shard", "3/2"], {}, /--shard gives shard 3, but the manifest has shards 1 to 2/],
      [["--shard", "1/4"], {}, /--shard says 4 shards, but the manifest has 2/],
      [["--shard", "two"], {}, /--shard takes i\/n/],
      [
        ["--shard", "auto"],
        { CI_NODE_INDEX: "1", CI_NODE_TOTAL: "5" },
        /CI_NODE_TOTAL says 5 shards/,
      ],
      [["--shard", "auto"], {}, /found neither JOB_COMPLETION_INDEX/],
    ];
    for (const [args, env, pattern] of cases) {
      const result = await cli(dir, ["--manifest", "m.json", ...args, "--report-dir", "r"], env);
      assertEquals(result.code, 2, `${args}: ${result.stderr}`);
      assertMatch(result.stderr, pattern);
    }
    await Deno.writeTextFile(path.join(dir, "deploy.ts"), "\n// edited\n", { append: true });
    const changed = await cli(dir, ["--manifest", "m.json", "--shard", "1/2", "--report-dir", "r"]);
    assertEquals(changed.code, 2);
    assertMatch(
      changed.stderr,
      /The run changed since it was planned \(deploy\.ts changed\): nothing was run; plan again/,
    );
    assertEquals([await exists(path.join(dir, "out")), await exists(path.join(dir, "r"))], [
      false,
      false,
    ]);

    await Deno.writeTextFile(
      path.join(dir, "once.ts"),
      `import { server } from "tsinfra";\nserver.shell({ commands: ["true"], _runOnce: true });\n`,
    );
    const refused = await cli(dir, [
      "plan",
      "inventory.ts",
      "once.ts",
      "--shards",
      "2",
      "-o",
      "o.json",
    ]);
    assertEquals(refused.code, 2);
    assertMatch(refused.stderr, /once\.ts:2: _runOnce runs once per run[\s\S]*--shard-key GROUP/);
    const keyed = await cli(dir, [
      "plan",
      "inventory.ts",
      "once.ts",
      "--shards",
      "2",
      "--shard-key",
      "web,db",
      "-o",
      "o.json",
    ]);
    assertEquals(keyed.code, 0, keyed.stderr);

    const bad = await cli(dir, ["merge", "m.json", "o.json"]);
    assertEquals(bad.code, 2);
    assertMatch(bad.stderr, /o\.json: not a tsinfra shard report/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function exists(file: string): Promise<boolean> {
  try {
    await Deno.stat(file);
    return true;
  } catch {
    return false;
  }
}

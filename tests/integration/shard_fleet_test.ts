/**
 * A sharded run as a Kubernetes Indexed Job runs it, against the real sshd fleet: three
 * shard processes started at once with JOB_COMPLETION_INDEX 0, 1 and 2; shard 1 is
 * killed (SIGKILL) while it prepares and started again, as the Job's per-index backoff
 * would; shard 2 holds a host whose operation fails, so it exits 1 and is not retried.
 * The merged report equals the report of one controller running the whole fleet
 * (timings and run ids aside).
 */
import * as path from "node:path";
import { dockerTest, fleetUp } from "../../scripts/fleet/fleet.ts";
import { ROOT, tsinfraWith } from "../_cli.ts";
import { assertEquals } from "../_assert.ts";

/** How long to wait for a marker, scaled by TSINFRA_TEST_TIMEOUT_SCALE on slow machines. */
const WAIT_MS = 120_000 * Number(Deno.env.get("TSINFRA_TEST_TIMEOUT_SCALE") ?? "1");

const DEPLOY = `import { files, host, server } from "tsinfra";
const root = "/srv/tsinfra-shard";
files.directory({ path: root });
files.file({ path: \`\${root}/marker\`, mode: 640 });
files.line({ path: \`\${root}/app.conf\`, line: \`host = \${host.name}\` });
if (host.name === "fleet-3") server.shell({ commands: ["echo broken >&2; exit 7"] });
files.line({ path: \`\${root}/app.conf\`, line: "done = yes" });
// The test's stand-in for a pod that dies: hold in prepare until killed.
const hold = Deno.env.get("TSINFRA_TEST_HOLD");
if (hold) {
  await Deno.writeTextFile(hold, host.name);
  await new Promise(() => {});
}
`;

const cli = tsinfraWith;

function spawnShard(cwd: string, index: number, env: Record<string, string> = {}) {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      "--no-lock",
      path.join(ROOT, "cli.ts"),
      "--manifest",
      "manifest.json",
      "--shard",
      "auto",
      "--report-dir",
      "reports",
    ],
    cwd,
    env: { NO_COLOR: "1", JOB_COMPLETION_INDEX: String(index), TSINFRA_SHARD_TOTAL: "3", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function waitForFile(file: string, child: Deno.ChildProcess): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  let exited = false;
  child.status.then(() => (exited = true));
  while (Date.now() < deadline) {
    try {
      await Deno.stat(file);
      return;
    } catch {
      if (exited) throw new Error("the shard exited before it reached its hold");
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`no ${file} after ${WAIT_MS} ms`);
}

/** A report without what differs between any two runs: timings and the run's identity. */
function comparable(report: Record<string, unknown>): unknown {
  const { timings: _t, run: _r, shards: _s, shard: _i, attempt: _a, ...rest } = report;
  return rest;
}

await dockerTest(
  "a sharded run on the fleet, killed and retried like an Indexed Job, merges to the one-controller report",
  async () => {
    const fleet = await fleetUp(6);
    const dir = await Deno.makeTempDir({ prefix: "tsinfra-shard-fleet-" });
    try {
      await Deno.writeTextFile(path.join(dir, "deploy.ts"), DEPLOY);
      const reset = () =>
        cli(dir, [fleet.inventory, "exec", "--", "rm", "-rf", "/srv/tsinfra-shard"]);

      assertEquals((await reset()).code, 0);
      const single = await cli(dir, [fleet.inventory, "deploy.ts", "-y", "--json"]);
      assertEquals(single.code, 1, single.stderr);
      const one = JSON.parse(single.stdout);
      assertEquals(one.hosts["fleet-3"].success, false);
      assertEquals(
        Object.values(one.hosts).filter((h) => (h as { success: boolean }).success).length,
        5,
      );

      assertEquals((await reset()).code, 0);
      const plan = await cli(dir, [
        "plan",
        fleet.inventory,
        "deploy.ts",
        "--shards",
        "3",
        "-o",
        "manifest.json",
      ]);
      assertEquals(plan.code, 0, plan.stderr);

      const hold = path.join(dir, "holding");
      const doomed = spawnShard(dir, 0, { TSINFRA_TEST_HOLD: hold });
      const second = spawnShard(dir, 1);
      const third = spawnShard(dir, 2);
      await waitForFile(hold, doomed);
      doomed.kill("SIGKILL");
      const killed = await doomed.output();
      assertEquals(killed.signal, "SIGKILL");
      // The Job's backoff: a pod that died is started again for the same index.
      const retried = await spawnShard(dir, 0).output();
      const text = (b: Uint8Array) => new TextDecoder().decode(b);
      assertEquals(retried.code, 0, text(retried.stderr) + text(retried.stdout));
      const [two, three] = [await second.output(), await third.output()];
      assertEquals(two.code, 1, text(two.stderr) + text(two.stdout));
      assertEquals(three.code, 0, text(three.stderr) + text(three.stdout));

      const merged = await cli(dir, ["merge", "manifest.json", "reports", "-o", "merged.json"]);
      assertEquals(merged.code, 1, merged.stderr);
      const report = JSON.parse(await Deno.readTextFile(path.join(dir, "merged.json")));
      assertEquals(Object.keys(report.shards), ["1", "2", "3"]);
      assertEquals(comparable(report), comparable(one));
    } finally {
      await fleet.down();
      await Deno.remove(dir, { recursive: true });
    }
  },
);

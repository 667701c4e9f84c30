/**
 * `deno task bench`: prints figures, never fails on them.
 *
 *   1. startup: `tsinfra --version`, median of 10 runs
 *   2. load + prepare of a 200-operation deploy for one host (zero-latency host)
 *   3. scale on paper: the real engine against 100 / 1,000 / 5,000 simulated hosts with
 *      a 30 ms round trip (`@sim`), time, CPU and memory against N
 *   3b. past one controller: 20,000 simulated hosts planned into 4 shards, run one after
 *      another and merged (wall, CPU and peak RSS of each step)
 *   4. a real fleet (scripts/bench/fleet.ts) when docker is available: tsinfra, the
 *      plain-ssh floor and Ansible (stock and tuned), first and no-change runs, N = 10
 *      and 50; then N = 200 for tsinfra and the floor on the light fleet
 *
 * Options: --quick (smaller sizes), --no-fleet, --json FILE (raw figures). Ansible comes
 * from Debian (apt-get install ansible-core), installed here when missing and root.
 *
 * @module
 */
import * as path from "node:path";

const ROOT = path.resolve(import.meta.dirname!, "..");
const quick = Deno.args.includes("--quick");
const jsonAt = Deno.args.indexOf("--json");
const jsonFile = jsonAt >= 0
  ? Deno.args[jsonAt + 1]
  : path.join(ROOT, "bench-results", "bench.json");

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function run(args: string[]): Promise<{ ms: number; stdout: string; code: number }> {
  const t0 = performance.now();
  const output = await new Deno.Command(Deno.execPath(), { args, cwd: ROOT, stderr: "inherit" })
    .output();
  return {
    ms: performance.now() - t0,
    stdout: new TextDecoder().decode(output.stdout),
    code: output.code,
  };
}

const figures: Record<string, unknown> = {};

// 1. Startup
const versions: number[] = [];
for (let i = 0; i < 10; i++) versions.push((await run(["run", "-A", "cli.ts", "--version"])).ms);
figures.versionMs = Math.round(median(versions));
console.log(`tsinfra --version (deno run, median of 10): ${figures.versionMs} ms`);

// 2. Load + prepare 200 operations, one host, no latency
const prepare = JSON.parse(
  (await run(["run", "-A", "scripts/bench/sim_run.ts", "1", "0", "200", "0"])).stdout,
);
figures.prepare200 = prepare;
console.log(
  `load + prepare + run, 200 operations, 1 zero-latency host: ${prepare.wallMs} ms (${prepare.cpuMs} ms CPU)`,
);

// 2b. --diff of a large file
const diffLarge = JSON.parse((await run(["run", "-A", "scripts/bench/diff_large.ts"])).stdout);
figures.diffLarge = diffLarge;
console.log(
  `--diff of a ${diffLarge.lines}-line file with ${diffLarge.changed} changed lines: ${diffLarge.medianMs} ms (${diffLarge.hunks} hunks)`,
);

// 3. Scale on paper
const sizes = quick ? [100, 1000] : [100, 1000, 5000];
const scale = [];
console.log("\nsimulated hosts (30 ms round trip, 10 operations each, workers: one per core)");
console.log("     hosts    wall ms    cpu ms   peak RSS MB   MB/host   round trips/host");
for (const n of sizes) {
  const result = JSON.parse(
    (await run([
      "run",
      "-A",
      "--v8-flags=--max-old-space-size=8192",
      "scripts/bench/sim_run.ts",
      String(n),
      "30",
      "10",
      String(navigator.hardwareConcurrency),
    ])).stdout,
  );
  scale.push(result);
  const perHost = ((result.peakRssMb - result.idleRssMb) / n).toFixed(3);
  console.log(
    `${String(n).padStart(10)} ${String(result.wallMs).padStart(10)} ${
      String(result.cpuMs).padStart(9)
    } ${String(result.peakRssMb).padStart(13)} ${perHost.padStart(9)} ${
      String(result.roundTripsPerHost).padStart(18)
    }`,
  );
}
figures.simulated = scale;

// 3b. Past one controller: the hosts planned into 4 shards, run one after another, merged;
// as they come, and lean (no workers, V8's old generation capped at 700 MB).
const sharded = quick ? 2000 : 20000;
figures.sharded = {};
for (
  const [label, extra] of [
    ["default", []],
    ["lean: --workers 0, heap cap 700 MB", ["700", "0"]],
  ] as [string, string[]][]
) {
  const shardRun = JSON.parse(
    (await run([
      "run",
      "-A",
      "scripts/bench/sim_shards.ts",
      String(sharded),
      "4",
      "30",
      "10",
      ...extra,
    ]))
      .stdout,
  );
  (figures.sharded as Record<string, unknown>)[label] = shardRun;
  console.log(
    `\n${sharded} simulated hosts as 4 shards, ${label} (plan, --manifest --shard i/4 one after another, merge)`,
  );
  console.log("     step      hosts    wall ms    cpu ms   cpu ms/host   peak RSS MB   exit");
  const row = (step: string, hosts: number, m: Record<string, number>) =>
    console.log(
      `${step.padStart(9)} ${String(hosts).padStart(10)} ${String(m.wallMs).padStart(10)} ${
        String(m.cpuMs).padStart(9)
      } ${(hosts ? m.cpuMs / hosts : 0).toFixed(2).padStart(13)} ${
        String(m.peakRssMb).padStart(13)
      } ${String(m.code).padStart(6)}`,
    );
  row("plan", sharded, shardRun.plan);
  shardRun.runs.forEach((m: Record<string, number>, i: number) =>
    row(`shard ${i + 1}`, sharded / 4, m)
  );
  row("merge", sharded, shardRun.merge);
  console.log(`    every host succeeded in the merged report: ${shardRun.success}`);
}

// 4. Real fleet
if (!Deno.args.includes("--no-fleet")) {
  const have =
    (await new Deno.Command("sh", { args: ["-c", "command -v ansible-playbook"] }).output())
      .success;
  if (!have && Deno.uid() === 0) {
    console.log("\ninstalling Debian's ansible-core for the comparison...");
    await new Deno.Command("sh", {
      args: [
        "-c",
        "apt-get install -y -qq ansible-core >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq ansible-core >/dev/null)",
      ],
      env: { DEBIAN_FRONTEND: "noninteractive" },
    }).output();
  }
  const fleet = await new Deno.Command(Deno.execPath(), {
    // The full run also measures N = 200 for tsinfra and the floor on the light fleet.
    args: [
      "run",
      "-A",
      "scripts/bench/fleet.ts",
      ...(quick ? ["--quick"] : ["--sizes", "10,50", "--light", "200"]),
    ],
    cwd: ROOT,
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const text = new TextDecoder().decode(fleet.stdout);
  console.log("\n" + text.split("\n").filter((l) => !l.startsWith("{")).join("\n"));
  const raw = text.split("\n").find((l) => l.startsWith("{"));
  if (raw) figures.fleet = JSON.parse(raw);
}

await Deno.mkdir(path.dirname(jsonFile), { recursive: true });
await Deno.writeTextFile(jsonFile, JSON.stringify(figures, null, 2) + "\n");
console.log(`\nraw figures: ${path.relative(ROOT, jsonFile)}`);

/**
 * A sharded run on paper: `TOTAL SHARDS LATENCY_MS OPS [HEAP_MB [WORKERS]]`. Plans TOTAL simulated hosts
 * (`@sim`) into SHARDS shards with the real CLI, runs the shards one after another as
 * separate processes (as CI jobs would, on one machine), merges their reports, and
 * prints one JSON line: each shard's wall time, CPU and peak RSS (GNU time), the
 * merge's, and whether every host succeeded.
 *
 *   deno run -A scripts/bench/sim_shards.ts 20000 4 30 10
 *
 * HEAP_MB caps V8's old generation of each shard (`DENO_V8_FLAGS=--max-old-space-size`):
 * the live set is small, and without a cap V8 lets garbage grow the heap far past it.
 * WORKERS is each shard's `--workers` (default: one per core); every worker is a V8
 * isolate that loads the library and the whole inventory again.
 *
 * @module
 */
import * as path from "node:path";

const ROOT = path.resolve(import.meta.dirname!, "../..");
const [total, shards, latency, ops, heapMb, workers] = Deno.args.map(Number);
const dir = await Deno.makeTempDir({ prefix: "tsinfra-bench-shards-" });

interface Measured {
  code: number;
  wallMs: number;
  cpuMs: number;
  peakRssMb: number;
}

/** Runs the CLI under GNU time: wall seconds, user and system seconds, max RSS in KB. */
async function timed(args: string[], env: Record<string, string> = {}): Promise<Measured> {
  const stats = path.join(dir, "time.txt");
  const output = await new Deno.Command("/usr/bin/time", {
    args: [
      "-o",
      stats,
      "-f",
      "%e %U %S %M",
      Deno.execPath(),
      "run",
      "-A",
      "--no-lock",
      path.join(ROOT, "cli.ts"),
      ...args,
    ],
    cwd: dir,
    env,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  const [wall, user, system, rssKb] = (await Deno.readTextFile(stats)).trim().split("\n").at(-1)!
    .split(" ").map(Number);
  if (output.code !== 0) {
    console.error(new TextDecoder().decode(output.stderr).slice(-2000));
  }
  return {
    code: output.code,
    wallMs: Math.round(wall * 1000),
    cpuMs: Math.round((user + system) * 1000),
    peakRssMb: +(rssKb / 1024).toFixed(1),
  };
}

try {
  const hosts = Array.from(
    { length: total },
    (_, i) => `["@sim/h${i}", { simLatencyMs: ${latency} }]`,
  );
  await Deno.writeTextFile(
    path.join(dir, "inventory.ts"),
    `export const sim = [${hosts.join(",\n")}];\n`,
  );
  await Deno.writeTextFile(
    path.join(dir, "deploy.ts"),
    `import { files, host } from "tsinfra";\nfor (let i = 0; i < ${ops}; i++) files.directory({ path: \`/srv/\${host.name}/d\${i}\` });\n`,
  );
  const plan = await timed([
    "plan",
    "inventory.ts",
    "deploy.ts",
    "--shards",
    String(shards),
    // The shards load the simulated connector (`@sim`) from the manifest's options.
    "--connectors",
    path.join(import.meta.dirname!, "sim_connectors.ts"),
    "-o",
    "manifest.json",
  ]);
  const runs: Measured[] = [];
  for (let i = 1; i <= shards; i++) {
    runs.push(
      await timed([
        "--manifest",
        "manifest.json",
        "--shard",
        `${i}/${shards}`,
        "--report-dir",
        "r",
        "-q",
      ]),
    );
  }
  const merge = await timed(["merge", "manifest.json", "r", "-o", "merged.json"]);
  const merged = JSON.parse(await Deno.readTextFile(path.join(dir, "merged.json")));
  console.log(JSON.stringify({
    hosts: total,
    shards,
    latencyMs: latency,
    operations: ops,
    heapMb: heapMb || null,
    workers: Number.isInteger(workers) ? workers : null,
    plan,
    runs,
    merge,
    success: merged.success && merged.totals.hosts === total,
  }));
} finally {
  await Deno.remove(dir, { recursive: true });
}

/**
 * One measured run for the benchmark, in its own process: `N LATENCY_MS OPS WORKERS`.
 * Drives the real engine against N simulated hosts (`@sim`, added by sim_connectors.ts)
 * and prints one JSON line of figures.
 *
 * @module
 */
import * as path from "node:path";
import process from "node:process";
import { BUILTIN_CATALOGUE } from "../../src/catalogue.ts";
import { EventBus } from "../../src/core/events.ts";
import { runDeploy } from "../../src/runner/run.ts";

const [n, latency, ops, workers] = Deno.args.map(Number);
const dir = await Deno.makeTempDir({ prefix: "tsinfra-bench-sim-" });
try {
  const hosts = Array.from({ length: n }, (_, i) => `["@sim/h${i}", { simLatencyMs: ${latency} }]`);
  await Deno.writeTextFile(
    path.join(dir, "inventory.ts"),
    `export const sim = [${hosts.join(",\n")}];\n`,
  );
  await Deno.writeTextFile(
    path.join(dir, "deploy.ts"),
    `import { files, host } from "tsinfra";\nfor (let i = 0; i < ${ops}; i++) files.directory({ path: \`/srv/\${host.name}/d\${i}\` });\n`,
  );
  let peak = process.memoryUsage().rss;
  const idle = peak;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const { report } = await runDeploy({
    inventory: path.join(dir, "inventory.ts"),
    spec: { kind: "files", files: [path.join(dir, "deploy.ts")] },
    catalogue: BUILTIN_CATALOGUE,
    // The simulated hosts, in this thread and in every worker.
    connectorModule: path.join(import.meta.dirname!, "sim_connectors.ts"),
    deployDir: dir,
    cwd: dir,
    workers,
    events: new EventBus(),
  });
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const roundTrips = Object.values(report.hosts).map((h) => h.stats.roundTrips);
  console.log(JSON.stringify({
    hosts: n,
    latencyMs: latency,
    operations: ops,
    workers,
    success: report.success,
    wallMs: Math.round(wall),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    idleRssMb: +(idle / 2 ** 20).toFixed(1),
    peakRssMb: +(peak / 2 ** 20).toFixed(1),
    roundTripsPerHost: roundTrips.reduce((a, b) => a + b, 0) / roundTrips.length,
    phasesMs: report.timings,
  }));
} finally {
  await Deno.remove(dir, { recursive: true });
}

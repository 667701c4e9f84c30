/**
 * Where a run's time goes: brings up a fleet of N sshd hosts, runs the bench workload
 * three times (first, then two no-change runs) and prints each run's wall time, the
 * phase timings tsinfra reports in `--json` (connect, prepare, execute, disconnect) and
 * the round trips per host.
 *
 *   deno run -A scripts/bench/profile.ts 50
 *
 * @module
 */
import * as path from "node:path";
import { fleetUp } from "../fleet/fleet.ts";

const ROOT = path.resolve(import.meta.dirname!, "../..");
const n = Number(Deno.args[0] ?? 50);

interface HostReport {
  stats: { roundTrips: number };
}

const fleet = await fleetUp(n);
console.log(`fleet of ${n} up in ${Math.round(fleet.upMs)} ms`);
try {
  for (const label of ["first", "no-change", "no-change"]) {
    const started = performance.now();
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        path.join(ROOT, "cli.ts"),
        fleet.inventory,
        "deploy.ts",
        "-y",
        "--json",
        "--data",
        `benchRoot=/tmp/tsinfra-profile`,
      ],
      cwd: path.join(ROOT, "examples/bench"),
      stderr: "null",
    }).output();
    const wall = Math.round(performance.now() - started);
    const report = JSON.parse(new TextDecoder().decode(output.stdout));
    const trips = Object.values(report.hosts as Record<string, HostReport>).map((h) =>
      h.stats.roundTrips
    );
    console.log(
      `${label.padEnd(9)} wall ${wall} ms  ${
        JSON.stringify(report.timings)
      }  changed ${report.totals.changed}  round trips/host ${Math.min(...trips)}-${
        Math.max(...trips)
      }`,
    );
  }
} finally {
  await fleet.down();
}

/**
 * Fifty real SSH hosts in one run, through the worker pool: no errors, no file
 * descriptor exhaustion; the run's duration is printed (a figure, not an assertion).
 */
import * as path from "node:path";
import { dockerTest, fleetUp } from "../../scripts/fleet/fleet.ts";
import { assertEquals } from "../_assert.ts";

const ROOT = path.resolve(import.meta.dirname!, "../..");

async function tsinfra(args: string[]) {
  const started = performance.now();
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", path.join(ROOT, "cli.ts"), ...args],
    stdin: "null",
    env: { NO_COLOR: "1" },
  }).output();
  return {
    code: output.code,
    ms: Math.round(performance.now() - started),
    stdout: new TextDecoder().decode(output.stdout),
    stderr: new TextDecoder().decode(output.stderr),
  };
}

await dockerTest("fifty hosts deploy in one run through the worker pool", async () => {
  const fleet = await fleetUp(50);
  try {
    const deploy = path.join(ROOT, "examples/bench/deploy.ts");
    const first = await tsinfra([fleet.inventory, deploy, "-y", "--json"]);
    assertEquals(first.code, 0, first.stderr.slice(-2000));
    const report = JSON.parse(first.stdout);
    assertEquals(report.totals.hosts, 50);
    assertEquals(
      Object.values(report.hosts).every((h) => (h as { success: boolean }).success),
      true,
    );
    const second = await tsinfra([fleet.inventory, deploy, "-y", "--json"]);
    assertEquals(second.code, 0, second.stderr.slice(-2000));
    const again = JSON.parse(second.stdout);
    assertEquals(again.totals.changed, 0);
    const trips = Object.values(again.hosts).map((h) =>
      (h as { stats: { roundTrips: number } }).stats.roundTrips
    );
    // A no-change run sends one command per host: every fact read in one batch (files.put
    // asks for the hash together with the file's state).
    assertEquals(trips.every((n) => n === 1), true, `round trips per host: ${trips.join(",")}`);
    console.log(
      `\n    50 hosts (fleet up ${fleet.upMs} ms): first run ${first.ms} ms, no-change run ${second.ms} ms, ` +
        `round trips per host in the no-change run: ${Math.min(...trips)}-${Math.max(...trips)}\n`,
    );
  } finally {
    await fleet.down();
  }
});

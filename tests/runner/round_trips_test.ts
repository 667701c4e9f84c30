/**
 * Round trips per host for the benchmark workload (examples/bench) on @local: the first
 * run sends one fact read plus one command per changing operation (and one more per
 * upload), because each operation's commands carry the next operation's fact reads; the
 * no-change run sends two.
 */
import * as path from "node:path";
import { assertEquals } from "../_assert.ts";

const ROOT = path.resolve(import.meta.dirname!, "../..");

async function bench(root: string) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      path.join(ROOT, "cli.ts"),
      "@local",
      "deploy.ts",
      "-y",
      "--json",
      "--data",
      `benchRoot=${root}`,
    ],
    cwd: path.join(ROOT, "examples/bench"),
    stdin: "null",
    env: { NO_COLOR: "1" },
  }).output();
  const report = JSON.parse(new TextDecoder().decode(output.stdout));
  return report.hosts["@local"].stats;
}

Deno.test("the bench workload: 14 round trips on a clean host (11 changes, 2 uploads), 2 when nothing changes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tsinfra-round-trips-" });
  try {
    const first = await bench(`${dir}/host`);
    assertEquals([first.changed, first.errors], [11, 0]);
    // 1 batched fact read + 11 changing operations + 2 uploads (files.put, files.template).
    assertEquals(first.roundTrips, 14);
    const second = await bench(`${dir}/host`);
    assertEquals([second.changed, second.roundTrips], [0, 2]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * The core operation set over SSH on a fleet of five real sshd containers: as root, as
 * a sudo user without a password and as one that needs it; first run changes, second
 * run changes nothing; with and without workers the results are the same.
 */
import * as path from "node:path";
import { dockerTest, fleetUp } from "../../scripts/fleet/fleet.ts";
import { stripColours } from "../../src/cli/style.ts";
import { assertEquals } from "../_assert.ts";

const ROOT = path.resolve(import.meta.dirname!, "../..");
const DEPLOY = path.join(ROOT, "examples/fleet/deploy.ts");

async function tsinfra(args: string[]) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", path.join(ROOT, "cli.ts"), ...args],
    stdin: "null",
    env: { NO_COLOR: "1" },
  }).output();
  const text = (b: Uint8Array) => stripColours(new TextDecoder().decode(b));
  return { code: output.code, stdout: text(output.stdout), stderr: text(output.stderr) };
}

interface Report {
  success: boolean;
  totals: { changed: number; hosts: number };
  hosts: Record<
    string,
    {
      success: boolean;
      operations: { name: string; commands: string[]; status: string }[];
      stats: { roundTrips: number };
    }
  >;
}

function withoutCounters(report: Report): unknown {
  return JSON.parse(
    JSON.stringify(report, (key, value) => (key === "roundTrips" || key === "timings" ? 0 : value)),
  );
}

await dockerTest(
  "the core operation set deploys over SSH as root and through sudo, idempotently",
  async (t) => {
    const fleet = await fleetUp(5);
    const fetchDir = await Deno.makeTempDir({ prefix: "tsinfra-fleet-fetch-" });
    try {
      const modes: [string, string[]][] = [
        ["root", ["--user", "root"]],
        ["sudo", ["--user", "deploy", "--sudo"]],
        ["sudo-password", [
          "--user",
          "deploypw",
          "--sudo",
          "--sudo-password",
          fleet.deploypwPassword,
        ]],
      ];
      for (const [mode, flags] of modes) {
        await t.step(`as ${mode}`, async () => {
          const data = [
            ...["--data", `root=/srv/tsinfra-${mode}`, "--data", `fetchDir=${fetchDir}/${mode}`],
            ...["--data", `appUser=tsinfra-${mode}`],
          ];
          const first = await tsinfra([fleet.inventory, DEPLOY, "-y", "--json", ...flags, ...data]);
          assertEquals(first.code, 0, first.stderr + first.stdout.slice(0, 3000));
          const report: Report = JSON.parse(first.stdout);
          assertEquals(report.totals.hosts, 5);
          for (const [name, host] of Object.entries(report.hosts)) {
            assertEquals(host.success, true, name);
            const unchanged = host.operations.filter((o) => o.status === "noChange").map((o) =>
              o.name
            );
            assertEquals(unchanged, [], `${name} in ${mode}: ${unchanged.join(", ")}`);
          }
          assertEquals(
            await Deno.readTextFile(`${fetchDir}/${mode}/fleet-1.conf`).then((t) =>
              t.startsWith("listen 8080\n")
            ),
            true,
          );
          const owner = await tsinfra([
            fleet.inventory,
            "exec",
            "-y",
            "--json",
            ...flags,
            "--",
            `cat /srv/tsinfra-${mode}/ran-as`,
          ]);
          for (const host of Object.values(JSON.parse(owner.stdout).hosts as Report["hosts"])) {
            assertEquals((host.operations[0] as unknown as { stdout: string }).stdout, "root\n");
          }
          const second = await tsinfra([
            fleet.inventory,
            DEPLOY,
            "-y",
            "--json",
            "--workers",
            "0",
            ...flags,
            ...data,
          ]);
          assertEquals(second.code, 0, second.stderr);
          const again: Report = JSON.parse(second.stdout);
          const changed = Object.values(again.hosts).flatMap((h) =>
            h.operations.filter((o) => o.status !== "noChange" && o.status !== "skipped").map((o) =>
              `${o.name}: ${o.commands.join("; ")}`
            )
          );
          assertEquals(changed, []);
          assertEquals(again.totals.changed, 0);
          for (const host of Object.values(again.hosts)) {
            assertEquals(host.operations.flatMap((o) => o.commands), []);
          }
          const pooled = await tsinfra([
            fleet.inventory,
            DEPLOY,
            "-y",
            "--json",
            "--workers",
            "2",
            ...flags,
            ...data,
          ]);
          assertEquals(withoutCounters(JSON.parse(pooled.stdout)), withoutCounters(again));
          assertEquals(second.stdout.includes(fleet.deploypwPassword), false);
        });
      }
    } finally {
      await fleet.down();
      await Deno.remove(fetchDir, { recursive: true });
    }
  },
);

/**
 * Faults on a real fleet: an unreachable host, a container killed mid-run, a command
 * hanging past `_timeout`, a changed host key, a wrong sudo password. The failing host
 * is named with its reason, the others finish, and the exit status is 1.
 */
import * as path from "node:path";
import { dockerTest, fleetUp } from "../../scripts/fleet/fleet.ts";
import { stripColours } from "../../src/cli/style.ts";
import { assertEquals, assertMatch, assertStringIncludes } from "../_assert.ts";

const ROOT = path.resolve(import.meta.dirname!, "../..");

function tsinfra(cwd: string, args: string[]) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", path.join(ROOT, "cli.ts"), ...args],
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  return child.output().then((output) => {
    const text = (b: Uint8Array) => stripColours(new TextDecoder().decode(b));
    return { code: output.code, stdout: text(output.stdout), stderr: text(output.stderr) };
  });
}

interface HostReport {
  success: boolean;
  error: string | null;
  operations: { name: string; status: string; error: string | null }[];
}

await dockerTest(
  "fleet faults: each failing host is named with its reason, the others finish",
  async (t) => {
    const fleet = await fleetUp(3);
    const dir = await Deno.makeTempDir({ prefix: "tsinfra-faults-" });
    try {
      // A port nobody listens on: reserve one, then free it.
      const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const closedPort = (listener.addr as Deno.NetAddr).port;
      listener.close();
      await Deno.writeTextFile(
        path.join(dir, "inventory.ts"),
        `import { fleet as hosts } from ${JSON.stringify(fleet.inventory)};\n` +
          `export const fleet = [...hosts, ["ghost", { sshHostname: "127.0.0.1", sshPort: ${closedPort}, sshUser: "root", sshConnectTimeout: 3 }]];\n`,
      );
      await Deno.writeTextFile(
        path.join(dir, "deploy.ts"),
        `import { files, host, server } from "tsinfra";
files.directory({ path: "/srv/faults" });
server.shell({
  commands: [host.name === "fleet-2" ? "touch /tmp/tsinfra-working; sleep 60" : "sleep 1"],
  name: "work",
});
files.file({ path: "/srv/faults/done" });
`,
      );

      await t.step(
        "a command hanging past _timeout fails that operation, not the run",
        async () => {
          const hang = await tsinfra(dir, [
            fleet.inventory,
            "--limit",
            "fleet-1",
            "server.shell",
            'commands=["sleep 60"]',
            "_timeout=2",
            "-y",
            "--json",
          ]);
          assertEquals(hang.code, 1);
          const host = JSON.parse(hang.stdout).hosts["fleet-1"] as HostReport;
          assertMatch(host.operations[0].error!, /timed out after 2s/);
        },
      );

      await t.step("a changed host key is refused and nothing runs there", async () => {
        // Connect once so that the key is known, then replace the host (new keys). The
        // fleet's known_hosts learns new keys on recreate: keep the old ones, as a user would.
        assertEquals(
          (await tsinfra(dir, [fleet.inventory, "--limit", "fleet-3", "exec", "--", "true"])).code,
          0,
        );
        const known = await Deno.readTextFile(fleet.knownHosts);
        await fleet.recreate(3);
        await Deno.writeTextFile(fleet.knownHosts, known);
        const result = await tsinfra(dir, [
          fleet.inventory,
          "--limit",
          "fleet-3",
          "exec",
          "--",
          "touch /tmp/should-not-exist",
        ]);
        assertEquals(result.code, 1, result.stdout);
        assertStringIncludes(result.stdout, "fleet-3");
        assertMatch(result.stdout + result.stderr, /host key/i);
      });

      await t.step("a wrong sudo password fails with a message that does not show it", async () => {
        const result = await tsinfra(dir, [
          fleet.inventory,
          "--limit",
          "fleet-1",
          "--user",
          "deploypw",
          "--sudo",
          "--sudo-password",
          "wrong-Secret-42",
          "server.shell",
          'commands=["id -un"]',
          "-y",
          "--json",
        ]);
        assertEquals(result.code, 1, result.stderr);
        const host = JSON.parse(result.stdout).hosts["fleet-1"] as HostReport;
        assertEquals(host.success, false);
        assertEquals((result.stdout + result.stderr).includes("wrong-Secret-42"), false);
      });
      await t.step("an unreachable host and a container killed mid-run", async () => {
        // fleet-3 has a new host key by now (previous step): leave it out.
        const run = tsinfra(dir, [
          "inventory.ts",
          "deploy.ts",
          "-y",
          "--json",
          "--limit",
          "fleet-1",
          "--limit",
          "fleet-2",
          "--limit",
          "ghost",
        ]);
        // Killed once its "work" command has started (it leaves a marker), not after a sleep.
        const victim = fleet.hosts.find((h) => h.name === "fleet-2")!;
        const working = () =>
          new Deno.Command("docker", {
            args: ["exec", victim.container, "test", "-f", "/tmp/tsinfra-working"],
            stdout: "null",
            stderr: "null",
          }).output().then((o) => o.success);
        const deadline = Date.now() + 120_000;
        while (!(await working())) {
          if (Date.now() > deadline) throw new Error("fleet-2 never started its work");
          await new Promise((r) => setTimeout(r, 100));
        }
        await new Deno.Command("docker", {
          args: ["kill", victim.container],
          stdout: "null",
          stderr: "null",
        }).output();
        const result = await run;
        assertEquals(result.code, 1, result.stderr);
        const report = JSON.parse(result.stdout);
        const hosts = report.hosts as Record<string, HostReport>;
        assertMatch(hosts.ghost.error!, /ghost|refused|connect/i);
        assertEquals(hosts["fleet-2"].success, false);
        assertMatch(hosts["fleet-2"].error!, /work at deploy\.ts:3:\d+/);
        for (const name of ["fleet-1"]) {
          assertEquals(hosts[name].success, true, name);
          assertEquals(hosts[name].operations.map((o) => o.status), [
            "changed",
            "changed",
            "changed",
          ]);
        }
      });
    } finally {
      await fleet.down();
      await Deno.remove(dir, { recursive: true });
    }
  },
);

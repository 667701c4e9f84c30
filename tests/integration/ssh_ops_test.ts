/**
 * ssh.keyscan, ssh.command, ssh.upload and ssh.download for real: a deploy on one fleet
 * host (over SSH) reaches a second fleet host on the docker network with the fleet's
 * key. keyscan and download change nothing on the second run; command and upload are
 * not idempotent and run again, as in pyinfra.
 */
import * as path from "node:path";
import { dockerTest, fleetUp } from "../../scripts/fleet/fleet.ts";
import { assertEquals } from "../_assert.ts";
import { run, tsinfraIn } from "../_cli.ts";

await dockerTest("ssh operations from one fleet host to another", async () => {
  const fleet = await fleetUp(2);
  const dir = await Deno.makeTempDir({ prefix: "tsinfra-ssh-ops-" });
  try {
    const [one, two] = fleet.hosts;
    await Deno.copyFile(fleet.key, path.join(dir, "id_ed25519"));
    await Deno.writeTextFile(
      path.join(dir, "inventory.ts"),
      `export const hosts = [["${one.name}", { sshHostname: "127.0.0.1", sshPort: ${one.port}, sshUser: "root", sshKey: ${
        JSON.stringify(fleet.key)
      }, sshKnownHostsFile: ${JSON.stringify(fleet.knownHosts)} }]];\n`,
    );
    await Deno.writeTextFile(
      path.join(dir, "deploy.ts"),
      `import { files, ssh } from "tsinfra";
files.put({ src: "./id_ed25519", dest: "/root/.ssh/id_ed25519", mode: 600 });
files.put({ src: "./inventory.ts", dest: "/tmp/to-send.txt" });
ssh.keyscan({ hostname: "${two.address}" });
ssh.upload({ hostname: "${two.address}", filename: "/tmp/to-send.txt", remoteFilename: "/tmp/received.txt" });
ssh.command({ hostname: "${two.address}", command: "cp /tmp/received.txt /tmp/copied.txt" });
ssh.download({ hostname: "${two.address}", filename: "/tmp/copied.txt", localFilename: "/tmp/back.txt" });
`,
    );
    const runs = [];
    for (let i = 0; i < 2; i++) {
      const result = await tsinfraIn(dir, "inventory.ts", "deploy.ts", "-y", "--json");
      assertEquals(result.code, 0, result.stdout + result.stderr);
      runs.push(
        Object.values(
          JSON.parse(result.stdout).hosts as Record<string, {
            operations: { name: string; changed: boolean }[];
          }>,
        )[0].operations.map((o) => [o.name.split(" ")[0], o.changed]),
      );
    }
    assertEquals(runs[0].map(([, changed]) => changed), [true, true, true, true, true, true]);
    assertEquals(runs[1], [
      ["files.put", false],
      ["files.put", false],
      ["ssh.keyscan", false],
      ["ssh.upload", true],
      ["ssh.command", true],
      ["ssh.download", false],
    ]);
    const back = await run("docker", ["exec", one.container, "cat", "/tmp/back.txt"]);
    assertEquals(back.stdout, await Deno.readTextFile(path.join(dir, "inventory.ts")));
  } finally {
    await Deno.remove(dir, { recursive: true });
    await fleet.down();
  }
});

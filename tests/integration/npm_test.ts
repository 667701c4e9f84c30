/**
 * npm.packages for real: a container from the fleet image with this machine's Node and
 * npm mounted read-only, installing a package from the npm registry (reachable here,
 * through this machine's egress proxy, whose CA the container is given). The second run
 * changes nothing; removing it works and is idempotent too.
 */
import * as path from "node:path";
import { dockerTest } from "../../scripts/fleet/fleet.ts";
import { assertEquals } from "../_assert.ts";
import { run, tsinfraIn } from "../_cli.ts";

const CA = "/etc/ssl/certs/ca-certificates.crt";

await dockerTest("npm.packages installs from the npm registry, then changes nothing", async () => {
  // This machine's Node and npm (the brief guarantees both), wherever they live.
  const node = (await run("sh", ["-c", 'readlink -f "$(command -v node)"'])).stdout.trim();
  const npmRoot = (await run("npm", ["root", "-g"])).stdout.trim();
  assertEquals(node !== "" && npmRoot !== "", true, "node and npm are needed on this machine");
  const id = (await run("docker", [
    "run",
    "-d",
    "-v",
    `${node}:/usr/bin/node:ro`,
    "-v",
    `${npmRoot}/npm:/usr/lib/node_modules/npm:ro`,
    "-v",
    `${CA}:/etc/tsinfra-egress-ca.crt:ro`,
    "tsinfra-fleet:bookworm",
    "sleep",
    "infinity",
  ])).stdout.trim();
  const dir = await Deno.makeTempDir({ prefix: "tsinfra-npm-" });
  try {
    const setup = await run("docker", [
      "exec",
      id,
      "sh",
      "-c",
      "ln -s /usr/lib/node_modules/npm/bin/npm-cli.js /usr/bin/npm && npm config set -g cafile /etc/tsinfra-egress-ca.crt",
    ]);
    assertEquals(setup.code, 0, setup.stderr);
    // Installed pinned; removed by name (npm uninstall takes names, not versions).
    const deploy = (spec: string, present: boolean) =>
      `import { npm } from "tsinfra";\nnpm.packages({ packages: ["${spec}"], present: ${present} });\n`;
    await Deno.writeTextFile(path.join(dir, "add.ts"), deploy("is-odd@3.0.1", true));
    await Deno.writeTextFile(path.join(dir, "remove.ts"), deploy("is-odd", false));
    const changed = async (file: string) => {
      const result = await tsinfraIn(dir, `@docker/${id}`, file, "-y", "--json");
      assertEquals(result.code, 0, result.stdout + result.stderr);
      return JSON.parse(result.stdout).totals.changed as number;
    };
    assertEquals(await changed("add.ts"), 1);
    const listed = await run("docker", ["exec", id, "npm", "list", "-g", "--depth=0"]);
    assertEquals(listed.stdout.includes("is-odd@3.0.1"), true, listed.stdout);
    assertEquals(await changed("add.ts"), 0);
    assertEquals(await changed("remove.ts"), 1);
    assertEquals(await changed("remove.ts"), 0);
  } finally {
    await run("docker", ["rm", "-f", id]);
    await Deno.remove(dir, { recursive: true });
  }
});

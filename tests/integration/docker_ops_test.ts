/**
 * docker.volume, docker.network and docker.container against this machine's real
 * docker daemon, through @local: the first run creates them, the second changes
 * nothing, a third with `present: false` removes them. Names carry a random suffix.
 */
import * as path from "node:path";
import { dockerTest } from "../../scripts/fleet/fleet.ts";
import { assertEquals } from "../_assert.ts";
import { run } from "../_cli.ts";

const ROOT = path.resolve(import.meta.dirname!, "../..");

await dockerTest(
  "docker operations manage volumes, networks and containers idempotently",
  async () => {
    const suffix = Math.floor(Math.random() * 1e9).toString(36);
    const [volume, network, container] = ["vol", "net", "ctr"].map((k) => `tsinfra-${k}-${suffix}`);
    const dir = await Deno.makeTempDir({ prefix: "tsinfra-docker-ops-" });
    const volumeOp = (present: boolean) =>
      `docker.volume({ volume: "${volume}", labels: ["tsinfra=test"], present: ${present} });`;
    const networkOp = (present: boolean) =>
      `docker.network({ network: "${network}", present: ${present} });`;
    const containerOp = (present: boolean) =>
      `docker.container({ container: "${container}", image: "tsinfra-fleet:bookworm", ` +
      `command: ["sleep", "infinity"], volumes: ["${volume}:/data"], ` +
      `networks: ["${network}"], present: ${present} });`;
    // Up: what the container needs first; down: the container first.
    const deploy = (present: boolean) =>
      [
        'import { docker } from "tsinfra";',
        ...(present
          ? [volumeOp(true), networkOp(true), containerOp(true)]
          : [containerOp(false), networkOp(false), volumeOp(false)]),
      ].join("\n") + "\n";
    const tsinfra = async (file: string) => {
      const result = await run(Deno.execPath(), [
        "run",
        "-A",
        path.join(ROOT, "cli.ts"),
        "@local",
        file,
        "-y",
        "--json",
      ], dir);
      assertEquals(result.code, 0, result.stderr + result.stdout);
      return JSON.parse(result.stdout).totals.changed as number;
    };
    try {
      await Deno.writeTextFile(path.join(dir, "up.ts"), deploy(true));
      await Deno.writeTextFile(path.join(dir, "down.ts"), deploy(false));
      assertEquals(await tsinfra("up.ts"), 3);
      const state = await run("docker", ["inspect", "-f", "{{.State.Running}}", container]);
      assertEquals(state.stdout.trim(), "true");
      assertEquals(await tsinfra("up.ts"), 0);
      // Stopped behind tsinfra's back: the next run starts it again.
      await run("docker", ["stop", "-t", "0", container]);
      assertEquals(await tsinfra("up.ts"), 1);
      assertEquals(await tsinfra("down.ts"), 3);
      assertEquals((await run("docker", ["volume", "inspect", volume])).code, 1);
      assertEquals(await tsinfra("down.ts"), 0);
    } finally {
      await run("docker", ["rm", "-f", container]);
      await run("docker", ["network", "rm", network]);
      await run("docker", ["volume", "rm", volume]);
      await Deno.remove(dir, { recursive: true });
    }
  },
);

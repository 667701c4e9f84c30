/**
 * docker.volume, docker.network and docker.container against this machine's real
 * docker daemon, through @local: the first run creates them, the second changes
 * nothing; a container stopped behind tsinfra's back is started again, one whose
 * environment changed is created again (once), `start: false` stops it, and
 * `present: false` removes everything. Names carry a random suffix.
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
    const containerOp = (present: boolean, extra = "") =>
      `docker.container({ container: "${container}", image: "tsinfra-fleet:bookworm", ` +
      `command: ["sleep", "infinity"], volumes: ["${volume}:/data"], ` +
      `networks: ["${network}"], present: ${present}${extra} });`;
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
      const only = (op: string) => `import { docker } from "tsinfra";\n${op}\n`;
      await Deno.writeTextFile(
        path.join(dir, "env.ts"),
        only(containerOp(true, ', envVars: ["MODE=prod"], labels: ["tsinfra=test"]')),
      );
      await Deno.writeTextFile(
        path.join(dir, "stop.ts"),
        only(`docker.container({ container: "${container}", start: false });`),
      );
      assertEquals(await tsinfra("up.ts"), 3);
      const state = await run("docker", ["inspect", "-f", "{{.State.Running}}", container]);
      assertEquals(state.stdout.trim(), "true");
      assertEquals(await tsinfra("up.ts"), 0);
      // Stopped behind tsinfra's back: the next run starts it again.
      await run("docker", ["stop", "-t", "0", container]);
      assertEquals(await tsinfra("up.ts"), 1);
      // New environment and labels: the container is created again with them, once.
      assertEquals(await tsinfra("env.ts"), 1);
      const env = await run("docker", ["inspect", "-f", "{{json .Config.Env}}", container]);
      assertEquals(env.stdout.includes("MODE=prod"), true, env.stdout);
      assertEquals(await tsinfra("env.ts"), 0);
      // Without an image the container is only stopped (and then left stopped).
      assertEquals(await tsinfra("stop.ts"), 1);
      const stopped = await run("docker", ["inspect", "-f", "{{.State.Running}}", container]);
      assertEquals(stopped.stdout.trim(), "false");
      assertEquals(await tsinfra("stop.ts"), 0);
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

/**
 * Ctrl-C during a run: no operation starts after it, the running command is stopped on
 * the host (a local process group, an SSH command through sshd's signal), a container
 * started from an image is removed without being committed, the results say what ran,
 * and the exit status is 130. The signal is sent when the deploy's first command has
 * reported (it writes a marker), never after a fixed sleep.
 *
 * @module
 */
import * as path from "node:path";
import { assertEquals, assertMatch } from "../_assert.ts";
import { ROOT, run, startTsinfra, waitFor } from "../_cli.ts";
import { dockerTest, fleetUp } from "../../scripts/fleet/fleet.ts";

/** How long to wait for a marker, scaled by TSINFRA_TEST_TIMEOUT_SCALE on slow machines. */
const exists = (file: string) => Deno.stat(file).then(() => true, () => false);

Deno.test("Ctrl-C on @local stops the running command, starts nothing more, prints the results, exits 130", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tsinfra-interrupt-" });
  try {
    await Deno.writeTextFile(
      path.join(dir, "deploy.ts"),
      `import { server } from "tsinfra";
server.shell({ commands: ["touch ${dir}/first; sleep 300; touch ${dir}/after"] });
server.shell({ commands: ["touch ${dir}/second"] });
`,
    );
    const cli = startTsinfra(dir, ["@local", "deploy.ts", "-y"]);
    await waitFor("the first command", () => exists(path.join(dir, "first")));
    cli.signal("SIGINT");
    const out = await cli.done;
    assertEquals(out.code, 130, out.stdout + out.stderr);
    assertMatch(out.stdout, /Run stopped: interrupted/);
    assertMatch(out.stdout, /@local\s+1\s+0\s+0\s+1/);
    assertEquals(await exists(path.join(dir, "second")), false);
    assertEquals(await exists(path.join(dir, "after")), false);
    const left = await run("pgrep", ["-f", `sleep 300; touch ${dir}/after`]);
    assertEquals(left.stdout, "");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

await dockerTest("Ctrl-C over SSH kills the remote command under sudo", async () => {
  const fleet = await fleetUp(1);
  const dir = await Deno.makeTempDir({ prefix: "tsinfra-interrupt-ssh-" });
  const container = fleet.hosts[0].container;
  const inContainer = (...argv: string[]) => run("docker", ["exec", container, ...argv]);
  try {
    await Deno.writeTextFile(
      path.join(dir, "deploy.ts"),
      `import { server } from "tsinfra";
server.shell({ commands: ["touch /tmp/tsinfra-first; exec sleep 301"], _sudo: true });
server.shell({ commands: ["touch /tmp/tsinfra-second"] });
`,
    );
    const cli = startTsinfra(dir, [fleet.inventory, "deploy.ts", "-y", "--user", "deploy"]);
    await waitFor(
      "the remote command",
      async () => (await inContainer("test", "-f", "/tmp/tsinfra-first")).code === 0,
    );
    cli.signal("SIGINT");
    const out = await cli.done;
    assertEquals(out.code, 130, out.stdout + out.stderr);
    assertMatch(out.stdout, /Run stopped: interrupted/);
    assertEquals((await inContainer("test", "-f", "/tmp/tsinfra-second")).code, 1);
    await waitFor(
      "the remote sleep to end",
      async () => (await inContainer("pgrep", "-f", "sleep 301")).code === 1,
    );
  } finally {
    await fleet.down();
    await Deno.remove(dir, { recursive: true });
  }
});

await dockerTest(
  "@docker/IMAGE: --dry and Ctrl-C leave no container and commit no image",
  async () => {
    const image = "tsinfra-fleet:bookworm";
    const dir = await Deno.makeTempDir({ prefix: "tsinfra-interrupt-docker-" });
    /** The container the run names as removed: it must be gone, and nothing committed. */
    const checkDiscarded = async (out: { stdout: string }) => {
      const id = /removed the container ([0-9a-f]{12}) of .* without committing it/.exec(out.stdout)
        ?.[1];
      assertEquals(typeof id, "string", out.stdout);
      assertEquals((await run("docker", ["container", "inspect", id!])).code, 1);
      assertEquals(/committed the container/.test(out.stdout), false, out.stdout);
    };
    try {
      await Deno.writeTextFile(
        path.join(dir, "deploy.ts"),
        `import { files, server } from "tsinfra";
files.directory({ path: "/srv/tsinfra-interrupt" });
server.shell({ commands: ["touch /srv/tsinfra-interrupt/first; sleep 302"] });
`,
      );
      const dry = await run(Deno.execPath(), [
        "run",
        "-A",
        "--no-lock",
        path.join(ROOT, "cli.ts"),
        `@docker/${image}`,
        "deploy.ts",
        "--dry",
      ], dir);
      assertEquals(dry.code, 0, dry.stdout + dry.stderr);
      await checkDiscarded(dry);

      const before = (await run("docker", ["ps", "-q"])).stdout.split("\n");
      const cli = startTsinfra(dir, [`@docker/${image}`, "deploy.ts", "-y"]);
      // Started by this run: a container that was not running before, with the marker.
      const started = async () => {
        const now = (await run("docker", ["ps", "-q"])).stdout.split("\n");
        for (const id of now.filter((id) => id && !before.includes(id))) {
          const probe = await run("docker", [
            "exec",
            id,
            "test",
            "-f",
            "/srv/tsinfra-interrupt/first",
          ]);
          if (probe.code === 0) return true;
        }
        return false;
      };
      await waitFor("the command in the container", started);
      cli.signal("SIGINT");
      const out = await cli.done;
      assertEquals(out.code, 130, out.stdout + out.stderr);
      assertMatch(out.stdout, /Run stopped: interrupted/);
      await checkDiscarded(out);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

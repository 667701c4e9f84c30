/**
 * @podman/IMAGE and @podman/CONTAINER with Debian's podman, for real. This machine's
 * hard limit on open files (20000) is below podman's default container ulimit, so the
 * test gives podman a containers.conf without default ulimits (CONTAINERS_CONF); the
 * fleet image is copied from docker's storage (`docker save | podman load`), no pull.
 */
import * as path from "node:path";
import { dockerTest } from "../../scripts/fleet/fleet.ts";
import { assertEquals, assertMatch } from "../_assert.ts";
import { run } from "../_cli.ts";

const IMAGE = "localhost/tsinfra-fleet:bookworm";

const DEPLOY = `import { files, server } from "tsinfra";
files.directory({ path: "/srv/podman", mode: 750 });
files.put({ src: "./payload.txt", dest: "/srv/podman/payload.txt", mode: 600 });
server.user({ user: "podman-app", system: true });
`;

await dockerTest(
  "@podman runs a deploy in an image (committed) and in a running container",
  async () => {
    const installed = await run("sh", ["-c", "command -v podman"]);
    if (installed.code !== 0) {
      throw new Error("podman is not installed (apt-get install podman; .ci/run does it)");
    }
    const dir = await Deno.makeTempDir({ prefix: "tsinfra-podman-" });
    const conf = path.join(dir, "containers.conf");
    await Deno.writeTextFile(conf, "[containers]\ndefault_ulimits = []\n");
    const env = { CONTAINERS_CONF: conf };
    const podman = (...args: string[]) => run("podman", args, dir, env);
    const images: string[] = [];
    let container = "";
    try {
      if ((await podman("image", "exists", IMAGE)).code !== 0) {
        const loaded = await run(
          "sh",
          [
            "-c",
            "docker save tsinfra-fleet:bookworm | podman load",
          ],
          dir,
          env,
        );
        assertEquals(loaded.code, 0, loaded.stderr);
      }
      await Deno.writeTextFile(path.join(dir, "deploy.ts"), DEPLOY);
      await Deno.writeTextFile(path.join(dir, "payload.txt"), "from podman\n");
      const tsinfra = (...args: string[]) =>
        run(
          Deno.execPath(),
          ["run", "-A", path.join(import.meta.dirname!, "../../cli.ts"), ...args],
          dir,
          env,
        );

      const first = await tsinfra(`@podman/${IMAGE}`, "deploy.ts", "-y", "--json");
      assertEquals(first.code, 0, first.stdout + first.stderr);
      const report = JSON.parse(first.stdout);
      assertEquals(report.totals.changed, 3);
      const note = Object.values(report.hosts as Record<string, { note?: string }>)[0].note ?? "";
      const committed = /to image (\S+)/.exec(note)?.[1] ?? "";
      assertMatch(committed, /^[0-9a-f]{12,}/, note);
      images.push(committed);
      const cat = await podman("run", "--rm", committed, "cat", "/srv/podman/payload.txt");
      assertEquals(cat.stdout, "from podman\n", cat.stderr);

      container = (await podman("run", "-d", committed, "sleep", "infinity")).stdout.trim();
      const again = await tsinfra(`@podman/${container}`, "deploy.ts", "-y", "--json");
      assertEquals(again.code, 0, again.stderr);
      assertEquals(JSON.parse(again.stdout).totals.changed, 0);
      const running = await podman("inspect", "-f", "{{.State.Running}}", container);
      assertEquals(running.stdout.trim(), "true");
    } finally {
      if (container) await podman("rm", "-f", container);
      for (const image of images) await podman("rmi", "-f", image);
      await Deno.remove(dir, { recursive: true });
    }
  },
);

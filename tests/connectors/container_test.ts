/**
 * @docker (an image and an existing container) and @chroot (a Debian tree exported from
 * the fleet image), for real: a deploy changes, its second run changes nothing, and
 * running an image commits the result to a new image.
 */
import * as path from "node:path";
import { dockerTest } from "../../scripts/fleet/fleet.ts";
import { assertEquals, assertMatch } from "../_assert.ts";
import { run, tsinfraIn } from "../_cli.ts";

const ROOT = path.resolve(import.meta.dirname!, "../..");
const IMAGE = "tsinfra-fleet:bookworm";

const tsinfra = tsinfraIn;

const DEPLOY = `
import { files, server } from "tsinfra";
files.directory({ path: "/srv/tsinfra", mode: 750 });
files.put({ src: "./payload.txt", dest: "/srv/tsinfra/payload.txt", mode: 600 });
files.line({ path: "/srv/tsinfra/conf", line: "it's = \\"quoted\\" $HOME" });
server.user({ user: "tsinfra-c", home: "/srv/tsinfra/home", system: true });
`;

async function project(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "tsinfra-containers-" });
  try {
    await Deno.writeTextFile(path.join(dir, "deploy.ts"), DEPLOY);
    await Deno.writeTextFile(path.join(dir, "payload.txt"), "payload\n");
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function changed(stdout: string): number {
  return JSON.parse(stdout).totals.changed;
}

await dockerTest(
  "@docker and @chroot connectors deploy idempotently",
  async (t) => {
    const image = await run("docker", ["image", "inspect", IMAGE]);
    if (image.code !== 0) {
      const built = await run("bash", [path.join(ROOT, "scripts/fleet.sh"), "image"]);
      assertEquals(built.code, 0, built.stderr);
    }
    await project(async (dir) => {
      await t.step("@docker/CONTAINER: an existing container, left running", async () => {
        const started = await run("docker", [
          "run",
          "-d",
          "--entrypoint",
          "sleep",
          IMAGE,
          "infinity",
        ]);
        const id = started.stdout.trim();
        try {
          const first = await tsinfra(dir, `@docker/${id}`, "deploy.ts", "-y", "--json");
          assertEquals(first.code, 0, first.stderr);
          assertEquals(changed(first.stdout), 4);
          const again = await tsinfra(dir, `@docker/${id}`, "deploy.ts", "-y", "--json");
          assertEquals(changed(again.stdout), 0);
          const content = await run("docker", [
            "exec",
            id,
            "cat",
            "/srv/tsinfra/payload.txt",
            "/srv/tsinfra/conf",
          ]);
          assertEquals(content.stdout, `payload\nit's = "quoted" $HOME\n`);
          // A changed upload replaces the file's bytes; the mode set by the deploy stays.
          await run("docker", ["exec", id, "sh", "-c", "echo old > /srv/tsinfra/payload.txt"]);
          const third = await tsinfra(dir, `@docker/${id}`, "deploy.ts", "-y", "--json");
          assertEquals(changed(third.stdout), 1, third.stdout);
          const stat = await run("docker", [
            "exec",
            id,
            "sh",
            "-c",
            "stat -c '%a' /srv/tsinfra/payload.txt; ls -A /tmp | grep -c tsinfra- || true",
          ]);
          assertEquals(stat.stdout, "600\n0\n");
          assertEquals(
            (await run("docker", ["inspect", "-f", "{{.State.Running}}", id])).stdout.trim(),
            "true",
          );
        } finally {
          await run("docker", ["rm", "-f", id]);
        }
      });

      await t.step("@docker/IMAGE: a fresh container committed to a new image", async () => {
        const result = await tsinfra(dir, `@docker/${IMAGE}`, "deploy.ts", "-y");
        assertEquals(result.code, 0, result.stderr);
        const match = /committed the container of \S+ to image (sha256:[0-9a-f]+)/.exec(
          result.stdout,
        );
        assertMatch(result.stdout, /committed the container/);
        const committed = match![1];
        try {
          const check = await run("docker", [
            "run",
            "--rm",
            "--entrypoint",
            "cat",
            committed,
            "/srv/tsinfra/payload.txt",
          ]);
          assertEquals(check.stdout, "payload\n");
        } finally {
          await run("docker", ["rmi", "-f", committed]);
        }
      });

      await t.step("@chroot/PATH: a Debian tree", async () => {
        const tree = await Deno.makeTempDir({ prefix: "tsinfra-chroot-" });
        const created = (await run("docker", ["create", IMAGE])).stdout.trim();
        try {
          const exported = await run("sh", ["-c", `docker export ${created} | tar -x -C ${tree}`]);
          assertEquals(exported.code, 0, exported.stderr);
          const first = await tsinfra(dir, `@chroot${tree}`, "deploy.ts", "-y", "--json");
          assertEquals(first.code, 0, first.stderr);
          assertEquals(changed(first.stdout), 4);
          assertEquals(
            await Deno.readTextFile(path.join(tree, "srv/tsinfra/payload.txt")),
            "payload\n",
          );
          const again = await tsinfra(dir, `@chroot${tree}`, "deploy.ts", "-y", "--json");
          assertEquals(changed(again.stdout), 0);
        } finally {
          await run("docker", ["rm", "-f", created]);
          await Deno.remove(tree, { recursive: true });
        }
      });

      await t.step("a missing image or chroot folder is one clear message", async () => {
        const image = await tsinfra(dir, "@docker/tsinfra-no-such-image:1", "deploy.ts", "-y");
        assertEquals(image.code, 1);
        assertMatch(image.stdout, /no such container or image/);
        const chroot = await tsinfra(dir, "@chroot/tmp/tsinfra-no-such-tree", "deploy.ts", "-y");
        assertEquals(chroot.code, 1);
        assertMatch(chroot.stdout, /no such folder/);
      });
    });
  },
);

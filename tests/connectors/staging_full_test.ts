/**
 * An upload whose staging folder is full: one message naming the target, the staged
 * file and the full folder; the target untouched and no staged file left. Run through
 * @chroot on a Debian tree whose /tmp is a 64 KiB tmpfs (root and docker needed).
 *
 * @module
 */
import * as path from "node:path";
import { assertEquals, assertMatch } from "../_assert.ts";
import { run, tsinfraIn } from "../_cli.ts";
import { dockerTest } from "../../scripts/fleet/fleet.ts";

const IMAGE = "tsinfra-fleet:bookworm";

await dockerTest(
  "an upload into a full /tmp names the file and the full folder, and leaves nothing",
  async () => {
    const tree = await Deno.makeTempDir({ prefix: "tsinfra-chroot-full-" });
    const dir = await Deno.makeTempDir({ prefix: "tsinfra-full-deploy-" });
    const created = (await run("docker", ["create", IMAGE])).stdout.trim();
    let mounted = false;
    try {
      const exported = await run("sh", ["-c", `docker export ${created} | tar -x -C ${tree}`]);
      assertEquals(exported.code, 0, exported.stderr);
      const mount = await run("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", `${tree}/tmp`]);
      assertEquals(mount.code, 0, mount.stderr);
      mounted = true;
      await Deno.writeTextFile(`${tree}/etc/tsinfra-target`, "old\n");
      await Deno.writeFile(path.join(dir, "big.bin"), new Uint8Array(512 * 1024).fill(65));
      await Deno.writeTextFile(
        path.join(dir, "deploy.ts"),
        `import { files } from "tsinfra";\nfiles.put({ src: "./big.bin", dest: "/etc/tsinfra-target" });\n`,
      );
      const out = await tsinfraIn(dir, `@chroot${tree}`, "deploy.ts", "-y");
      assertEquals(out.code, 1, out.stdout + out.stderr);
      assertMatch(
        out.stdout,
        /Could not upload \/etc\/tsinfra-target: writing the staged copy \/tmp\/tsinfra-upload-[0-9a-f-]+ failed: .*\(\/tmp is full: \d+ KiB free, the file needs 512 KiB\)/,
      );
      assertEquals(await Deno.readTextFile(`${tree}/etc/tsinfra-target`), "old\n");
      assertEquals([...Deno.readDirSync(`${tree}/tmp`)].map((e) => e.name), []);
    } finally {
      if (mounted) await run("umount", [`${tree}/tmp`]);
      await run("docker", ["rm", "-f", created]);
      await Deno.remove(tree, { recursive: true });
      await Deno.remove(dir, { recursive: true });
    }
  },
);

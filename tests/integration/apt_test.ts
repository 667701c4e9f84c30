/**
 * apt.deb and apt.repo for real on Debian 12: a .deb fetched with `apt-get download` is
 * installed by path (its dependencies through `apt-get install -f`), a repository line
 * is added to a sources.list.d file; the second run changes nothing, and removing both
 * works and is idempotent too.
 */
import * as path from "node:path";
import { dockerTest } from "../../scripts/fleet/fleet.ts";
import { assertEquals } from "../_assert.ts";
import { run, tsinfraIn } from "../_cli.ts";

const REPO = "deb http://deb.debian.org/debian bookworm-backports main";

await dockerTest("apt.deb and apt.repo install, change nothing, then remove", async () => {
  const id = (await run("docker", ["run", "-d", "tsinfra-fleet:bookworm", "sleep", "infinity"]))
    .stdout.trim();
  const dir = await Deno.makeTempDir({ prefix: "tsinfra-apt-" });
  try {
    const fetched = await run("docker", [
      "exec",
      id,
      "sh",
      "-c",
      "apt-get update -qq && cd /tmp && apt-get download -qq tree && mv tree_*.deb /tmp/tree.deb",
    ]);
    assertEquals(fetched.code, 0, fetched.stderr);
    const deploy = (present: boolean) =>
      `import { apt } from "tsinfra";
apt.deb({ src: "/tmp/tree.deb", present: ${present} });
apt.repo({ src: "${REPO}", filename: "backports", present: ${present} });
`;
    await Deno.writeTextFile(path.join(dir, "add.ts"), deploy(true));
    await Deno.writeTextFile(path.join(dir, "remove.ts"), deploy(false));
    const changed = async (file: string) => {
      const result = await tsinfraIn(dir, `@docker/${id}`, file, "-y", "--json");
      assertEquals(result.code, 0, result.stdout + result.stderr);
      return JSON.parse(result.stdout).totals.changed as number;
    };
    assertEquals(await changed("add.ts"), 2);
    assertEquals((await run("docker", ["exec", id, "tree", "--version"])).code, 0);
    const sources = await run("docker", [
      "exec",
      id,
      "cat",
      "/etc/apt/sources.list.d/backports.list",
    ]);
    assertEquals(sources.stdout, `${REPO}\n`);
    assertEquals(await changed("add.ts"), 0);
    assertEquals(await changed("remove.ts"), 2);
    assertEquals(
      (await run("docker", ["exec", id, "sh", "-c", "command -v tree"])).code !== 0,
      true,
    );
    assertEquals(await changed("remove.ts"), 0);
  } finally {
    await run("docker", ["rm", "-f", id]);
    await Deno.remove(dir, { recursive: true });
  }
});

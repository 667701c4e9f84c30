/**
 * Every operation of the core issue, for real, against @local through the CLI: the
 * first run makes the expected changes, the second reports zero changes and sends no
 * change commands (asserted from --json). Users and groups are created as root and
 * removed afterwards.
 */
import * as path from "node:path";
import { assertEquals, assertStringIncludes } from "../_assert.ts";
import { stripColours } from "../../src/cli/style.ts";

const ROOT = path.resolve(import.meta.dirname!, "../..");
const DEPLOY = path.join(ROOT, "examples/local_everything/deploy.ts");

async function tsinfra(cwd: string, args: string[]) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", path.join(ROOT, "cli.ts"), ...args],
    cwd,
    stdin: "null",
    env: { NO_COLOR: "1" },
  }).output();
  const text = (b: Uint8Array) => stripColours(new TextDecoder().decode(b));
  return { code: output.code, stdout: text(output.stdout), stderr: text(output.stderr) };
}

const exists = (p: string) => Deno.stat(p).then(() => true, () => false);

Deno.test({
  name: "every core operation runs against @local; the second run changes nothing",
  ignore: Deno.uid() !== 0 && Deno.env.get("CI") !== "true",
  async fn() {
    const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "tsinfra-everything-" }));
    const user = `tsinfra-t${Math.floor(Math.random() * 1e6)}`;
    const payload = "downloaded payload\n";
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      () => new Response(payload),
    );
    const port = server.addr.port;
    const data = [
      "--data",
      `root=${root}`,
      "--data",
      `user=${user}`,
      "--data",
      `url=http://127.0.0.1:${port}/file.txt`,
      "--data",
      `port=${port}`,
    ];
    try {
      const first = await tsinfra(root, ["@local", DEPLOY, "-y", "--json", ...data]);
      assertEquals(first.code, 0, first.stderr + first.stdout);
      const report = JSON.parse(first.stdout);
      const ops = report.hosts["@local"].operations as {
        name: string;
        status: string;
        error: string | null;
      }[];
      const byStatus = (s: string) => ops.filter((o) => o.status === s).map((o) => o.name);
      assertEquals(byStatus("noChange"), []);
      assertEquals(
        ops.find((o) => o.name.startsWith("js.raiseException"))?.error,
        "raised on purpose",
      );
      assertEquals(report.hosts["@local"].success, true);

      // What the operations made, checked on disk.
      assertEquals((await Deno.stat(path.join(root, "etc"))).mode! & 0o777, 0o755);
      assertEquals((await Deno.stat(path.join(root, "etc/empty"))).mode! & 0o777, 0o600);
      assertEquals(await Deno.readTextFile(path.join(root, "etc/app.conf")), "name = everything\n");
      const site = await Deno.readTextFile(path.join(root, "etc/site.conf"));
      assertEquals(site, "listen 8080\nhost @local\nname a\nname b\nkey PLACEHOLDER\n");
      assertEquals(
        await Deno.readLink(path.join(root, "etc/current.conf")),
        path.join(root, "etc/app.conf"),
      );
      const local = await Deno.readTextFile(path.join(root, "etc/app.conf.local"));
      assertStringIncludes(local, "mode = local\n");
      assertStringIncludes(
        local,
        "# BEGIN PYINFRA BLOCK\nfirst = 1\nsecond = 2\n# END PYINFRA BLOCK",
      );
      assertEquals(await Deno.readTextFile(path.join(root, "synced/sub/two.txt")), "two\n");
      assertEquals(
        await Deno.readTextFile(path.join(root, "fetched/app.conf")),
        "name = everything\n",
      );
      assertEquals(
        await Deno.readTextFile(path.join(root, "downloaded.txt")),
        "downloaded content\n",
      );
      assertStringIncludes(await Deno.readTextFile("/etc/passwd"), `${user}:`);
      assertEquals(
        await Deno.readTextFile(path.join(root, "shell.out")),
        `home=${root}/home/${user}\n`,
      );
      assertEquals(await Deno.readTextFile(path.join(root, "script_template.out")), "templated\n");
      assertEquals(await Deno.readTextFile(path.join(root, "js.out")), "called");
      assertEquals(await exists(path.join(root, "home", user)), true);

      const second = await tsinfra(root, ["@local", DEPLOY, "-y", "--json", ...data]);
      assertEquals(second.code, 0, second.stderr);
      const again = JSON.parse(second.stdout);
      assertEquals(again.totals.changed, 0);
      const changeCommands = (again.hosts["@local"].operations as { commands: string[] }[]).flatMap(
        (o) => o.commands,
      );
      assertEquals(changeCommands, []);
    } finally {
      await server.shutdown();
      await new Deno.Command("userdel", { args: [user] }).output();
      await new Deno.Command("groupdel", { args: [user] }).output();
      await Deno.remove(root, { recursive: true });
    }
  },
});

/**
 * Server operations beyond pyinfra's cases: hostile names are quoted; users and groups
 * are created for real (as root) and a second generation changes nothing.
 */
import { group, user } from "../../src/operations/server.ts";
import { generateLocally, sh } from "./_context.ts";
import { assertEquals } from "../_assert.ts";

Deno.test("server.user quotes hostile comments and shells so they stay one argument", async () => {
  const name = `tsinfra-u${Math.floor(Math.random() * 1e6)}`;
  const generated = await generateLocally(user, {
    user: name,
    comment: `it's "quoted" $(touch /tmp/pwned-by-comment)`,
    shell: "/bin/sh",
    ensureHome: false,
  });
  assertEquals(generated.commands, [
    `useradd -d /home/${name} -s /bin/sh -c 'it'"'"'s "quoted" $(touch /tmp/pwned-by-comment)' -M ${name}`,
  ]);
});

Deno.test({
  name: "server.group and server.user create real accounts (root), then change nothing",
  ignore: Deno.uid() !== 0 && Deno.env.get("CI") !== "true",
  async fn() {
    const name = `tsinfra-g${Math.floor(Math.random() * 1e6)}`;
    const home = await Deno.makeTempDir({ prefix: "tsinfra-home-" });
    try {
      for (
        const command of (await generateLocally(group, { group: name, system: true })).commands
      ) {
        assertEquals((await sh(command as string, "/")).code, 0, String(command));
      }
      const args = {
        user: name,
        group: name,
        home: `${home}/${name}`,
        shell: "/bin/sh",
        system: true,
        comment: "Test User",
      };
      for (const command of (await generateLocally(user, args)).commands) {
        assertEquals((await sh(command as string, "/")).code, 0, String(command));
      }
      const entry = (await sh(`getent passwd ${name}`, "/")).stdout.trim().split(":");
      assertEquals([entry[0], entry[4], entry[5], entry[6]], [
        name,
        "Test User",
        `${home}/${name}`,
        "/bin/sh",
      ]);
      assertEquals((await generateLocally(group, { group: name, system: true })).commands, []);
      assertEquals((await generateLocally(user, args)).commands, []);
    } finally {
      await sh(`userdel ${name}; groupdel ${name}`, "/");
      await Deno.remove(home, { recursive: true });
    }
  },
});

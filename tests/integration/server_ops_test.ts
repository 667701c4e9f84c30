/**
 * server operations for real on Debian whose PID 1 is systemd (a container with
 * CAP_SYS_ADMIN, so mount works): packages, locale, mount, security limits, groups,
 * users with keys, a cron job and a service. The second run changes nothing. Not run
 * here: hostname (docker bind-mounts /etc/hostname, so hostnamectl cannot replace it)
 * and sysctl (/proc/sys is read-only in a container).
 */
import * as path from "node:path";
import { dockerTest, removeContainer, startSystemdContainer } from "../../scripts/fleet/fleet.ts";
import { assertEquals, assertMatch } from "../_assert.ts";
import { run, tsinfraIn } from "../_cli.ts";

// server.locale reads /etc/locale.gen when it is prepared: the package that provides
// it is installed by an earlier run (as with pyinfra, whose prepare fails the same way).
const PACKAGES = `import { server } from "tsinfra";
server.packages({ packages: ["locales", "cron"] });
`;

const DEPLOY = `import { server } from "tsinfra";
server.locale({ locale: "fr_FR.UTF-8" });
server.mount({ path: "/mnt", device: "tmpfs", fsType: "tmpfs", options: ["rw", "noexec"] });
server.securityLimit({ domain: "@ops", limitType: "hard", item: "nofile", value: 4096 });
server.group({ group: "ops" });
server.user({ user: "alice", groups: ["ops"], shell: "/bin/bash", publicKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDUl8sKcMaCx1yRk7TWlQlmhm0XJ54wE+0V0eA0Z/ztb alice"] });
server.crontab({ command: "/usr/bin/true", cronName: "noop", user: "alice", minute: 5 });
server.service({ service: "cron", running: true, enabled: true });
`;

await dockerTest("server operations on systemd Debian change once, then nothing", async () => {
  const id = await startSystemdContainer();
  const dir = await Deno.makeTempDir({ prefix: "tsinfra-server-ops-" });
  try {
    await Deno.writeTextFile(path.join(dir, "deploy.ts"), DEPLOY);
    await Deno.writeTextFile(path.join(dir, "packages.ts"), PACKAGES);
    const packages = await tsinfraIn(dir, `@docker/${id}`, "packages.ts", "-y", "--json");
    assertEquals(packages.code, 0, packages.stdout + packages.stderr);
    const first = await tsinfraIn(dir, `@docker/${id}`, "deploy.ts", "-y", "--json");
    assertEquals(first.code, 0, first.stdout + first.stderr);
    const second = await tsinfraIn(dir, `@docker/${id}`, "deploy.ts", "-y", "--json");
    assertEquals(second.code, 0, second.stderr);
    const changed = Object.values(
      JSON.parse(second.stdout).hosts as Record<
        string,
        { operations: { name: string; changed: boolean }[] }
      >,
    )[0].operations.filter((o) => o.changed).map((o) => o.name);
    assertEquals(changed, []);
    const exec = (script: string) => run("docker", ["exec", id, "bash", "-c", script]);
    assertMatch((await exec("locale -a")).stdout, /fr_FR\.utf8/);
    assertMatch((await exec("findmnt -n -o FSTYPE,OPTIONS /mnt")).stdout, /^tmpfs\s+rw,.*noexec/);
    assertEquals((await exec("id -nG alice")).stdout.trim(), "alice ops");
    assertMatch((await exec("crontab -u alice -l")).stdout, /^5 \* \* \* \* \/usr\/bin\/true$/m);
    assertEquals((await exec("systemctl is-active cron")).stdout.trim(), "active");
  } finally {
    await removeContainer(id);
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * The sudo password never appears in a process list: on the host over @ssh (sampled by
 * `ps -eo args` under sudo and by a background sampler, at verbosity 0 and -vvv), and on
 * the controller for @docker (its own /proc/*\/cmdline during a long sudo command).
 * And `_timeout` under sudo stops the command on the host too.
 */
import * as path from "node:path";
import { dockerTest, fleetUp } from "../../scripts/fleet/fleet.ts";
import { run, tsinfraIn } from "../_cli.ts";
import { assertEquals } from "../_assert.ts";

function check(condition: boolean, message?: string): void {
  assertEquals(condition, true, message);
}

function inventory(fleet: Awaited<ReturnType<typeof fleetUp>>, user: string, extra = "") {
  const host = fleet.hosts[0];
  return `export const fleet = [["${host.name}", { sshHostname: "127.0.0.1", sshPort: ${host.port}, ` +
    `sshUser: ${JSON.stringify(user)}, sshKey: ${JSON.stringify(fleet.key)}, ` +
    `sshKnownHostsFile: ${JSON.stringify(fleet.knownHosts)}${extra} }]];\n`;
}

/** Every process's command line on the controller, joined. */
function controllerCommandLines(): string {
  let all = "";
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      all += Deno.readTextFileSync(`/proc/${entry.name}/cmdline`).replaceAll("\0", " ") + "\n";
    } catch {
      // gone
    }
  }
  return all;
}

await dockerTest(
  "the sudo password never shows in a process list, and _timeout kills sudo'd commands",
  async (t) => {
    const fleet = await fleetUp(1);
    const dir = await Deno.makeTempDir({ prefix: "tsinfra-sudo-secrets-" });
    const container = fleet.hosts[0].container;
    const exec = (...argv: string[]) => run("docker", ["exec", container, ...argv]);
    try {
      const password = fleet.deploypwPassword;
      await t.step("@ssh: ps on the host never shows the password, at -v0 and -vvv", async () => {
        for (const verbosity of [[], ["-vvv"]]) {
          await Deno.writeTextFile(
            path.join(dir, "inventory.ts"),
            inventory(fleet, "deploypw", `, _sudoPassword: ${JSON.stringify(password)}`),
          );
          await Deno.writeTextFile(
            path.join(dir, "deploy.ts"),
            `import { server } from "tsinfra";
server.shell({ commands: ["id -un > /tmp/who; ps -eo args > /tmp/ps-under-sudo; sleep 1; ps -eo args >> /tmp/ps-under-sudo"], _sudo: true });
server.shell({ commands: ["cat > /tmp/stdin-kept"], _sudo: true, _stdin: "kept\\n" });
for (let i = 0; i < 25; i++) server.shell({ commands: ["true"], _sudo: true });
`,
          );
          await exec(
            "rm",
            "-f",
            "/tmp/sampled",
            "/tmp/sampler-done",
            "/tmp/who",
            "/tmp/ps-under-sudo",
          );
          // A sampler on the host, as any user could run it.
          await run("docker", [
            "exec",
            "-d",
            container,
            "sh",
            "-c",
            // A tight loop over every command line: the shell sshd starts lives briefly.
            "end=$(($(date +%s) + 12)); while [ $(date +%s) -lt $end ]; do " +
            "cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\000' ' ' | " +
            "grep -a -e 'sudo ' -e '_PASSWORD=' >> /tmp/sampled; done; touch /tmp/sampler-done",
          ]);
          const out = await tsinfraIn(dir, "inventory.ts", "deploy.ts", "-y", ...verbosity);
          assertEquals(out.code, 0, out.stdout + out.stderr);
          // The sampler says when its window is over.
          while ((await exec("test", "-f", "/tmp/sampler-done")).code !== 0) {
            await new Promise((resolve) => setTimeout(resolve, 200));
          }
          assertEquals((await exec("cat", "/tmp/who")).stdout, "root\n");
          assertEquals((await exec("cat", "/tmp/stdin-kept")).stdout, "kept\n");
          const underSudo = (await exec("cat", "/tmp/ps-under-sudo")).stdout;
          const sampled = (await exec("cat", "/tmp/sampled")).stdout;
          check(underSudo.includes("ps -eo args"), underSudo);
          check(sampled.includes("sudo"), "the sampler saw no sudo command");
          for (const text of [underSudo, sampled, out.stdout, out.stderr]) {
            assertEquals(
              text.split(password).length - 1,
              0,
              `the password was seen (${verbosity})`,
            );
          }
        }
      });

      await t.step(
        "@ssh with _getPty or sudo -E: the password is neither echoed nor inherited",
        async () => {
          await Deno.writeTextFile(
            path.join(dir, "inventory.ts"),
            inventory(fleet, "deploypw", `, _sudoPassword: ${JSON.stringify(password)}`),
          );
          await Deno.writeTextFile(
            path.join(dir, "deploy.ts"),
            `import { server } from "tsinfra";
server.shell({ commands: ["echo pty-ok"], _sudo: true, _getPty: true });
server.shell({ commands: ["env > /tmp/env-under-sudo-E"], _sudo: true, _preserveSudoEnv: true });
`,
          );
          for (const flags of [["-vvv"], ["--json"]]) {
            const out = await tsinfraIn(dir, "inventory.ts", "deploy.ts", "-y", ...flags);
            assertEquals(out.code, 0, out.stdout + out.stderr);
            check((out.stdout + out.stderr).includes("pty-ok"), out.stdout);
            assertEquals((out.stdout + out.stderr).split(password).length - 1, 0);
          }
          const env = (await exec("cat", "/tmp/env-under-sudo-E")).stdout;
          check(env.includes("HOME="), env);
          assertEquals(env.split(password).length - 1, 0, "sudo -E passed the password on");
        },
      );

      await t.step("@docker: the controller's process list never shows the password", async () => {
        const secret = `docker-pw-${crypto.randomUUID()}`;
        await Deno.writeTextFile(
          path.join(dir, "deploy.ts"),
          `import { server } from "tsinfra";
server.shell({ commands: ["sleep 3; echo done"], _sudo: true, _sudoPassword: ${
            JSON.stringify(secret)
          } });
`,
        );
        const running = tsinfraIn(dir, `@docker/${container}`, "deploy.ts", "-y", "-vvv");
        let samples = 0;
        let seen = 0;
        let sawExec = false;
        let finished = false;
        running.finally(() => finished = true);
        while (!finished) {
          const lines = controllerCommandLines();
          samples++;
          seen += lines.split(secret).length - 1;
          if (/docker exec/.test(lines) && lines.includes("sleep 3")) sawExec = true;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        const out = await running;
        assertEquals(out.code, 0, out.stdout + out.stderr);
        check(sawExec, `the sampler never saw the docker exec (${samples} samples)`);
        assertEquals(seen, 0, "the password was in a command line on the controller");
      });

      await t.step(
        "@ssh: a command past _timeout under sudo does not keep running on the host",
        async () => {
          await Deno.writeTextFile(path.join(dir, "inventory.ts"), inventory(fleet, "deploy"));
          await Deno.writeTextFile(
            path.join(dir, "deploy.ts"),
            `import { server } from "tsinfra";
server.shell({ commands: ["sleep 300"], _sudo: true, _timeout: 2 });
`,
          );
          const out = await tsinfraIn(dir, "inventory.ts", "deploy.ts", "-y");
          assertEquals(out.code, 1, out.stdout + out.stderr);
          // The host's timeout fires a second after the controller's; give it time.
          let left = "";
          for (let i = 0; i < 20; i++) {
            left = (await exec("sh", "-c", "ps -eo args | grep '[s]leep 300' || true")).stdout;
            if (!left) break;
            await new Promise((resolve) => setTimeout(resolve, 500));
          }
          assertEquals(left, "", "sleep 300 is still running on the host");
        },
      );
    } finally {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      await fleet.down();
    }
  },
);

/**
 * The @ssh connector against real sshd servers in docker containers (scripts/fleet.sh):
 * connections, commands, timeouts, sudo with and without a password, and file transfers.
 * Host keys, logins and connection settings are in ssh_login_test.ts.
 *
 * @module
 */
import { assertEquals, assertMatch, assertRejects } from "../_assert.ts";
import { dockerTest, type Fleet, fleetUp } from "../../scripts/fleet/fleet.ts";
import { SshConnector } from "../../src/connectors/ssh.ts";
import { connectorFor } from "../../src/connectors/mod.ts";
import { type ConnectorArguments, GLOBAL_ARGUMENT_DEFAULTS } from "../../src/core/arguments.ts";
import type { CommandOutput } from "../../src/core/connector.ts";
import { quote, StringCommand } from "../../src/core/command.ts";
import { wrapCommand } from "../../src/core/wrap.ts";
import { Host } from "../../src/core/host.ts";
import { runCommand } from "../../src/core/run_command.ts";
import { downloadFile, uploadFile } from "../../src/core/transfer.ts";

type Args = Partial<ConnectorArguments>;

function check(condition: boolean, message?: string): void {
  assertEquals(condition, true, message);
}

function argsOf(extra: Args = {}): ConnectorArguments {
  return { ...GLOBAL_ARGUMENT_DEFAULTS, ...extra } as ConnectorArguments;
}

function hostData(fleet: Fleet, index: number, user: string, extra: Record<string, unknown> = {}) {
  return {
    sshHostname: "127.0.0.1",
    sshPort: fleet.hosts[index].port,
    sshUser: user,
    sshKey: fleet.key,
    sshKnownHostsFile: fleet.knownHosts,
    ...extra,
  };
}

/** Runs shell text wrapped as the engine would wrap it. */
function run(ssh: SshConnector, text: string, extra: Args = {}): Promise<CommandOutput> {
  const args = argsOf(extra);
  return runCommand(ssh, wrapCommand(new StringCommand([text]), args), { args });
}

function transfer(extra: Args = {}) {
  const args = argsOf(extra);
  return { args, wrap: (command: StringCommand) => wrapCommand(command, args) };
}

async function withSsh(
  fleet: Fleet,
  index: number,
  user: string,
  fn: (ssh: SshConnector) => Promise<void>,
): Promise<void> {
  const ssh = new SshConnector(fleet.hosts[index].name, hostData(fleet, index, user));
  await ssh.connect();
  try {
    await fn(ssh);
  } finally {
    await ssh.disconnect();
  }
}

await dockerTest("@ssh connector runs commands and moves files on real sshd hosts", async (t) => {
  const fleet = await fleetUp(2);
  console.log(`fleet of ${fleet.hosts.length} hosts up in ${fleet.upMs.toFixed(0)} ms`);
  try {
    await t.step(
      "connects as root and as deploy with the key; one connection per host",
      async () => {
        for (const [index, host] of fleet.hosts.entries()) {
          for (const user of ["root", "deploy"]) {
            const started = performance.now();
            await withSsh(fleet, index, user, async (ssh) => {
              const connectMs = performance.now() - started;
              console.log(`  ${host.name} as ${user}: connected in ${connectMs.toFixed(0)} ms`);
              assertEquals((await run(ssh, "id -un")).stdout, `${user}\n`);
              // Every command rides the same connection: the same client port.
              const first = await run(ssh, 'echo "$SSH_CONNECTION"');
              const second = await run(ssh, 'echo "$SSH_CONNECTION"');
              check(first.stdout.trim() !== "");
              assertEquals(second.stdout, first.stdout);
            });
          }
        }
      },
    );

    await t.step("the inventory name chooses @ssh: a plain name or @ssh/host", async () => {
      const plain = connectorFor("fleet-1", hostData(fleet, 0, "root"));
      check(plain instanceof SshConnector);
      const { sshHostname: _, ...rest } = hostData(fleet, 0, "root");
      const prefixed = connectorFor("@ssh/127.0.0.1", rest);
      await prefixed.connect();
      try {
        const args = argsOf();
        const output = await runCommand(prefixed, new StringCommand(["hostname"]), { args });
        assertEquals(output.stdout, "fleet-1\n");
      } finally {
        await prefixed.disconnect();
      }
    });

    await t.step("keeps exit codes, stdout and stderr apart, streams to the sink", async () => {
      await withSsh(fleet, 0, "root", async (ssh) => {
        const streamed: string[] = [];
        const args = argsOf();
        const output = await runCommand(
          ssh,
          wrapCommand(new StringCommand(["echo out; echo err >&2; exit 3"]), args),
          {
            args,
            sink: {
              stdout: (c) => streamed.push(`o:${c}`),
              stderr: (c) => streamed.push(`e:${c}`),
            },
          },
        );
        assertEquals(output, { exitCode: 3, stdout: "out\n", stderr: "err\n", timedOut: false });
        assertEquals(streamed.sort(), ["e:err\n", "o:out\n"]);
        assertEquals((await run(ssh, "true")).exitCode, 0);
        assertEquals((await run(ssh, "printf 'caf\\303\\251'")).stdout, "café");
      });
    });

    await t.step("writes _stdin then end of input; applies _env and _chdir", async () => {
      await withSsh(fleet, 0, "deploy", async (ssh) => {
        assertEquals((await run(ssh, "cat", { _stdin: ["one", "two"] })).stdout, "one\ntwo\n");
        // As pyinfra writes it: a string is a line, ended with a newline.
        assertEquals((await run(ssh, "wc -c", { _stdin: "abc" })).stdout.trim(), "4");
        // Without _stdin the command sees end of input at once instead of hanging.
        assertEquals((await run(ssh, "cat", { _timeout: 5 })).timedOut, false);
        const hostile = `it's "quoted" $(touch /tmp/pwned) \`x\``;
        const env = await run(ssh, 'printf %s "$GREETING"', { _env: { GREETING: hostile } });
        assertEquals(env.stdout, hostile);
        assertEquals((await run(ssh, "pwd", { _chdir: "/usr/share" })).stdout, "/usr/share\n");
        assertEquals((await run(ssh, "test -e /tmp/pwned")).exitCode, 1);
      });
    });

    await t.step("_timeout stops a hanging command and the connection stays usable", async () => {
      // sshd signals the command as the login user; OpenSSH 9.2 refuses signals in root
      // sessions, where the command is only cut off from its channel.
      for (const user of ["deploy", "root"]) {
        await withSsh(fleet, 1, user, async (ssh) => {
          const started = performance.now();
          const output = await run(ssh, "echo started; sleep 4321", { _timeout: 1 });
          const elapsed = performance.now() - started;
          assertEquals(output.timedOut, true);
          assertEquals(output.exitCode, -1);
          check(elapsed < 3000, `took ${elapsed} ms`);
          assertEquals((await run(ssh, "echo still here")).stdout, "still here\n");
        });
      }
      await withSsh(fleet, 1, "deploy", async (ssh) => {
        // The deploy user's command was killed, not left behind.
        const leftover = "ps -u deploy -o args= | grep -c '^sleep 4321' || true";
        await new Promise((resolve) => setTimeout(resolve, 300));
        assertEquals((await run(ssh, leftover)).stdout.trim(), "0");
      });
    });

    await t.step("_getPty runs the command on a terminal", async () => {
      await withSsh(fleet, 0, "root", async (ssh) => {
        assertEquals((await run(ssh, "test -t 1")).exitCode, 1);
        const output = await run(ssh, "test -t 1 && tty", { _getPty: true });
        assertEquals(output.exitCode, 0);
        assertMatch(output.stdout, /^\/dev\/pts\/\d+\r?\n$/);
      });
    });

    await t.step("runs many commands at once over one connection", async () => {
      await withSsh(fleet, 0, "root", async (ssh) => {
        const outputs = await Promise.all(
          Array.from({ length: 40 }, (_, i) => run(ssh, `sleep 0.1; echo ${i}`)),
        );
        assertEquals(outputs.map((o) => o.stdout), outputs.map((_, i) => `${i}\n`));
      });
    });

    await t.step("sudo NOPASSWD as deploy", async () => {
      await withSsh(fleet, 0, "deploy", async (ssh) => {
        assertEquals((await run(ssh, "id -un", { _sudo: true })).stdout, "root\n");
        const other = await run(ssh, "id -un", { _sudo: true, _sudoUser: "deploypw" });
        assertEquals(other.stdout, "deploypw\n");
        // Transfers as another non-root user: the temporary file is handed over.
        const asOther = transfer({ _sudo: true, _sudoUser: "deploypw" });
        const content = new TextEncoder().encode("for deploypw\n");
        await uploadFile(ssh, content, "/home/deploypw/private", asOther);
        await run(ssh, "chmod 600 /home/deploypw/private", { _sudo: true, _sudoUser: "deploypw" });
        const stat = await run(ssh, "stat -c '%U %a' /home/deploypw/private", { _sudo: true });
        assertEquals(stat.stdout, "deploypw 600\n");
        assertEquals(await downloadFile(ssh, "/home/deploypw/private", asOther), content);
        const temps = await run(ssh, "ls -A /tmp | grep -c tsinfra- || true");
        assertEquals(temps.stdout.trim(), "0");
      });
    });

    await t.step("sudo with a password goes through askpass and is never shown", async () => {
      const password = fleet.deploypwPassword;
      const data = hostData(fleet, 1, "deploypw");
      const host = new Host({
        name: "fleet-2",
        groups: [],
        data,
        connector: () => connectorFor("fleet-2", data),
        defaults: {},
      });
      try {
        const noPassword = await host.run(
          new StringCommand(["id", "-un"]),
          host.connectorArguments({ _sudo: true }),
        );
        assertEquals(noPassword.exitCode, 1);
        assertMatch(noPassword.stderr, /password is required/);
        const args = host.connectorArguments({ _sudo: true, _sudoPassword: password });
        const seen: string[] = [];
        const output = await host.run(new StringCommand(["id", "-un"]), args, {
          stdout: (c) => seen.push(c),
          stderr: (c) => seen.push(c),
        });
        assertEquals(output.exitCode, 0, output.stderr);
        assertEquals(output.stdout, "root\n");
        for (const text of [output.stdout, output.stderr, ...seen]) {
          check(!text.includes(password), "the password was printed");
        }
        // Uploads and downloads use the same wrapping.
        await host.putFile(new TextEncoder().encode("pw upload\n"), "/etc/tsinfra-pw", args);
        const back = await host.getFile("/etc/tsinfra-pw", args);
        assertEquals(new TextDecoder().decode(back), "pw upload\n");
        const owner = await host.run(new StringCommand(["stat -c %U /etc/tsinfra-pw"]), args);
        assertEquals(owner.stdout, "root\n");
      } finally {
        await host.disconnect();
      }
      // The askpass helper is removed at disconnect.
      await withSsh(fleet, 1, "root", async (ssh) => {
        assertEquals((await run(ssh, "ls /tmp | grep -c askpass || true")).stdout.trim(), "0");
      });
    });

    await t.step("putFile and getFile round-trip any bytes under hostile names", async () => {
      await withSsh(fleet, 0, "deploy", async (ssh) => {
        const bytes = new Uint8Array(256 * 64).map((_, i) => i % 256);
        const dir = "/home/deploy/with space";
        await run(ssh, `mkdir -p '${dir}'`);
        const names = [
          `${dir}/it's "a" file`,
          `${dir}/$(touch pwned2) \`id\``,
          `${dir}/new\nline`,
          `${dir}/-dash`,
        ];
        for (const name of names) {
          await uploadFile(ssh, bytes, name, transfer());
          assertEquals(await downloadFile(ssh, name, transfer()), bytes);
        }
        assertEquals((await run(ssh, "test -e pwned2 || test -e /pwned2")).exitCode, 1);
        const listing = await run(ssh, `ls -A '${dir}' | wc -l`);
        assertEquals(listing.stdout.trim(), String(names.length + 1)); // "new\nline" is 2 lines
        assertEquals((await run(ssh, "ls /tmp | grep -c tsinfra- || true")).stdout.trim(), "0");
      });
    });

    await t.step("putFile with sudo writes a root file into /etc; getFile reads one", async () => {
      await withSsh(fleet, 0, "deploy", async (ssh) => {
        const content = new TextEncoder().encode("managed by tsinfra\n");
        await uploadFile(ssh, content, "/etc/tsinfra.conf", transfer({ _sudo: true }));
        const stat = await run(ssh, "stat -c '%U %a' /etc/tsinfra.conf");
        assertEquals(stat.stdout, "root 644\n");
        assertEquals(await downloadFile(ssh, "/etc/tsinfra.conf", transfer()), content);
        await assertRejects(
          () => downloadFile(ssh, "/etc/shadow", transfer()),
          /Could not read \/etc\/shadow on fleet-1: Permission denied/,
        );
        const shadow = await downloadFile(ssh, "/etc/shadow", transfer({ _sudo: true }));
        assertMatch(new TextDecoder().decode(shadow), /^root:/);
        await assertRejects(
          () => downloadFile(ssh, "/etc/missing", transfer({ _sudo: true })),
          /Could not read \/etc\/missing on fleet-1: .*No such file/,
        );
        // Replacing an existing file keeps its mode and owner, as pyinfra's in-place copy does.
        await run(ssh, "chown deploy:deploy /etc/tsinfra.conf && chmod 600 /etc/tsinfra.conf", {
          _sudo: true,
        });
        await uploadFile(
          ssh,
          new TextEncoder().encode("v2\n"),
          "/etc/tsinfra.conf",
          transfer({ _sudo: true }),
        );
        const kept = await run(ssh, "stat -c '%U %G %a' /etc/tsinfra.conf; cat /etc/tsinfra.conf", {
          _sudo: true,
        });
        assertEquals(kept.stdout, "deploy deploy 600\nv2\n");
        const temps = await run(ssh, "ls -A /tmp /etc | grep -c tsinfra- || true");
        assertEquals(temps.stdout.trim(), "0");
      });
    });

    await t.step("a failed or interrupted upload leaves the target untouched", async () => {
      await withSsh(fleet, 1, "deploy", async (ssh) => {
        const content = new TextEncoder().encode("new\n");
        await assertRejects(
          () => uploadFile(ssh, content, "/etc/hostname", transfer()),
          /Could not move the upload into \/etc\/hostname on fleet-2: .*Permission denied/,
        );
        assertEquals((await run(ssh, "cat /etc/hostname")).stdout, "fleet-2\n");
        await assertRejects(
          () => uploadFile(ssh, content, "/nowhere/file", transfer({ _sudo: true })),
          /Could not move the upload into \/nowhere\/file/,
        );
        await run(ssh, "echo original > /home/deploy/big");
      });
      // Cut the connection while a large upload is on its way.
      const ssh = new SshConnector("fleet-2", hostData(fleet, 1, "deploy"));
      await ssh.connect();
      const upload = uploadFile(
        ssh,
        new Uint8Array(128 * 1024 * 1024),
        "/home/deploy/big",
        transfer(),
      );
      const failed = assertRejects(() => upload);
      await withSsh(fleet, 1, "deploy", async (check) => {
        // As soon as the temporary file exists, the upload is under way: cut it.
        for (let i = 0; i < 200; i++) {
          const temp = await run(check, "ls /tmp | grep -c tsinfra-upload- || true");
          if (temp.stdout.trim() !== "0") break;
        }
        await ssh.disconnect();
        await failed;
        assertEquals((await run(check, "cat /home/deploy/big")).stdout, "original\n");
        const staged = await run(check, "ls -A /home/deploy | grep -c tsinfra- || true");
        assertEquals(staged.stdout.trim(), "0");
      });
    });

    await t.step(
      "a dropped connection fails the command and later ones with the reason",
      async () => {
        const ssh = new SshConnector("fleet-2", hostData(fleet, 1, "root"));
        await ssh.connect();
        try {
          // Kill this connection's sshd process from inside it.
          const output = await run(ssh, 'kill -9 "$PPID"; sleep 5', { _timeout: 10 });
          assertEquals(output.exitCode, -1);
          assertEquals(output.timedOut, false);
          assertMatch(output.stderr, /Connection lost/);
          await assertRejects(() => run(ssh, "true"), /Lost the connection to fleet-2/);
        } finally {
          await ssh.disconnect();
        }
      },
    );

    await t.step("quoted helper commands stay inside their arguments", async () => {
      await withSsh(fleet, 0, "root", async (ssh) => {
        const path = "/tmp/a'b\"c $(id)";
        const args = argsOf();
        await runCommand(ssh, wrapCommand(new StringCommand(["touch", quote(path)]), args), {
          args,
        });
        assertEquals((await run(ssh, `ls /tmp | grep -c 'id)$'`)).stdout.trim(), "1");
      });
    });
  } finally {
    await fleet.down();
  }
});

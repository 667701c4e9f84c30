/**
 * The @ssh connector's connection settings against real sshd servers in docker
 * containers (scripts/fleet.sh): host keys, login failures, unreachable hosts, jump
 * hosts, the SSH agent and the SSH config file.
 *
 * @module
 */
import * as path from "node:path";
import { assertEquals, assertMatch, assertRejects } from "../_assert.ts";
import { dockerTest, type Fleet, fleetUp } from "../../scripts/fleet/fleet.ts";
import { SshConnector } from "../../src/connectors/ssh.ts";
import { GLOBAL_ARGUMENT_DEFAULTS } from "../../src/core/arguments.ts";
import { StringCommand } from "../../src/core/command.ts";
import { ConnectError } from "../../src/core/errors.ts";
import { runCommand } from "../../src/core/run_command.ts";

function check(condition: boolean, message?: string): void {
  assertEquals(condition, true, message);
}

async function sh(program: string, args: string[], env: Record<string, string> = {}) {
  const output = await new Deno.Command(program, { args, env, stdin: "null" }).output();
  const text = new TextDecoder().decode(output.stdout);
  if (!output.success) {
    throw new Error(`${program} ${args.join(" ")}: ${new TextDecoder().decode(output.stderr)}`);
  }
  return text;
}

/** Connects, runs one command, disconnects; returns its standard output. */
async function runOnce(target: string, data: Record<string, unknown>, command = "id -un") {
  const ssh = new SshConnector(target, data);
  await ssh.connect();
  try {
    const args = { ...GLOBAL_ARGUMENT_DEFAULTS };
    const output = await runCommand(ssh, new StringCommand([command]), { args });
    return output.stdout;
  } finally {
    await ssh.disconnect();
  }
}

/** The fingerprint of a container's ED25519 host key, as ssh-keygen prints it. */
async function hostFingerprint(fleet: Fleet, index: number): Promise<string> {
  const key = await sh("docker", [
    "exec",
    fleet.hosts[index].container,
    "cat",
    "/etc/ssh/ssh_host_ed25519_key.pub",
  ]);
  const file = path.join(fleet.dir, `host-${index}.pub`);
  await Deno.writeTextFile(file, key);
  const printed = await sh("ssh-keygen", ["-l", "-E", "sha256", "-f", file]);
  await Deno.remove(file);
  return printed.split(" ")[1];
}

await dockerTest("@ssh connector logs in, checks host keys and reports failures", async (t) => {
  const fleet = await fleetUp(2);
  const work = path.join(fleet.dir, "work");
  await Deno.mkdir(work);
  const base = (index: number, extra: Record<string, unknown> = {}) => ({
    sshHostname: "127.0.0.1",
    sshPort: fleet.hosts[index].port,
    sshUser: "root",
    sshKey: fleet.key,
    sshKnownHostsFile: fleet.knownHosts,
    sshConfigFile: path.join(work, "no-config"),
    ...extra,
  });
  try {
    await t.step(
      "accept-new records a host; a changed key is refused with both fingerprints",
      async () => {
        const knownHosts = path.join(work, "known_hosts");
        const data = base(1, { sshKnownHostsFile: knownHosts });
        const port = fleet.hosts[1].port;
        const before = await hostFingerprint(fleet, 1);
        assertEquals(await runOnce("fleet-2", data), "root\n");
        const recorded = await Deno.readTextFile(knownHosts);
        assertMatch(recorded, new RegExp(`^\\[127\\.0\\.0\\.1\\]:${port} ssh-ed25519 \\S+\\n$`));
        // ssh-keygen finds what we wrote, and "yes" accepts the known key.
        await sh("ssh-keygen", ["-F", `[127.0.0.1]:${port}`, "-f", knownHosts]);
        const strict = { ...data, sshStrictHostKeyChecking: "yes" };
        assertEquals(await runOnce("fleet-2", strict), "root\n");
        // Hashed entries (HashKnownHosts) are read too.
        await sh("ssh-keygen", ["-H", "-f", knownHosts]);
        assertEquals(await runOnce("fleet-2", strict), "root\n");

        await fleet.recreate(2);
        const after = await hostFingerprint(fleet, 1);
        check(after !== before, "the recreated host has a new key");
        const error = await assertRejects(() => runOnce("fleet-2", data, "touch /tmp/ran"));
        check(error instanceof ConnectError);
        assertMatch(error.message, /^Could not connect to fleet-2 \(root@127\.0\.0\.1:\d+\): /);
        assertMatch(error.message, /REMOTE HOST IDENTIFICATION HAS CHANGED/);
        check(error.message.includes(`ED25519 key ${after}`), error.message);
        check(error.message.includes(`ED25519 key ${before}`), error.message);
        assertMatch(error.message, /ssh-keygen -R/);
        // Nothing ran on the host; "no" connects anyway and records nothing.
        const lax = { ...data, sshStrictHostKeyChecking: "no" };
        assertEquals(await runOnce("fleet-2", lax, "test -e /tmp/ran; echo $?"), "1\n");
        await Deno.remove(knownHosts);
        await runOnce("fleet-2", lax);
        assertEquals(await Deno.stat(knownHosts).catch(() => undefined), undefined);
      },
    );

    await t.step('"yes" refuses a host that known_hosts does not list', async () => {
      const data = base(0, {
        sshKnownHostsFile: path.join(work, "empty_known_hosts"),
        sshStrictHostKeyChecking: "yes",
      });
      await assertRejects(
        () => runOnce("fleet-1", data),
        /host key verification failed: no host key for \[127\.0\.0\.1\]:\d+ .*SHA256:/,
      );
    });

    await t.step("a wrong password or an unknown key fails with the reason", async () => {
      const password = fleet.deploypwPassword;
      const byPassword = base(0, { sshUser: "deploypw", sshKey: undefined, sshAgent: false });
      const ok = await runOnce("fleet-1", { ...byPassword, sshPassword: password });
      assertEquals(ok, "deploypw\n");
      const wrong = await assertRejects(
        () => runOnce("fleet-1", { ...byPassword, sshPassword: "not-the-password" }),
        /Could not connect to fleet-1 \(deploypw@127\.0\.0\.1:\d+\): authentication failed \(tried: (key [^,]+, )*password, keyboard-interactive\)/,
      );
      check(!wrong.message.includes("not-the-password"), "the password is not shown");
      const strangerKey = path.join(work, "stranger");
      await sh("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", strangerKey]);
      await assertRejects(
        () => runOnce("fleet-1", base(0, { sshKey: strangerKey })),
        new RegExp(`authentication failed \\(tried: key ${strangerKey}\\)`),
      );
      await assertRejects(
        () => runOnce("fleet-1", base(0, { sshKey: path.join(work, "missing-key") })),
        /cannot read the SSH key .*missing-key/,
      );
      const locked = path.join(work, "locked");
      await sh("ssh-keygen", ["-q", "-t", "ed25519", "-N", "secret", "-f", locked]);
      await assertRejects(
        () => runOnce("fleet-1", base(0, { sshKey: locked })),
        /the SSH key .*locked is encrypted: set sshKeyPassword/,
      );
    });

    await t.step("a key with a passphrase logs in with sshKeyPassword", async () => {
      const locked = path.join(work, "locked");
      const pub = await Deno.readTextFile(`${locked}.pub`);
      await runOnce(
        "fleet-1",
        base(0),
        `printf '%s\\n' '${pub.trim()}' >> /root/.ssh/authorized_keys`,
      );
      const data = base(0, { sshKey: locked, sshKeyPassword: "secret" });
      assertEquals(await runOnce("fleet-1", data), "root\n");
    });

    await t.step("a closed port fails fast with connection refused", async () => {
      const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const port = (listener.addr as Deno.NetAddr).port;
      listener.close();
      const started = performance.now();
      await assertRejects(
        () => runOnce("nowhere", base(0, { sshPort: port })),
        new RegExp(
          `Could not connect to nowhere \\(root@127\\.0\\.0\\.1:${port}\\): connection refused`,
        ),
      );
      check(performance.now() - started < 2000, "refused at once");
    });

    await t.step("a server that never answers times out after sshConnectTimeout", async () => {
      const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const port = (listener.addr as Deno.NetAddr).port;
      const held: Deno.Conn[] = [];
      const accepting = (async () => {
        for await (const conn of listener) held.push(conn);
      })();
      try {
        const started = performance.now();
        await assertRejects(
          () => runOnce("silent", base(0, { sshPort: port, sshConnectTimeout: 1 })),
          /timed out after 1s/,
        );
        const elapsed = performance.now() - started;
        check(elapsed >= 900 && elapsed < 3000, `took ${elapsed} ms`);
      } finally {
        listener.close();
        for (const conn of held) conn.close();
        await accepting.catch(() => {});
      }
    });

    await t.step("sshProxyJump reaches a host through another one", async () => {
      const target = fleet.hosts[1];
      const data = base(0, {
        sshHostname: target.address,
        sshPort: 22,
        sshProxyJump: `root@127.0.0.1:${fleet.hosts[0].port}`,
        sshKnownHostsFile: path.join(work, "jump_known_hosts"),
      });
      assertEquals(await runOnce("behind", data, "hostname"), "fleet-2\n");
      const known = await Deno.readTextFile(path.join(work, "jump_known_hosts"));
      check(known.includes(`${target.address} ssh-ed25519 `), known);
    });

    await t.step("logs in through an SSH agent and forwards it", async () => {
      const socket = path.join(work, "agent.sock");
      const agent = new Deno.Command("ssh-agent", {
        args: ["-D", "-a", socket],
        stdin: "null",
        stdout: "null",
        stderr: "null",
      }).spawn();
      try {
        for (let i = 0; i < 50; i++) {
          if (await Deno.stat(socket).catch(() => undefined)) break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        await sh("ssh-add", [fleet.key], { SSH_AUTH_SOCK: socket });
        const data = base(0, { sshKey: undefined, sshAgent: socket, sshUser: "deploy" });
        assertEquals(await runOnce("fleet-1", data), "deploy\n");
        const forwarded = await runOnce(
          "fleet-1",
          { ...data, sshForwardAgent: true },
          "ssh-add -l",
        );
        assertMatch(forwarded, /ED25519/);
        await assertRejects(
          () => runOnce("fleet-1", { ...data, sshAgent: false, sshForwardAgent: true }),
          /sshForwardAgent needs an SSH agent/,
        );
      } finally {
        agent.kill("SIGTERM");
        await agent.status;
      }
    });

    await t.step("reads HostName, User, Port and IdentityFile from the SSH config", async () => {
      const config = path.join(work, "ssh_config");
      await Deno.writeTextFile(
        config,
        [
          "Host other",
          "  User nobody",
          "Host fleet-*.test !fleet-9.test",
          "  HostName 127.0.0.1",
          `  Port ${fleet.hosts[1].port}`,
          "  User deploy",
          `  IdentityFile ${fleet.key}`,
          "Host *",
          "  User root",
          "",
        ].join("\n"),
      );
      const data = { sshConfigFile: config, sshKnownHostsFile: fleet.knownHosts };
      assertEquals(await runOnce("fleet-2.test", data, "id -un; hostname"), "deploy\nfleet-2\n");
      // Host data wins over the file.
      assertEquals(await runOnce("fleet-2.test", { ...data, sshUser: "root" }), "root\n");
    });
  } finally {
    await fleet.down();
  }
});

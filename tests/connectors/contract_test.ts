/**
 * One contract, one table of cases, every connector: @local, @chroot (a Debian tree),
 * @docker and @podman (containers of the fleet image) and @ssh (a fleet host). Driven
 * through the engine's Host, as a deploy drives them: exit statuses, stdin forms, hostile
 * bytes in arguments and in file contents, large outputs, timeouts, uploads (a failed one
 * leaves the target and no staged file) and downloads.
 *
 * @module
 */
import * as path from "node:path";
import { assertEquals, assertMatch, assertRejects } from "../_assert.ts";
import { run } from "../_cli.ts";
import { dockerTest, fleetUp } from "../../scripts/fleet/fleet.ts";
import { Host } from "../../src/core/host.ts";
import type { Connector } from "../../src/core/connector.ts";
import type { GlobalArgumentsInput } from "../../src/core/arguments.ts";
import { sh, type StringCommand } from "../../src/core/command.ts";
import { LocalConnector } from "../../src/connectors/local.ts";
import { ChrootConnector } from "../../src/connectors/chroot.ts";
import { DockerConnector } from "../../src/connectors/docker.ts";
import { SshConnector } from "../../src/connectors/ssh.ts";
import { stopRunningProcesses } from "../../src/connectors/process.ts";

const IMAGE = "tsinfra-fleet:bookworm";
/** Slow machines set TSINFRA_TEST_TIMEOUT_SCALE: time for a command to start before its timeout. */
const SCALE = Number(Deno.env.get("TSINFRA_TEST_TIMEOUT_SCALE") ?? "1");
/** Every byte but NUL, the quotes, `$()`, backticks, a newline, non-ASCII. */
const HOSTILE = `a'b"c $(touch /tmp/tsinfra-contract-canary) \`id\` \\ \n é ;|&<>*?`;
const ALL_BYTES = new Uint8Array(Array.from({ length: 256 * 4 }, (_, i) => i % 256));

interface Target {
  name: string;
  connector: () => Connector;
}

function hostFor(target: Target): Host {
  return new Host({
    name: target.name,
    groups: [],
    data: {},
    defaults: {},
    connector: target.connector,
  });
}

async function runOn(host: Host, command: StringCommand, globals: GlobalArgumentsInput = {}) {
  return await host.run(command, host.connectorArguments(globals));
}

/** The cases, each run on each target. */
async function contract(t: Deno.TestContext, target: Target): Promise<void> {
  const host = hostFor(target);
  const base = `/tmp/tsinfra-contract-${crypto.randomUUID()}`;
  try {
    await host.connect();
    assertEquals(
      (await runOn(host, sh`mkdir -p ${base} && rm -f /tmp/tsinfra-contract-canary`)).exitCode,
      0,
    );

    await t.step(`${target.name}: exit statuses`, async () => {
      assertEquals((await runOn(host, sh`exit 0`)).exitCode, 0);
      assertEquals((await runOn(host, sh`exit 3`)).exitCode, 3);
      assertEquals((await runOn(host, sh`exit 255`)).exitCode, 255);
    });

    await t.step(`${target.name}: stdin, as pyinfra writes it`, async () => {
      const cat = sh`cat`;
      assertEquals((await runOn(host, cat, { _stdin: "a" })).stdout, "a\n");
      assertEquals((await runOn(host, cat, { _stdin: "a\n" })).stdout, "a\n");
      assertEquals((await runOn(host, cat, { _stdin: ["a\n", "b"] })).stdout, "a\nb\n");
      assertEquals((await runOn(host, cat)).stdout, "");
    });

    await t.step(
      `${target.name}: stdin is encoded once, in core: the same bytes everywhere`,
      async () => {
        // Every byte the command read, as octal: no connector adds or drops a newline.
        const od = sh`od -An -c | tr -s ' \n' ' '`;
        for (
          const [stdin, bytes] of [
            [["a\n"], " a \\n "],
            ["a", " a \\n "],
            [["a", "b\n"], " a \\n b \\n "],
            ["", " \\n "],
            [["é", "\n"], " 303 251 \\n \\n "],
          ] as const
        ) {
          const out = await runOn(host, od, { _stdin: stdin as string | string[] });
          assertEquals(out.stdout, bytes, `_stdin ${JSON.stringify(stdin)}`);
        }
        // With a timer too (ssh then runs the command on a channel of its own).
        const timed = await runOn(host, od, { _stdin: ["a", "b\n"], _timeout: 20 });
        assertEquals([timed.stdout, timed.timedOut], [" a \\n b \\n ", false]);
      },
    );

    await t.step(`${target.name}: hostile bytes in an argument come back exact`, async () => {
      const out = await runOn(host, sh`printf '%s' ${HOSTILE}`);
      assertEquals(out.stdout, HOSTILE);
      const env = await runOn(host, sh`printf '%s' "$X"`, { _env: { X: HOSTILE } });
      assertEquals(env.stdout, HOSTILE);
      assertEquals((await runOn(host, sh`test -e /tmp/tsinfra-contract-canary`)).exitCode, 1);
    });

    await t.step(`${target.name}: large output`, async () => {
      const out = await runOn(host, sh`head -c 2000000 /dev/zero | tr '\\0' a`);
      assertEquals(out.stdout.length, 2_000_000);
    });

    await t.step(`${target.name}: a timeout stops the command`, async () => {
      const started = performance.now();
      const out = await runOn(host, sh`sleep 30`, { _timeout: 1 });
      assertEquals(out.timedOut, true);
      assertEquals(out.exitCode, -1);
      assertEquals(performance.now() - started < 20_000, true);
    });

    await t.step(`${target.name}: a timeout stops the command's programs too`, async () => {
      const started = performance.now();
      // Long enough for the command to start and print on a busy machine.
      const out = await runOn(host, sh`echo started; sleep 28.3; echo late`, {
        _timeout: 4 * SCALE,
        _stdin: "x",
      });
      assertEquals([out.timedOut, out.exitCode, out.stdout], [true, -1, "started\n"]);
      assertEquals(performance.now() - started < 20_000 * SCALE, true);
      const left = async () =>
        (await runOn(host, sh`ps -eo args | grep -c ${"[s]leep 28.3"} || true`)).stdout.trim();
      for (let i = 0; i < 100 && (await left()) !== "0"; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assertEquals(await left(), "0");
      // The connection is still usable, and a command within its time is not stopped.
      const quick = await runOn(host, sh`echo ok`, { _timeout: 20 });
      assertEquals([quick.stdout, quick.exitCode, quick.timedOut], ["ok\n", 0, false]);
    });

    await t.step(`${target.name}: Ctrl-C ends a running command at once`, async () => {
      const marker = `${base}/started`;
      const started = performance.now();
      const running = runOn(host, sh`touch ${marker}; sleep 29.7`);
      // Cancel once the command reports it started (its marker), as the engine does.
      while ((await runOn(host, sh`test -e ${marker}`)).exitCode !== 0) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await host.cancel();
      await stopRunningProcesses();
      const out = await running;
      assertEquals(out.exitCode === 0, false);
      assertEquals(performance.now() - started < 20_000, true);
      // And on the host, the command's programs are gone.
      const left = async () =>
        (await runOn(host, sh`ps -eo args | grep -c ${"[s]leep 29.7"} || true`)).stdout.trim();
      for (let i = 0; i < 100 && (await left()) !== "0"; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assertEquals(await left(), "0");
    });

    await t.step(
      `${target.name}: uploads and downloads keep every byte; odd names too`,
      async () => {
        const args = host.connectorArguments({});
        const dest = `${base}/it's a "file" é`;
        await host.putFile(ALL_BYTES, dest, args);
        assertEquals(await host.getFile(dest, args), ALL_BYTES);
        // An existing file keeps its mode when replaced.
        await runOn(host, sh`chmod 640 ${dest}`);
        await host.putFile(new TextEncoder().encode("second\n"), dest, args);
        assertEquals((await runOn(host, sh`stat -c %a ${dest}`)).stdout, "640\n");
        assertEquals(new TextDecoder().decode(await host.getFile(dest, args)), "second\n");
      },
    );

    await t.step(
      `${target.name}: a failed upload leaves no staged file; a missing download is named`,
      async () => {
        const args = host.connectorArguments({});
        const before = (await runOn(host, sh`ls /tmp`)).stdout.split("\n").filter((n) =>
          n.startsWith("tsinfra-upload-")
        );
        await assertRejects(() => host.putFile(ALL_BYTES, `${base}/no/such/folder/x`, args));
        const after = (await runOn(host, sh`ls /tmp`)).stdout.split("\n").filter((n) =>
          n.startsWith("tsinfra-upload-")
        );
        assertEquals(after, before);
        const error = await assertRejects(() => host.getFile(`${base}/missing`, args));
        assertMatch(error.message, /missing/);
      },
    );

    await t.step(
      `${target.name}: an upload that fails or is interrupted leaves no half target, no staged file`,
      async () => {
        const args = host.connectorArguments({});
        // A temp folder of this test's own: other tests upload beside it.
        const temp = `${base}/temp`;
        const staged = async () =>
          (await runOn(host, sh`ls -A ${temp} ${base}`)).stdout.split("\n").filter((n) =>
            n.startsWith(".tsinfra-") || n.startsWith("tsinfra-")
          );
        const dest = `${base}/kept`;
        await runOn(host, sh`printf old > ${dest} && mkdir ${base}/folder ${temp}`);
        // A folder at the target is refused, not written into.
        await assertRejects(
          () => host.putFile(ALL_BYTES, `${base}/folder`, args, temp),
          /directory/,
        );
        assertEquals((await runOn(host, sh`ls -A ${base}/folder`)).stdout, "");
        assertEquals(await staged(), []);
        // Ctrl-C while the bytes are on their way: nothing is put in place.
        const big = new Uint8Array(8 * 1024 * 1024).fill(120);
        const upload = host.putFile(big, dest, args, temp);
        await host.cancel();
        await assertRejects(
          () => upload,
          /Upload of .*kept interrupted: the target was left as it was/,
        );
        assertEquals((await runOn(host, sh`cat ${dest}`)).stdout, "old");
        assertEquals(await staged(), []);
        // The next upload goes through.
        await host.putFile(new TextEncoder().encode("new"), dest, args, temp);
        assertEquals((await runOn(host, sh`cat ${dest}`)).stdout, "new");
        assertEquals(await staged(), []);
      },
    );
  } finally {
    await runOn(host, sh`rm -rf ${base}`).catch(() => {});
    await host.disconnect();
  }
}

Deno.test("the connector contract on @local", async (t) => {
  await contract(t, { name: "@local", connector: () => new LocalConnector() });
});

await dockerTest("the connector contract on @chroot, @docker, @podman and @ssh", async (t) => {
  const tree = await Deno.makeTempDir({ prefix: "tsinfra-contract-chroot-" });
  const created = (await run("docker", ["create", IMAGE])).stdout.trim();
  const container = (await run("docker", ["run", "-d", IMAGE, "sleep", "infinity"])).stdout.trim();
  const conf = path.join(tree, "..", `tsinfra-contract-containers-${crypto.randomUUID()}.conf`);
  let podmanContainer = "";
  const fleet = await fleetUp(1);
  try {
    const exported = await run("sh", ["-c", `docker export ${created} | tar -x -C ${tree}`]);
    assertEquals(exported.code, 0, exported.stderr);
    await contract(t, { name: "@chroot", connector: () => new ChrootConnector(tree) });

    await contract(t, {
      name: "@docker",
      connector: () => new DockerConnector("docker", container),
    });

    // podman: this machine's open-file limit is below podman's default ulimit.
    await Deno.writeTextFile(conf, "[containers]\ndefault_ulimits = []\n");
    Deno.env.set("CONTAINERS_CONF", conf);
    const podman = (...args: string[]) => run("podman", args, "/", { CONTAINERS_CONF: conf });
    if ((await podman("image", "exists", IMAGE)).code !== 0) {
      const loaded = await run("sh", ["-c", `docker save ${IMAGE} | podman load`], "/", {
        CONTAINERS_CONF: conf,
      });
      assertEquals(loaded.code, 0, loaded.stderr);
    }
    podmanContainer = (await podman("run", "-d", IMAGE, "sleep", "infinity")).stdout.trim();
    await contract(t, {
      name: "@podman",
      connector: () => new DockerConnector("podman", podmanContainer),
    });

    const sshHost = fleet.hosts[0];
    await contract(t, {
      name: "@ssh",
      connector: () =>
        new SshConnector("127.0.0.1", {
          sshPort: sshHost.port,
          sshUser: "root",
          sshKey: fleet.key,
          sshKnownHostsFile: fleet.knownHosts,
        }),
    });
  } finally {
    await fleet.down();
    if (podmanContainer) {
      await run("podman", ["rm", "-f", podmanContainer], "/", { CONTAINERS_CONF: conf });
    }
    Deno.env.delete("CONTAINERS_CONF");
    await Deno.remove(conf).catch(() => {});
    await run("docker", ["rm", "-f", created, container]);
    await Deno.remove(tree, { recursive: true });
  }
});

/**
 * More faults on a real fleet, each on one host while the others carry on: sshd killed
 * mid-run, a container killed mid-upload, the controller killed (SIGKILL) and stopped
 * (SIGINT) mid-upload, a full destination disk, no sudo on the host, an unreadable file
 * and an unwritable folder. The failing host is named with a reason a user understands
 * (in the CLI output and in `--json`), the others finish, the exit status is 1 (130 for
 * Ctrl-C), and no half-written target or staged file is left. Faults are injected when
 * the run reports an event (a marker file, a staged upload appearing), never after a
 * fixed sleep.
 *
 * @module
 */
import * as path from "node:path";
import { dockerTest, type Fleet, fleetUp } from "../../scripts/fleet/fleet.ts";
import { assertEquals, assertMatch } from "../_assert.ts";
import { run, type RunResult, startTsinfra, waitFor } from "../_cli.ts";

/** The large upload: big enough that it is still being written when the fault lands. */
const HUGE_BYTES = 128 * 1024 * 1024;

interface HostReport {
  success: boolean;
  error: string | null;
  operations: {
    name: string;
    status: string;
    error: string | null;
    failure?: { class: string; message: string } | null;
  }[];
}

/** The hosts of a `--json` report, failing with the output when it is not JSON. */
function jsonHosts(out: RunResult): Record<string, HostReport> {
  try {
    return JSON.parse(out.stdout).hosts;
  } catch {
    throw new Error(`not a JSON report:\n${out.stdout}\n${out.stderr}`);
  }
}

/** Runs `script` with `sh -c` in a fleet host's container, as root. */
function inHost(fleet: Fleet, name: string, script: string): Promise<RunResult> {
  const container = fleet.hosts.find((h) => h.name === name)!.container;
  return run("docker", ["exec", container, "sh", "-c", script]);
}

/**
 * What a failed or interrupted transfer may have left on a host: staged files in /tmp
 * and new files beside the target in `folder` (`.tsinfra-*`), one `mode path` a line.
 */
async function leftovers(fleet: Fleet, name: string, folder: string): Promise<string[]> {
  const out = await inHost(
    fleet,
    name,
    `for f in /tmp/tsinfra-upload-* /tmp/tsinfra-download-* ${folder}/.tsinfra-*; do ` +
      `[ -e "$f" ] && stat -c '%a %n' "$f"; done; true`,
  );
  return out.stdout.split("\n").filter(Boolean);
}

/** The target's size and first bytes: `4 old` for the old file, `missing` when absent. */
async function target(fleet: Fleet, name: string, file: string): Promise<string> {
  const out = await inHost(
    fleet,
    name,
    `if [ -e ${file} ]; then printf '%s ' "$(stat -c %s ${file})"; head -c 3 ${file}; ` +
      `else printf missing; fi`,
  );
  return out.stdout;
}

const HOST_FAILED = (name: string, rest: string) => new RegExp(`\\[${name}\\] failed: ${rest}`);

await dockerTest(
  "more fleet faults: the faulty host is named with its reason, the others finish, nothing half-written",
  async (t) => {
    // /data is a 1 MiB tmpfs on every host: the full-disk destination.
    const fleet = await fleetUp(3, { dockerArgs: ["--tmpfs", "/data:size=1m"] });
    const dir = await Deno.makeTempDir({ prefix: "tsinfra-faults-more-" });
    const inv = fleet.inventory;
    const cli = (...args: string[]) => startTsinfra(dir, args).done;
    const deploy = (file: string, text: string) =>
      Deno.writeTextFile(
        path.join(dir, file),
        `import { files, host, server } from "tsinfra";\n${text}`,
      );
    try {
      const huge = new Uint8Array(HUGE_BYTES);
      for (let i = 0; i < huge.length; i++) huge[i] = (i * 31 + (i >>> 12)) & 255;
      await Deno.writeFile(path.join(dir, "huge.bin"), huge);
      await Deno.writeFile(path.join(dir, "big.bin"), new Uint8Array(2 * 1024 * 1024).fill(66));
      await Deno.writeTextFile(path.join(dir, "small.txt"), "new\n");
      // The old targets of the uploads.
      for (const h of fleet.hosts) {
        await inHost(fleet, h.name, "echo old > /srv/huge.bin && echo old > /data/big.bin");
      }

      await t.step("sshd killed mid-run on one host", async () => {
        await deploy(
          "sshd.ts",
          `files.directory({ path: "/srv/faults" });
server.shell({
  commands: [host.name === "fleet-2" ? "touch /tmp/tsinfra-working; sleep 61" : "sleep 1"],
  name: "work",
});
files.file({ path: "/srv/faults/done" });
`,
        );
        for (const json of [false, true]) {
          await inHost(fleet, "fleet-2", "rm -f /tmp/tsinfra-working /srv/faults/done");
          const running = cli(
            inv,
            "sshd.ts",
            "-y",
            "--limit",
            "fleet-1",
            "--limit",
            "fleet-2",
            ...(json ? ["--json"] : []),
          );
          await waitFor(
            "fleet-2's work to start",
            async () => (await inHost(fleet, "fleet-2", "test -f /tmp/tsinfra-working")).code === 0,
          );
          // Every sshd but the listener (PID 1): the connection's own processes.
          await inHost(
            fleet,
            "fleet-2",
            `for p in $(pgrep -x sshd); do [ "$p" -ne 1 ] && kill -9 "$p"; done; pkill -f '^sleep 61'; true`,
          );
          const out = await running;
          assertEquals(out.code, 1, out.stdout + out.stderr);
          if (json) {
            const hosts = jsonHosts(out);
            assertEquals(hosts["fleet-2"].success, false);
            assertMatch(hosts["fleet-2"].error!, /^work at sshd\.ts:\d+:\d+: [^]*connection/i);
            assertMatch(
              hosts["fleet-2"].operations[1].failure!.message,
              /connection (lost|closed)/i,
            );
            assertEquals(hosts["fleet-1"].success, true);
            assertEquals(hosts["fleet-1"].operations.map((o) => o.error), [null, null, null]);
          } else {
            assertMatch(
              out.stdout,
              HOST_FAILED(
                "fleet-2",
                "work at sshd\\.ts:\\d+:\\d+: [^]*[Cc]onnection (lost|closed)",
              ),
            );
            assertMatch(out.stdout, /fleet-1\s+3\s+\d+\s+\d+\s+0\n/);
          }
          assertEquals(await target(fleet, "fleet-2", "/srv/faults/done"), "missing");
        }
      });

      await t.step(
        "a full disk at the destination names the target, leaves the old file",
        async () => {
          await deploy(
            "full.ts",
            `files.put({ src: "./big.bin", dest: host.name === "fleet-1" ? "/data/big.bin" : "/srv/big.bin" });\n`,
          );
          for (const json of [false, true]) {
            const out = await cli(
              inv,
              "full.ts",
              "-y",
              "--limit",
              "fleet-1",
              "--limit",
              "fleet-2",
              ...(json ? ["--json"] : []),
            );
            assertEquals(out.code, 1, out.stdout + out.stderr);
            const reason = /\/data\/big\.bin[^\n]*No space left on device/;
            if (json) {
              const hosts = jsonHosts(out);
              assertMatch(
                hosts["fleet-1"].error!,
                /^files\.put \(\/data\/big\.bin\) at full\.ts:2:\d+: /,
              );
              assertMatch(hosts["fleet-1"].error!, reason);
              assertMatch(hosts["fleet-1"].operations[0].failure!.message, reason);
              assertEquals(hosts["fleet-2"].success, true);
            } else {
              assertMatch(
                out.stdout,
                HOST_FAILED("fleet-1", "files\\.put \\(/data/big\\.bin\\) at full\\.ts:2:\\d+: "),
              );
              assertMatch(out.stdout, reason);
              assertMatch(out.stdout, /fleet-2\s+1\s+[01]\s+[01]\s+0\n/);
            }
            assertEquals(await target(fleet, "fleet-1", "/data/big.bin"), "4 old");
            assertEquals(await leftovers(fleet, "fleet-1", "/data"), []);
            assertEquals(await target(fleet, "fleet-2", "/srv/big.bin"), `${2 * 1024 * 1024} BBB`);
          }
        },
      );

      await t.step("no sudo on one host: the message says sudo is missing", async () => {
        await deploy(
          "nosudo.ts",
          `server.shell({ commands: ["id -un > /tmp/tsinfra-who"], _sudo: true });
files.put({ src: "./small.txt", dest: "/etc/tsinfra-small", _sudo: true });
`,
        );
        await inHost(fleet, "fleet-2", "mv /usr/bin/sudo /usr/bin/sudo.off");
        try {
          for (const json of [false, true]) {
            const out = await cli(
              inv,
              "nosudo.ts",
              "-y",
              "--user",
              "deploy",
              "--limit",
              "fleet-1",
              "--limit",
              "fleet-2",
              ...(json ? ["--json"] : []),
            );
            assertEquals(out.code, 1, out.stdout + out.stderr);
            const reason = /sudo: (command )?not found|sudo is (missing|not installed)/i;
            if (json) {
              const hosts = jsonHosts(out);
              assertMatch(
                hosts["fleet-2"].error!,
                /^server\.shell \(id -un > \/tmp\/tsinfra-who\) at nosudo\.ts:2:\d+: /,
              );
              assertMatch(hosts["fleet-2"].error!, reason);
              assertMatch(hosts["fleet-2"].operations[0].failure!.message, reason);
              assertEquals(hosts["fleet-1"].success, true);
            } else {
              assertMatch(
                out.stdout,
                HOST_FAILED(
                  "fleet-2",
                  "server\\.shell \\(id -un > /tmp/tsinfra-who\\) at nosudo\\.ts:2:\\d+: [^]*",
                ),
              );
              assertMatch(out.stdout, reason);
              assertMatch(out.stdout, /fleet-1\s+2\s+\d+\s+\d+\s+0\n/);
            }
            assertEquals(await target(fleet, "fleet-2", "/etc/tsinfra-small"), "missing");
            assertEquals(await leftovers(fleet, "fleet-2", "/etc"), []);
          }
        } finally {
          await inHost(fleet, "fleet-2", "mv /usr/bin/sudo.off /usr/bin/sudo");
        }
      });

      await t.step("an unreadable file and an unwritable folder, without sudo", async () => {
        await deploy(
          "unreadable.ts",
          `files.get({ src: host.name === "fleet-1" ? "/etc/shadow" : "/etc/hostname", dest: \`./got-\${host.name}\` });\n`,
        );
        await deploy(
          "unwritable.ts",
          `files.put({ src: "./small.txt", dest: host.name === "fleet-1" ? "/etc/tsinfra-perm" : "/home/deploy/tsinfra-perm" });\n`,
        );
        for (const json of [false, true]) {
          await Deno.remove(path.join(dir, "got-fleet-2")).catch(() => {});
          const get = await cli(
            inv,
            "unreadable.ts",
            "-y",
            "--user",
            "deploy",
            "--limit",
            "fleet-1",
            "--limit",
            "fleet-2",
            ...(json ? ["--json"] : []),
          );
          assertEquals(get.code, 1, get.stdout + get.stderr);
          const unreadable = /Could not read \/etc\/shadow on fleet-1: Permission denied/;
          if (json) {
            const hosts = jsonHosts(get);
            assertMatch(hosts["fleet-1"].error!, unreadable);
            assertMatch(hosts["fleet-1"].operations[0].failure!.message, unreadable);
            assertEquals(hosts["fleet-2"].success, true);
          } else {
            assertMatch(
              get.stdout,
              HOST_FAILED(
                "fleet-1",
                "files\\.get \\([^\\n]*got-fleet-1\\) at unreadable\\.ts:2:\\d+: ",
              ),
            );
            assertMatch(get.stdout, unreadable);
          }
          // Nothing written on the controller for the failing host; the other's copy whole.
          assertEquals(
            await Deno.stat(path.join(dir, "got-fleet-1")).then(() => true, () => false),
            false,
          );
          assertEquals((await Deno.readTextFile(path.join(dir, "got-fleet-2"))).length > 0, true);
          assertEquals(await leftovers(fleet, "fleet-1", "/etc"), []);

          const put = await cli(
            inv,
            "unwritable.ts",
            "-y",
            "--user",
            "deploy",
            "--limit",
            "fleet-1",
            "--limit",
            "fleet-2",
            ...(json ? ["--json"] : []),
          );
          assertEquals(put.code, 1, put.stdout + put.stderr);
          const unwritable = /\/etc\/tsinfra-perm[^\n]*Permission denied/;
          if (json) {
            const hosts = jsonHosts(put);
            assertMatch(hosts["fleet-1"].error!, unwritable);
            assertMatch(hosts["fleet-1"].operations[0].failure!.message, unwritable);
            assertEquals(hosts["fleet-2"].success, true);
          } else {
            assertMatch(
              put.stdout,
              HOST_FAILED(
                "fleet-1",
                "files\\.put \\(/etc/tsinfra-perm\\) at unwritable\\.ts:2:\\d+: ",
              ),
            );
            assertMatch(put.stdout, unwritable);
          }
          assertEquals(await target(fleet, "fleet-1", "/etc/tsinfra-perm"), "missing");
          assertEquals(await leftovers(fleet, "fleet-1", "/etc"), []);
        }
      });

      await deploy(
        "upload.ts",
        `files.put({ src: "./huge.bin", dest: "/srv/huge.bin" });
files.file({ path: "/srv/after-upload" });
`,
      );
      const staged = (name: string) => async () =>
        (await inHost(fleet, name, "ls /tmp/tsinfra-upload-*")).code === 0;
      const reset = async (names: string[]) => {
        for (const name of names) {
          await inHost(
            fleet,
            name,
            "echo old > /srv/huge.bin; rm -f /srv/after-upload /tmp/tsinfra-upload-*",
          );
        }
      };

      await t.step(
        "the controller killed with SIGKILL mid-upload: the old target stays",
        async () => {
          await reset(["fleet-1", "fleet-2"]);
          const running = startTsinfra(dir, [
            inv,
            "upload.ts",
            "-y",
            "--limit",
            "fleet-1",
            "--limit",
            "fleet-2",
          ]);
          await waitFor("the upload to fleet-1 to start", staged("fleet-1"));
          running.signal("SIGKILL");
          assertEquals((await running.done).code, 137);
          for (const name of ["fleet-1", "fleet-2"]) {
            assertEquals(await target(fleet, name, "/srv/huge.bin"), "4 old", name);
            assertEquals(await target(fleet, name, "/srv/after-upload"), "missing", name);
            // A killed controller cannot clean up: a partial staged copy may stay in /tmp,
            // readable by its owner only. Nothing is left beside the target.
            for (const left of await leftovers(fleet, name, "/srv")) {
              assertMatch(left, /^600 \/tmp\/tsinfra-upload-[0-9a-f-]+$/, name);
            }
          }
        },
      );

      await t.step(
        "Ctrl-C mid-upload: exit 130, nothing after it, old target, no staged file",
        async () => {
          await reset(["fleet-1", "fleet-2"]);
          const running = startTsinfra(dir, [
            inv,
            "upload.ts",
            "-y",
            "--limit",
            "fleet-1",
            "--limit",
            "fleet-2",
          ]);
          await waitFor("the upload to fleet-1 to start", staged("fleet-1"));
          running.signal("SIGINT");
          const out = await running.done;
          assertEquals(out.code, 130, out.stdout + out.stderr);
          assertMatch(out.stdout, /Run stopped: interrupted/);
          for (const name of ["fleet-1", "fleet-2"]) {
            assertEquals(await leftovers(fleet, name, "/srv"), [], name);
            assertEquals(await target(fleet, name, "/srv/after-upload"), "missing", name);
            // Never a part: the old file or the whole new one...
            assertMatch(
              await target(fleet, name, "/srv/huge.bin"),
              new RegExp(`^(4 old|${HUGE_BYTES} .+)$`),
              name,
            );
          }
          // ...and an upload stopped by Ctrl-C does not replace the target.
          for (const name of ["fleet-1", "fleet-2"]) {
            assertEquals(
              await target(fleet, name, "/srv/huge.bin"),
              "4 old",
              `${name}: the upload was completed after Ctrl-C`,
            );
          }
        },
      );

      await t.step(
        "a container killed mid-upload: named, the other host finishes, no part left",
        async () => {
          // A killed container is gone for the rest of the run: fleet-3 for the text
          // output, then fleet-2 for --json.
          const left: Record<string, string[]> = {};
          for (const [victim, json] of [["fleet-3", false], ["fleet-2", true]] as const) {
            await reset(["fleet-1", victim]);
            const container = fleet.hosts.find((h) => h.name === victim)!.container;
            const running = cli(
              inv,
              "upload.ts",
              "-y",
              "--limit",
              "fleet-1",
              "--limit",
              victim,
              ...(json ? ["--json"] : []),
            );
            await waitFor(`the upload to ${victim} to start`, staged(victim));
            await run("docker", ["kill", container]);
            const out = await running;
            assertEquals(out.code, 1, out.stdout + out.stderr);
            const reason = /Could not upload \/srv\/huge\.bin[^\n]*: [^\n]*connection/i;
            if (json) {
              const hosts = jsonHosts(out);
              assertMatch(
                hosts[victim].error!,
                /^files\.put \(\/srv\/huge\.bin\) at upload\.ts:2:\d+: /,
              );
              assertMatch(hosts[victim].error!, reason);
              assertMatch(hosts[victim].operations[0].failure!.message, reason);
              assertEquals(hosts["fleet-1"].success, true);
              assertEquals(hosts["fleet-1"].operations.map((o) => o.status), [
                "changed",
                "changed",
              ]);
            } else {
              assertMatch(
                out.stdout,
                HOST_FAILED(victim, "files\\.put \\(/srv/huge\\.bin\\) at upload\\.ts:2:\\d+: "),
              );
              assertMatch(out.stdout, reason);
              assertMatch(out.stdout, /fleet-1\s+2\s+2\s+0\s+0\n/);
            }
            assertEquals(
              await target(fleet, "fleet-1", "/srv/huge.bin"),
              `${HUGE_BYTES} \x00\x1f>`,
            );
            // The connection is gone, so the partial copy cannot be removed: the message
            // names it, and it is the only thing left (mode 600, never the target).
            assertMatch(
              out.stdout + out.stderr,
              /the partial copy \/tmp\/tsinfra-upload-\S+ may remain/,
            );
            // Started again to look inside: the old target, nothing beside it.
            await run("docker", ["start", container]);
            assertEquals(await target(fleet, victim, "/srv/huge.bin"), "4 old");
            left[victim] = (await leftovers(fleet, victim, "/srv")).filter((f) =>
              !/^600 \/tmp\/tsinfra-upload-/.test(f)
            );
          }
          assertEquals(
            left,
            { "fleet-3": [], "fleet-2": [] },
            "files left on the killed hosts besides the named staged copy",
          );
        },
      );
    } finally {
      await fleet.down();
      await Deno.remove(dir, { recursive: true });
    }
  },
);

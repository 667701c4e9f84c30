/**
 * @local, for real: commands run by `sh -c` on this machine with env, chdir, stdin,
 * exit codes, timeouts, streaming, a terminal, sudo and su.
 */
import * as path from "node:path";
import { sh, StringCommand } from "../../src/core/command.ts";
import type { ConnectorArguments } from "../../src/core/arguments.ts";
import { ConnectError } from "../../src/core/errors.ts";
import { successful, wrapCommand } from "../../src/core/wrap.ts";
import { LocalConnector, localConnectorFactory } from "../../src/connectors/local.ts";
import { assertEquals, assertMatch, assertRejects, assertThrows } from "../_assert.ts";
import {
  argsOf,
  check,
  delay,
  IN_CI,
  processGone,
  rootTest,
  run,
  withLocal,
  withTempDir,
} from "./_local.ts";
import { runCommand } from "../../src/core/run_command.ts";

Deno.test("@local runs a command with env and chdir, stdout and stderr apart, and its exit code", async () => {
  await withLocal(async (local) => {
    await withTempDir(async (root) => {
      const dir = path.join(root, "it's a $dir");
      await Deno.mkdir(dir);
      const output = await run(
        local,
        `printf '%s|%s' "$GREETING" "$PWD"; echo oops >&2; exit 3`,
        { _env: { GREETING: 'it\'s "$HOME"' }, _chdir: dir },
      );
      assertEquals(output, {
        exitCode: 3,
        stdout: `it's "$HOME"|${dir}`,
        stderr: "oops\n",
        timedOut: false,
      });
      assertEquals(successful(output.exitCode, argsOf()), false);
      assertEquals(successful(output.exitCode, argsOf({ _successExitCodes: [0, 3] })), true);
    });
  });
});

Deno.test("@local writes _stdin as pyinfra does: each line ends with one newline", async () => {
  await withLocal(async (local) => {
    assertEquals((await run(local, "cat", { _stdin: "one" })).stdout, "one\n");
    assertEquals((await run(local, "cat", { _stdin: "one\n" })).stdout, "one\n");
    assertEquals((await run(local, "cat", { _stdin: ["a", "b\n", "c"] })).stdout, "a\nb\nc\n");
    // Without _stdin the input is empty, so a reading command does not wait.
    assertEquals((await run(local, "cat; echo end", { _timeout: 5 })).stdout, "end\n");
    // A command that ignores its input still finishes.
    assertEquals((await run(local, "echo hi", { _stdin: "x".repeat(1 << 20) })).stdout, "hi\n");
  });
});

Deno.test("@local feeds a large stdin while reading a large output (no dead-lock)", async () => {
  await withLocal(async (local) => {
    const lines = Array.from({ length: 100_000 }, (_, i) => `line ${i} ${"x".repeat(40)}`);
    const output = await run(local, "cat; cat /dev/null >&2", { _stdin: lines, _timeout: 30 });
    assertEquals(output.timedOut, false);
    assertEquals(output.stdout, lines.join("\n") + "\n");
  });
});

Deno.test("@local _timeout stops a command and its children, returning exit code -1", async (t) => {
  await withLocal(async (local) => {
    await withTempDir(async (dir) => {
      const cases: [string, Partial<ConnectorArguments>][] = [["as ourselves", {}]];
      if (Deno.uid() === 0) {
        cases.push(
          ["through sudo -u nobody", { _sudo: true, _sudoUser: "nobody" }],
          // su starts its command in a new session, outside our process group.
          ["through su nobody", { _suUser: "nobody", _suShell: "/bin/sh" }],
        );
      } else if (IN_CI) throw new Error("CI=true: run as root to cover sudo and su");
      for (const [name, extra] of cases) {
        await t.step(name, async () => {
          const pidFile = path.join(dir, `${crypto.randomUUID()}.pid`);
          const started = Date.now();
          const output = await run(
            local,
            sh`sleep 30 & echo $! > ${pidFile}; echo started; wait`,
            { ...extra, _timeout: 1 },
          );
          const elapsed = Date.now() - started;
          assertEquals(output.timedOut, true);
          assertEquals(output.exitCode, -1);
          assertEquals(output.stdout, "started\n");
          check(elapsed >= 900 && elapsed < 4000, `stopped after ${elapsed} ms`);
          const pid = Number(await Deno.readTextFile(pidFile));
          check(await processGone(pid), `sleep 30 (pid ${pid}) is still running`);
        });
      }
    }, 0o777);
  });
});

Deno.test("@local _timeout also covers children that keep the output open", async () => {
  await withLocal(async (local) => {
    const started = Date.now();
    const output = await run(local, "(sleep 30 &); echo bye", { _timeout: 1 });
    assertEquals([output.timedOut, output.exitCode, output.stdout], [true, -1, "bye\n"]);
    check(Date.now() - started < 4000);
  });
});

Deno.test("@local streams stdout and stderr to the sink as they arrive", async () => {
  await withLocal(async (local) => {
    const seen: { stream: string; text: string; at: number }[] = [];
    const output = await run(
      local,
      "echo one; sleep 1; echo two >&2; sleep 0.2; echo three",
      {},
      {
        stdout: (text) => seen.push({ stream: "stdout", text, at: Date.now() }),
        stderr: (text) => seen.push({ stream: "stderr", text, at: Date.now() }),
      },
    );
    const end = Date.now();
    assertEquals(seen.map(({ stream, text }) => [stream, text]), [
      ["stdout", "one\n"],
      ["stderr", "two\n"],
      ["stdout", "three\n"],
    ]);
    check(end - seen[0].at >= 1000, "the first line came only at the end");
    assertEquals(output.stdout, "one\nthree\n");
    assertEquals(output.stderr, "two\n");
  });
});

Deno.test("@local reports an error thrown by the sink after the command finished", async () => {
  await withLocal(async (local) => {
    await assertRejects(
      () =>
        run(local, "echo a; echo b", {}, {
          stdout: () => {
            throw new Error("sink broke");
          },
        }),
      /sink broke/,
    );
  });
});

Deno.test("@local _getPty runs the command in a terminal (script -qec)", async () => {
  await withLocal(async (local) => {
    const noPty = await run(local, "tty");
    assertEquals([noPty.exitCode, noPty.stdout], [1, "not a tty\n"]);
    const pty = await run(local, "tty; echo err >&2; printf '%s\\n' \"$SHELL\"; exit 4", {
      _getPty: true,
    });
    assertEquals(pty.exitCode, 4);
    // A terminal has one output: stderr arrives on stdout; \r\n is given back as \n.
    assertMatch(pty.stdout, /^\/dev\/pts\/\d+\nerr\n/);
    assertEquals(pty.stdout.split("\n")[2], Deno.env.get("SHELL") ?? "");
    assertEquals(pty.stderr, "");
  });
});

Deno.test("@local gives hostile output and arguments back unchanged", async () => {
  const values = ["it's", '"$(id)"', "`id`", "a\nb", "\\", "Šablony ☃", "* ? [a]", "-n", ""];
  await withLocal(async (local) => {
    for (const extra of [{}, { _env: { A: "1" }, _chdir: "/" }, { _shellExecutable: "bash" }]) {
      for (const value of values) {
        const output = await run(local, sh`printf '%s' ${value}`, extra);
        assertEquals(output.stdout, value);
      }
    }
  });
});

rootTest("@local sudo runs the command as another user", async () => {
  await withLocal(async (local) => {
    assertEquals((await run(local, "id -un", { _sudo: true })).stdout, "root\n");
    const nobody = await run(local, "id -un; printf '%s' \"$HOME\"", {
      _sudo: true,
      _sudoUser: "nobody",
    });
    assertEquals(nobody.exitCode, 0, nobody.stderr);
    // -H: HOME is the target user's.
    assertEquals(nobody.stdout, "nobody\n/nonexistent");
    const env = await run(local, `printf '%s' "$A"`, {
      _sudo: true,
      _sudoUser: "nobody",
      _env: { A: "kept" },
    });
    assertEquals(env.stdout, "kept");
  });
});

rootTest("@local su runs the command as another user, with a shell of our choice", async () => {
  await withLocal(async (local) => {
    // nobody's own shell is nologin.
    const output = await run(local, "id -un", { _suUser: "nobody", _suShell: "/bin/sh" });
    assertEquals([output.exitCode, output.stdout], [0, "nobody\n"], output.stderr);
    const byName = await run(local, "id -un", { _suUser: "nobody", _suShell: "sh" });
    assertEquals(byName.stdout, "nobody\n");
    const refused = await run(local, "id -un", { _suUser: "nobody" });
    check(refused.exitCode !== 0, "su to a nologin user without _suShell ran");
    const root = await run(local, "id -un", { _su: true });
    assertEquals(root.stdout, "root\n");
  });
});

Deno.test("doas: commands are generated as pyinfra's, not run (doas is not installed here)", () => {
  const command = new StringCommand(["id", "-un"]);
  assertEquals(
    wrapCommand(command, argsOf({ _doas: true })).raw(),
    "doas -n sh -c 'id -un'",
  );
  assertEquals(
    wrapCommand(command, argsOf({ _doas: true, _doasUser: "nobody", _env: { A: "1" } })).raw(),
    `doas -n -u nobody sh -c 'export "A=1" && id -un'`,
  );
});

Deno.test("@local disconnect stops commands still running", async () => {
  const local = new LocalConnector();
  await local.connect();
  const started = Date.now();
  const running = run(local, "sleep 30");
  await delay(300);
  await local.disconnect();
  const output = await running;
  assertEquals([output.exitCode, output.timedOut], [-1, false]);
  check(Date.now() - started < 4000);
  // The connector can still be used afterwards.
  assertEquals((await run(local, "echo again")).stdout, "again\n");
});

Deno.test("@local warns once and runs without a terminal when script is missing", async () => {
  const warnings: string[] = [];
  const local = new LocalConnector({ script: null, warn: (message) => warnings.push(message) });
  await local.connect();
  try {
    const args = argsOf({ _getPty: true });
    const output = await runCommand(local, new StringCommand(["tty"]), { args });
    await runCommand(local, new StringCommand(["true"]), { args });
    assertEquals(output.stdout, "not a tty\n");
    assertEquals(warnings.length, 1);
    assertMatch(warnings[0], /_getPty needs `script`/);
  } finally {
    await local.disconnect();
  }
});

Deno.test("the @local factory makes a local connector and refuses a name after @local", () => {
  check(localConnectorFactory("@local", {}) instanceof LocalConnector);
  const error = assertThrows(() => localConnectorFactory("@local/other", {}), /takes no name/);
  check(error instanceof ConnectError);
});

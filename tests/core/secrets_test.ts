/**
 * Secrets: `mask()` only changes what is shown (the value is quoted like any other), the
 * sudo password is never part of a command line, and every error class crosses the
 * worker boundary as itself.
 */
import * as path from "node:path";
import { mask, raw, sh, StringCommand } from "../../src/core/command.ts";
import { GLOBAL_ARGUMENT_DEFAULTS } from "../../src/core/arguments.ts";
import type { ConnectorArguments } from "../../src/core/arguments.ts";
import { withSecretInput, wrapCommand } from "../../src/core/wrap.ts";
import { LocalConnector } from "../../src/connectors/local.ts";
import * as errors from "../../src/core/errors.ts";
import { revive } from "../../src/runner/pool.ts";
import { assertEquals, assertMatch } from "../_assert.ts";
import { tsinfraIn } from "../_cli.ts";
import { runCommand } from "../../src/core/run_command.ts";

function check(condition: boolean, message?: string): void {
  assertEquals(condition, true, message);
}

async function exists(file: string): Promise<boolean> {
  return await Deno.stat(file).then(() => true, () => false);
}

const args = { ...GLOBAL_ARGUMENT_DEFAULTS } as ConnectorArguments;

Deno.test("mask() in sh is quoted like any other value: $(...) never runs, *** is shown", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tsinfra-mask-" });
  try {
    const canary = path.join(dir, "CANARY");
    const secret = `p w$(touch ${canary})\`touch ${canary}\`'"`;
    const command = sh`printf '%s' ${mask(secret)}`;
    assertEquals(command.masked(), "printf '%s' ***");
    const local = new LocalConnector();
    await local.connect();
    const out = await runCommand(local, wrapCommand(command, args), { args });
    await local.disconnect();
    assertEquals([out.exitCode, out.stdout], [0, secret], out.stderr);
    assertEquals(await exists(canary), false);
    // mask(raw(...)) keeps shell text, for callers that build it themselves.
    assertEquals(sh`${mask(raw("A=1"))} env`.raw(), "A=1 env");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("server.shell accepts sh commands with masked values, quoted and shown as ***", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tsinfra-shell-sh-" });
  try {
    const canary = path.join(dir, "CANARY");
    const out = path.join(dir, "out");
    const secret = `t0ken $(touch ${canary})`;
    await Deno.writeTextFile(
      path.join(dir, "deploy.ts"),
      `import { mask, server, sh } from "tsinfra";
server.shell({ commands: sh\`printf '%s' \${mask(${JSON.stringify(secret)})} > \${${
        JSON.stringify(out)
      }}\` });
server.shell({ commands: ["true", sh\`printf x >> \${${JSON.stringify(out)}}\`] });
`,
    );
    const run = await tsinfraIn(dir, "@local", "deploy.ts", "-y", "-vvv");
    assertEquals(run.code, 0, run.stdout + run.stderr);
    assertEquals(await Deno.readTextFile(out), secret + "x");
    assertEquals(await exists(canary), false);
    check(!(run.stdout + run.stderr).includes("t0ken"), "the masked value was shown");
    assertMatch(run.stdout + run.stderr, /\*\*\*/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("wrapCommand never puts the sudo password in the command text: it goes to stdin", () => {
  const password = "pw-in-argv-canary $x 'q'";
  const wrapped = wrapCommand(
    new StringCommand(["id"]),
    { ...args, _sudo: true, _sudoPassword: password },
    { askpassPath: "/tmp/ap" },
  );
  check(!wrapped.raw().includes("pw-in-argv-canary"), wrapped.raw());
  assertEquals(wrapped.secretInput, `${password}\n`);
  assertEquals(withSecretInput(wrapped, "data\n"), `${password}\ndata\n`);
});

Deno.test("_timeout under sudo is also enforced on the host by timeout(1)", () => {
  const wrapped = wrapCommand(new StringCommand(["sleep 300"]), {
    ...args,
    _sudo: true,
    _timeout: 2,
  });
  assertEquals(wrapped.raw(), "sudo -H -n timeout -k 5 3 sh -c 'sleep 300'");
  // Without elevation the connector's own stop reaches the command: no change.
  assertEquals(
    wrapCommand(new StringCommand(["sleep 1"]), { ...args, _timeout: 2 }).raw(),
    "sh -c 'sleep 1'",
  );
});

Deno.test("every error class of errors.ts crosses the worker boundary as itself", () => {
  const classes = Object.values(errors).filter((value): value is typeof errors.TsinfraError =>
    typeof value === "function" &&
    (value === errors.TsinfraError || value.prototype instanceof errors.TsinfraError)
  );
  check(classes.length >= 12, `${classes.length} classes`);
  for (const Class of classes) {
    const original = new Class("message");
    const back = revive({ name: original.name, message: original.message });
    check(back instanceof Class, `${original.name} came back as ${back.constructor.name}`);
    assertEquals((back as errors.TsinfraError).exitCode, original.exitCode);
  }
});

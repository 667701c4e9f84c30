/**
 * A sudo password, for real: a throw-away user whose sudo asks for a password runs
 * commands through the askpass helper, as a connecting user does on any host.
 */
import { quote, StringCommand } from "../../src/core/command.ts";
import {
  sudoAskpassCleanup,
  sudoAskpassSetup,
  wrapCommand,
  type WrapOptions,
} from "../../src/core/wrap.ts";
import type { LocalConnector } from "../../src/connectors/local.ts";
import { assertEquals, assertMatch } from "../_assert.ts";
import { argsOf, check, exists, rootTest, withLocal } from "./_local.ts";
import type { ConnectorArguments } from "../../src/core/arguments.ts";
import { runCommand } from "../../src/core/run_command.ts";

async function system(program: string, args: string[], stdin?: string): Promise<void> {
  const child = new Deno.Command(program, {
    args,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const output = await child.output();
  if (!output.success) {
    throw new Error(`${program} ${args.join(" ")}: ${new TextDecoder().decode(output.stderr)}`);
  }
}

/** A user with a password, whom sudo asks for it; removed afterwards. */
async function withSudoUser(
  password: string,
  fn: (user: string) => Promise<void>,
): Promise<void> {
  const user = `tsinfra-pw-${crypto.randomUUID().slice(0, 8)}`;
  const sudoers = `/etc/sudoers.d/${user}`;
  await system("useradd", ["-M", "-s", "/bin/sh", user]);
  try {
    await system("chpasswd", [], `${user}:${password}\n`);
    await Deno.writeTextFile(sudoers, `${user} ALL=(ALL:ALL) ALL\n`, { mode: 0o440 });
    await fn(user);
  } finally {
    await Deno.remove(sudoers).catch(() => {});
    await system("userdel", [user]);
  }
}

rootTest(
  "@local sudo with a password asks the askpass helper and never shows the password",
  async () => {
    const password = `it's a "pass" $word \`x\` \\ ☃`;
    await withSudoUser(password, async (user) => {
      await withLocal(async (local) => {
        // Everything runs as the user, who connects and calls sudo.
        const asUser = (
          command: StringCommand,
          extra: Partial<ConnectorArguments>,
          options: WrapOptions,
          seen: string[] = [],
        ) => {
          const args = argsOf(extra);
          const wrapped = wrapCommand(command, args, options);
          check(!wrapped.masked().includes(password), wrapped.masked());
          // The password line the connector writes to stdin passes through su.
          const su = new StringCommand(["su", "-s", "/bin/sh", quote(user), "-c", quote(wrapped)], {
            secretInput: wrapped.secretInput,
          });
          return runAs(local, su, args, seen);
        };

        // Once per host: the helper, created by the connecting user.
        const setup = await asUser(sudoAskpassSetup(), {}, {});
        assertEquals(setup.exitCode, 0, setup.stderr);
        const helper = setup.stdout.split("\n")[0];
        try {
          const seen: string[] = [];
          const ok = await asUser(
            new StringCommand(["id", "-un"]),
            { _sudo: true, _sudoPassword: password, _timeout: 30 },
            { askpassPath: helper },
            seen,
          );
          assertEquals([ok.exitCode, ok.stdout], [0, "root\n"], ok.stderr);
          for (const chunk of [ok.stdout, ok.stderr, ...seen]) {
            check(!chunk.includes(password), "the password was printed");
          }
          // The same through _useSudoPassword, as another user.
          const other = await asUser(
            new StringCommand(["id", "-un"]),
            { _sudo: true, _useSudoPassword: password, _sudoUser: "nobody", _timeout: 30 },
            { askpassPath: helper },
          );
          assertEquals(other.stdout, "nobody\n", other.stderr);

          const wrong = await asUser(
            new StringCommand(["id", "-un"]),
            { _sudo: true, _sudoPassword: "wrong", _timeout: 30 },
            { askpassPath: helper },
          );
          check(!wrong.timedOut, "a wrong password made sudo wait");
          check(wrong.exitCode !== 0);
          assertMatch(wrong.stderr, /incorrect password|Sorry, try again/);

          // Without a password sudo fails at once (pyinfra prompts on this line).
          const none = await asUser(
            new StringCommand(["id", "-un"]),
            { _sudo: true, _timeout: 30 },
            { askpassPath: helper },
          );
          assertEquals(none.exitCode, 1);
          assertMatch(none.stderr, /a password is required/);
        } finally {
          const removed = await asUser(sudoAskpassCleanup(helper), {}, {});
          assertEquals(removed.exitCode, 0, removed.stderr);
        }
        assertEquals(await exists(helper), false);
      });
    });
  },
);

async function runAs(
  local: LocalConnector,
  command: StringCommand,
  args: ConnectorArguments,
  seen: string[],
) {
  return await runCommand(local, command, {
    args,
    sink: { stdout: (text) => seen.push(text), stderr: (text) => seen.push(text) },
  });
}

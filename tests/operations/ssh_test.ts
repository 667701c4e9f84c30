/**
 * ssh operations beyond pyinfra's cases: hostile hostnames, users, file names and
 * commands stay one argument each, ports are checked before any command exists, and
 * keyscan replaces a known key with `force`. (No real runs: they need a second SSH host.)
 */
import * as ssh from "../../src/operations/ssh.ts";
import { ArgumentError, OperationTypeError } from "../../src/core/errors.ts";
import { generateWith, sh } from "./_context.ts";
import { assertEquals, assertThrows } from "../_assert.ts";

const home = (known: boolean) => (name: string) => {
  if (name === "server.Home") return "/home/ops";
  if (name === "files.Directory") return { mode: 700 };
  if (name === "files.FindInFile") return known ? ["backup.internal ssh-ed25519 AAAA"] : [];
  return null;
};

Deno.test("ssh.command keeps a hostile command one argument to ssh", async () => {
  const command = `echo "$HOME" 'it''s' $(id) \`id\`; exit 3`;
  const { commands } = await generateWith(ssh.command, {
    hostname: "backup.internal",
    command,
    user: "o'p",
    port: 2222,
  });
  assertEquals(commands, [
    `ssh -p 2222 'o'"'"'p@backup.internal' 'echo "$HOME" '"'"'it'"'"''"'"'s'"'"' $(id) \`id\`; exit 3'`,
  ]);
  // A real shell hands ssh exactly that text as its last argument.
  const words = await sh(
    `set -- ${(commands[0] as string).slice(4)}; for w; do printf '%s\\n' "$w"; done`,
    "/",
  );
  assertEquals(words.stdout.split("\n").slice(-2, -1), [command]);
});

Deno.test("ssh.keyscan replaces a known host key only with force", async () => {
  const known = await generateWith(ssh.keyscan, { hostname: "backup.internal" }, {
    facts: home(true),
  });
  assertEquals([known.commands, known.noop], [
    [],
    "host key for backup.internal already exists",
  ]);
  const forced = await generateWith(ssh.keyscan, {
    hostname: "backup.internal",
    force: true,
    port: 2222,
  }, { facts: home(true) });
  assertEquals(forced.commands, [
    "ssh-keygen -R backup.internal",
    "ssh-keyscan -p 2222 backup.internal >> /home/ops/.ssh/known_hosts",
  ]);
});

Deno.test("ssh.upload with sudo copies to a temporary file, then moves it", async () => {
  const { commands } = await generateWith(ssh.upload, {
    hostname: "backup.internal",
    filename: "/var/backups/db 1.gz",
    remoteFilename: "/srv/db.gz",
    user: "ops",
    useRemoteSudo: true,
  });
  assertEquals(commands, [
    "scp -P 22 '/var/backups/db 1.gz' ops@backup.internal:/tmp/tsinfra-unit-temp",
    "ssh -p 22 ops@backup.internal 'sudo mv /tmp/tsinfra-unit-temp /srv/db.gz'",
  ]);
});

Deno.test("ssh.download refuses a local destination that is not a file", async () => {
  const facts = (name: string) => (name === "files.File" ? false : null);
  await generateWith(ssh.download, { hostname: "h", filename: "/x", localFilename: "/srv" }, {
    facts,
  }).then(
    () => {
      throw new Error("expected an error");
    },
    (error: Error) =>
      assertEquals(error.message, "Local destination /srv already exists and is not a file"),
  );
});

Deno.test("ssh operations check the port and hostname before making commands", () => {
  for (
    const [op, args] of [
      [ssh.command, { hostname: "h", command: "id", port: "22; id" }],
      [ssh.keyscan, { hostname: "h", port: 0 }],
      [ssh.upload, { hostname: "h", filename: "/x", port: 70000 }],
      [ssh.download, { hostname: "", filename: "/x" }],
    ] as const
  ) {
    const error = assertThrows(
      () => op.splitArguments(args as unknown as Record<string, unknown>, "test"),
      /port must be (a whole number|number)|hostname must be a non-empty string/,
    );
    // The option-type check (ArgumentError) or the operation's own (OperationTypeError).
    assertEquals(
      error instanceof OperationTypeError || error instanceof ArgumentError,
      true,
      op.operationName,
    );
  }
  ssh.command.splitArguments({ hostname: "h", command: "id", port: 2222 }, "test");
});

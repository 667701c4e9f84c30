/**
 * The shared command wrapping: the text is pyinfra's `make_unix_command`'s for the same
 * arguments, and every value survives a real `sh -c` byte for byte.
 */
import * as path from "node:path";
import { type ConnectorArguments, GLOBAL_ARGUMENT_DEFAULTS } from "../../src/core/arguments.ts";
import { mask, quote, raw, sh, StringCommand } from "../../src/core/command.ts";
import { ArgumentError } from "../../src/core/errors.ts";
import {
  needsAskpass,
  successful,
  SUDO_ASKPASS_ENV_VAR,
  sudoAskpassCleanup,
  sudoAskpassSetup,
  sudoPasswordOf,
  wrapCommand,
} from "../../src/core/wrap.ts";
import { assertEquals, assertThrows } from "../_assert.ts";

function check(condition: boolean, message?: string): void {
  assertEquals(condition, true, message);
}

function argsOf(extra: Partial<ConnectorArguments>): ConnectorArguments {
  return { ...GLOBAL_ARGUMENT_DEFAULTS, ...extra };
}

/** Name, command, arguments, raw text, askpass path, masked text (when not the raw). */
type Case = [
  name: string,
  command: string,
  args: Partial<ConnectorArguments>,
  raw: string,
  askpassPath?: string | null,
  masked?: string,
];

/**
 * Expected texts produced by running pyinfra's own `make_unix_command` (pyinfra/connectors
 * /util.py at the mirrored HEAD) on the same arguments, translated to pyinfra's names
 * (`_sudoUser` -> `_sudo_user`, `_su: true` -> `_su_user="root"`, the askpass path ->
 * `_sudo_askpass_path`); our helper's variable is TSINFRA_SUDO_PASSWORD where pyinfra's
 * is PYINFRA_SUDO_PASSWORD.
 */
const SAME_AS_PYINFRA: Case[] = [
  ["no arguments: sh -c with the command quoted", "echo Šablony", {}, "sh -c 'echo Šablony'"],
  ["a command of safe characters only stays bare", "uptime", {}, "sh -c uptime"],
  ["doas", "uptime", { _doas: true }, "doas -n sh -c uptime"],
  [
    "doas as a user",
    "uptime",
    { _doas: true, _doasUser: "pyinfra" },
    "doas -n -u pyinfra sh -c uptime",
  ],
  ["sudo", "uptime", { _sudo: true }, "sudo -H -n sh -c uptime"],
  [
    "sudo keeping the environment",
    "echo hi",
    { _sudo: true, _preserveSudoEnv: true },
    "sudo -H -n -E sh -c 'echo hi'",
  ],
  [
    "sudo with a login shell",
    "uptime",
    { _sudo: true, _useSudoLogin: true },
    "sudo -H -n -i sh -c uptime",
  ],
  [
    "sudo as a user",
    "uptime",
    { _sudo: true, _sudoUser: "pyinfra" },
    "sudo -H -n -u pyinfra sh -c uptime",
  ],
  ["sudo flags in pyinfra's order: -H -n -i -E -u", "uptime", {
    _sudo: true,
    _useSudoLogin: true,
    _preserveSudoEnv: true,
    _sudoUser: "app",
  }, "sudo -H -n -i -E -u app sh -c uptime"],
  ["_sudoUser without _sudo is ignored", "uptime", { _sudoUser: "app" }, "sh -c uptime"],
  ["su as a user", "uptime", { _suUser: "pyinfra" }, "su pyinfra -c 'sh -c uptime'"],
  [
    "su quotes the whole shell command once more",
    "echo hi",
    { _suUser: "pyinfra" },
    "su pyinfra -c 'sh -c '\"'\"'echo hi'\"'\"''",
  ],
  [
    "su with a login shell",
    "uptime",
    { _suUser: "pyinfra", _useSuLogin: true },
    "su -l pyinfra -c 'sh -c uptime'",
  ],
  [
    "su keeping the environment",
    "uptime",
    { _suUser: "pyinfra", _preserveSuEnv: true },
    "su -m pyinfra -c 'sh -c uptime'",
  ],
  [
    "su with a shell found by which",
    "uptime",
    { _suUser: "pyinfra", _suShell: "bash" },
    "su -s `which bash` pyinfra -c 'sh -c uptime'",
  ],
  [
    "su with a shell given as a path",
    "uptime",
    { _suUser: "nobody", _suShell: "/bin/sh" },
    "su -s `which /bin/sh` nobody -c 'sh -c uptime'",
  ],
  ["su flags in pyinfra's order: -l -m -s", "uptime", {
    _suUser: "app",
    _useSuLogin: true,
    _preserveSuEnv: true,
    _suShell: "sh",
  }, "su -l -m -s `which sh` app -c 'sh -c uptime'"],
  ["_su alone is su to root", "uptime", { _su: true }, "su root -c 'sh -c uptime'"],
  ["_suUser wins over _su", "uptime", { _su: true, _suUser: "app" }, "su app -c 'sh -c uptime'"],
  ["env is exported inside the shell", "uptime", {
    _env: { key: "value", anotherkey: "anothervalue" },
  }, 'sh -c \'export "key=value" "anotherkey=anothervalue" && uptime\''],
  [
    "env values with spaces and quotes",
    "env",
    { _env: { A: "two words", B: "it's" } },
    'sh -c \'export "A=two words" "B=it\'"\'"\'s" && env\'',
  ],
  [
    "env value with a backslash that needs no escape",
    "env",
    { _env: { A: "C:\\dir" } },
    "sh -c 'export \"A=C:\\dir\" && env'",
  ],
  ["chdir", "uptime", { _chdir: "/opt/somedir" }, "sh -c 'cd /opt/somedir && uptime'"],
  ["chdir to the home folder", "pwd", { _chdir: "~/app" }, "sh -c 'cd ~/app && pwd'"],
  [
    "chdir then env: cd comes first",
    "uptime",
    { _chdir: "/srv", _env: { A: "1" } },
    "sh -c 'cd /srv && export \"A=1\" && uptime'",
  ],
  ["another shell executable", "uptime", { _shellExecutable: "bash" }, "bash -c uptime"],
  [
    "a shell executable with a flag",
    "uptime",
    { _shellExecutable: "bash -l" },
    "bash -l -c uptime",
  ],
  [
    "pyinfra's mixed case: sudo, su, bash, chdir and env",
    "echo hi",
    {
      _chdir: "/opt/somedir",
      _env: { key: "value" },
      _sudo: true,
      _sudoUser: "root",
      _preserveSudoEnv: true,
      _suUser: "pyinfra",
      _shellExecutable: "bash",
    },
    "sudo -H -n -E -u root su pyinfra -c 'bash -c '\"'\"'cd /opt/somedir && export \"key=value\" && echo hi'\"'\"''",
  ],
  ["doas, then sudo, then su", "id", {
    _doas: true,
    _doasUser: "a",
    _sudo: true,
    _sudoUser: "b",
    _suUser: "c",
  }, "doas -n -u a sudo -H -n -u b su c -c 'sh -c id'"],
  [
    "sudo with a password: env, askpass, -A -k",
    "id -un",
    { _sudo: true, _sudoPassword: "s3cret" },
    "IFS= read -r TSINFRA_SUDO_PASSWORD && export TSINFRA_SUDO_PASSWORD && env SUDO_ASKPASS=/tmp/tsinfra-sudo-askpass-abc sudo -H -A -k sh -c 'id -un'",
    "/tmp/tsinfra-sudo-askpass-abc",
  ],
  [
    "sudo with a password, a login shell and a user",
    "id -un",
    {
      _sudo: true,
      _sudoPassword: "s3cret",
      _useSudoLogin: true,
      _preserveSudoEnv: true,
      _sudoUser: "app",
    },
    // With -E the command's own environment would hold the password: it is unset first.
    "IFS= read -r TSINFRA_SUDO_PASSWORD && export TSINFRA_SUDO_PASSWORD && env SUDO_ASKPASS=/tmp/tsinfra-sudo-askpass-abc sudo -H -A -k -i -E -u app sh -c 'unset TSINFRA_SUDO_PASSWORD ; id -un'",
    "/tmp/tsinfra-sudo-askpass-abc",
  ],
  [
    "doas before the askpass env of sudo",
    "id",
    { _doas: true, _sudo: true, _sudoPassword: "s3cret" },
    "IFS= read -r TSINFRA_SUDO_PASSWORD && export TSINFRA_SUDO_PASSWORD && doas -n env SUDO_ASKPASS=/tmp/ap sudo -H -A -k sh -c id",
    "/tmp/ap",
  ],
  [
    "sudo with a password then su",
    "id",
    { _sudo: true, _sudoPassword: "s3cret", _suUser: "app", _suShell: "bash" },
    "IFS= read -r TSINFRA_SUDO_PASSWORD && export TSINFRA_SUDO_PASSWORD && env SUDO_ASKPASS=/tmp/ap sudo -H -A -k su -s `which bash` app -c 'sh -c id'",
    "/tmp/ap",
  ],
  [
    "a password without _sudo is not used",
    "id",
    { _sudoPassword: "s3cret" },
    "sh -c id",
    "/tmp/ap",
  ],
  ["run-control arguments do not change the text", "echo hi", {
    _timeout: 5,
    _getPty: true,
    _stdin: "x",
    _successExitCodes: [0, 1],
  }, "sh -c 'echo hi'"],
];

/**
 * Where pyinfra's text would break or run something else, the value is quoted instead
 * (pyinfra's text in each comment).
 */
const QUOTED_WHERE_PYINFRA_IS_NOT: Case[] = [
  // sh -c 'export "A=$HOME" && env': pyinfra's shell expands the value.
  [
    "a $ in an env value is taken literally",
    "env",
    { _env: { A: "$HOME" } },
    `sh -c 'export "A=\\$HOME" && env'`,
  ],
  // sh -c 'export "A=say "hi"" && env'
  [
    "double quotes in an env value are escaped",
    "env",
    { _env: { A: 'say "hi"' } },
    `sh -c 'export "A=say \\"hi\\"" && env'`,
  ],
  // sh -c 'export "A=dir\" && env': the closing quote would be escaped.
  [
    "a trailing backslash in an env value is escaped",
    "env",
    { _env: { A: "dir\\" } },
    `sh -c 'export "A=dir\\\\" && env'`,
  ],
  // sh -c 'cd /srv/my app && pwd'
  [
    "a chdir folder with a space is quoted",
    "pwd",
    { _chdir: "/srv/my app" },
    `sh -c 'cd '"'"'/srv/my app'"'"' && pwd'`,
  ],
  // (pyinfra has the same ~ handling only because it quotes nothing)
  [
    "the ~ of a chdir stays unquoted, the rest is quoted",
    "pwd",
    { _chdir: "~/my app" },
    `sh -c 'cd ~/'"'"'my app'"'"' && pwd'`,
  ],
  // sudo -H -n -u a b sh -c id
  [
    "a user name is quoted",
    "id",
    { _sudo: true, _sudoUser: "a b" },
    "sudo -H -n -u 'a b' sh -c id",
  ],
  // su -s `which my sh` app -c 'sh -c id'
  [
    "the su shell is quoted inside which",
    "id",
    { _suUser: "app", _suShell: "my sh" },
    "su -s `which 'my sh'` app -c 'sh -c id'",
  ],
  // env SUDO_ASKPASS=/tmp/ap PYINFRA_SUDO_PASSWORD=it's a $pw sudo -H -A -k sh -c id
  [
    "the sudo password is not in the text at all (it goes to stdin)",
    "id",
    { _sudo: true, _sudoPassword: "it's a $pw" },
    `IFS= read -r TSINFRA_SUDO_PASSWORD && export TSINFRA_SUDO_PASSWORD && env SUDO_ASKPASS=/tmp/ap sudo -H -A -k sh -c id`,
    "/tmp/ap",
  ],
  // sudo -H -A -k sh -c id: sudo would then fail on the missing askpass helper.
  ["a sudo password without the askpass helper is not used: sudo -n fails at once", "id", {
    _sudo: true,
    _sudoPassword: "s3cret",
  }, "sudo -H -n sh -c id"],
  // bash;id -c id
  [
    "shell metacharacters in the shell executable are quoted",
    "id",
    { _shellExecutable: "bash;id" },
    "'bash;id' -c id",
  ],
];

for (
  const [group, cases] of [
    ["as pyinfra", SAME_AS_PYINFRA],
    ["quoted", QUOTED_WHERE_PYINFRA_IS_NOT],
  ] as const
) {
  Deno.test(`wrapCommand gives pyinfra's text (${group})`, async (t) => {
    for (const [name, command, args, raw, askpassPath, masked] of cases) {
      await t.step(name, () => {
        const wrapped = wrapCommand(new StringCommand([command]), argsOf(args), {
          askpassPath: askpassPath ?? undefined,
        });
        assertEquals(wrapped.raw(), raw);
        assertEquals(wrapped.masked(), masked ?? raw);
      });
    }
  });
}

Deno.test("wrapCommand takes the askpass path as a plain string too (host.ts's form)", () => {
  const args = argsOf({ _sudo: true, _sudoPassword: "pw" });
  const command = new StringCommand(["id"]);
  assertEquals(
    wrapCommand(command, args, "/tmp/ap").raw(),
    wrapCommand(command, args, { askpassPath: "/tmp/ap" }).raw(),
  );
});

Deno.test("wrapCommand refuses an env variable name that is not a shell name", () => {
  for (const name of ["A B", "1A", "A=B", 'A"; id; "', ""]) {
    assertThrows(
      () => wrapCommand(new StringCommand(["env"]), argsOf({ _env: { [name]: "x" } })),
      /Invalid environment variable name in _env/,
    );
  }
  const error = assertThrows(() =>
    wrapCommand(new StringCommand(["env"]), argsOf({ _env: { "A-B": "x" } }))
  );
  check(error instanceof ArgumentError);
});

Deno.test("wrapCommand takes masked values out of the command line, onto standard input", () => {
  const command = new StringCommand(["curl", "-H", quote("X: 1"), mask("t0ken")]);
  for (const extra of [{}, { _suUser: "app" }, { _sudo: true, _env: { A: "1" } }]) {
    const wrapped = wrapCommand(command, argsOf(extra));
    check(!wrapped.raw().includes("t0ken"), wrapped.raw());
    check(wrapped.raw().includes("__tsinfra_m1"), wrapped.raw());
    assertEquals(wrapped.secretInput, "t0ken\n");
  }
  // With a sudo password: its line first (read by the outer shell), then the values.
  const withPassword = wrapCommand(
    new StringCommand(["echo", quote(mask("two\nlines\\"))]),
    argsOf({ _sudo: true, _sudoPassword: "pw" }),
    { askpassPath: "/tmp/askpass" },
  );
  assertEquals(withPassword.secretInput, "pw\ntwo\\nlines\\\\\n");
  check(!withPassword.raw().includes("two"), withPassword.raw());
  // Masked shell text and masks inside a quoted sub-command stay where they are.
  const kept = wrapCommand(
    new StringCommand([mask(raw("a && b")), quote(new StringCommand(["x", mask("deep")]))]),
    argsOf({}),
  );
  check(kept.raw().includes("a && b") && kept.raw().includes("deep"), kept.raw());
  assertEquals(kept.secretInput, undefined);
});

Deno.test("sealed masked values reach the command byte for byte through a real sh", async () => {
  for (
    const value of ["plain", "two\nlines\n", "back\\slash\\c %s", "$(id) `id` 'q' \"d\"", "\r\n"]
  ) {
    const wrapped = wrapCommand(sh`printf '%s' ${mask(value)}`, argsOf({}));
    check(!wrapped.raw().includes(value), wrapped.raw());
    const out = await new Deno.Command("sh", {
      args: ["-c", wrapped.raw()],
      stdin: "piped",
      stdout: "piped",
    }).spawn();
    const writer = out.stdin.getWriter();
    await writer.write(new TextEncoder().encode(wrapped.secretInput ?? ""));
    await writer.close();
    assertEquals(new TextDecoder().decode((await out.output()).stdout), value);
  }
});

const HOSTILE = [
  "plain",
  "it's",
  "''",
  'say "hi"',
  '""',
  "$(touch /tmp/tsinfra-pwned)",
  "`touch /tmp/tsinfra-pwned`",
  "$HOME ${PATH} $1 $@ $$",
  "new\nline\n",
  "\r\n",
  "back\\slash\\",
  "\\",
  "\\n\\t\\'",
  "tab\there",
  "Šablony ☃ 日本語 😀",
  "*",
  "glob * ? [a-z] {a,b}",
  "~root",
  "-n",
  "--",
  "a;b|c&d>e<f",
  "(sub) {brace}",
  "#comment",
  "!event",
  "%s %n %%",
  "  leading and trailing  ",
  "",
];

/** Argument sets that change the wrapping and can all run here (as root). */
function runnableArgSets(): [string, Partial<ConnectorArguments>][] {
  const sets: [string, Partial<ConnectorArguments>][] = [
    ["plain", {}],
    ["env", { _env: { A: "it's $(x)", B: "b" } }],
    ["chdir", { _chdir: "/" }],
    ["bash", { _shellExecutable: "bash" }],
    ["everything but sudo/su", {
      _env: { A: "`x`" },
      _chdir: "/tmp",
      _shellExecutable: "bash",
    }],
  ];
  if (Deno.uid() === 0) {
    sets.push(
      ["sudo", { _sudo: true }],
      ["sudo -u nobody, login", { _sudo: true, _sudoUser: "nobody", _preserveSudoEnv: true }],
      ["su", { _su: true, _suShell: "/bin/sh" }],
      ["su nobody", { _suUser: "nobody", _suShell: "sh", _env: { A: "1" } }],
      ["sudo then su", { _sudo: true, _suUser: "nobody", _suShell: "/bin/sh", _chdir: "/" }],
    );
  }
  return sets;
}

async function shell(text: string): Promise<{ code: number; stdout: Uint8Array; stderr: string }> {
  const output = await new Deno.Command("sh", {
    args: ["-c", text],
    cwd: "/",
    stdin: "null",
  }).output();
  return {
    code: output.code,
    stdout: output.stdout,
    stderr: new TextDecoder().decode(output.stderr),
  };
}

const encode = (text: string) => new TextEncoder().encode(text);

Deno.test("hostile strings come back byte for byte through wrapCommand and a real sh -c", async (t) => {
  if (Deno.uid() !== 0 && Deno.env.get("CI") === "true") {
    throw new Error("CI=true: these tests must run as root to cover sudo and su");
  }
  await Deno.remove("/tmp/tsinfra-pwned").catch(() => {});
  for (const [name, extra] of runnableArgSets()) {
    await t.step(name, async () => {
      for (const value of HOSTILE) {
        const wrapped = wrapCommand(sh`printf '%s' ${value}`, argsOf(extra));
        const output = await shell(wrapped.raw());
        assertEquals(output.code, 0, `${wrapped.raw()}: ${output.stderr}`);
        assertEquals(output.stdout, encode(value), wrapped.raw());
      }
    });
  }
  assertEquals(await exists("/tmp/tsinfra-pwned"), false);
});

Deno.test("hostile env values reach the command unchanged", async () => {
  for (const value of HOSTILE) {
    for (const extra of [{}, Deno.uid() === 0 ? { _sudo: true, _preserveSudoEnv: true } : {}]) {
      const wrapped = wrapCommand(
        new StringCommand([`printf '%s' "$TSINFRA_TEST_VALUE"`]),
        argsOf({ ...extra, _env: { TSINFRA_TEST_VALUE: value } }),
      );
      const output = await shell(wrapped.raw());
      assertEquals(output.code, 0, output.stderr);
      assertEquals(output.stdout, encode(value), wrapped.raw());
    }
  }
  assertEquals(await exists("/tmp/tsinfra-pwned"), false);
});

Deno.test("hostile chdir folders are entered, whatever their names", async () => {
  const root = await Deno.makeTempDir({ prefix: "tsinfra-wrap-" });
  try {
    for (const value of HOSTILE.filter((v) => v && v !== "--" && !v.includes("/"))) {
      const dir = path.join(root, value);
      await Deno.mkdir(dir, { recursive: true });
      const wrapped = wrapCommand(
        new StringCommand([`printf '%s' "$PWD"`]),
        argsOf({ _chdir: dir }),
      );
      const output = await shell(wrapped.raw());
      assertEquals(output.code, 0, `${wrapped.raw()}: ${output.stderr}`);
      assertEquals(output.stdout, encode(dir), wrapped.raw());
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a chdir to ~/folder goes to the home folder of the user running the command", async () => {
  const home = Deno.env.get("HOME");
  if (!home) throw new Error("HOME is not set");
  const name = `tsinfra-wrap-${crypto.randomUUID()}`;
  await Deno.mkdir(path.join(home, name));
  try {
    const wrapped = wrapCommand(
      new StringCommand([`printf '%s' "$PWD"`]),
      argsOf({ _chdir: `~/${name}` }),
    );
    const output = await shell(wrapped.raw());
    assertEquals(new TextDecoder().decode(output.stdout), path.join(home, name));
  } finally {
    await Deno.remove(path.join(home, name));
  }
});

Deno.test("successful follows _successExitCodes, 0 only when they are missing or empty", () => {
  const cases: [number, number[] | undefined, boolean][] = [
    [0, undefined, true],
    [1, undefined, false],
    [0, [], true],
    [2, [], false],
    [1, [0, 1], true],
    [0, [1], false],
    [-1, [0], false],
    [-1, [-1], true],
  ];
  for (const [code, codes, expected] of cases) {
    assertEquals(successful(code, { _successExitCodes: codes }), expected, `${code} ${codes}`);
  }
  assertEquals(successful(0, argsOf({})), true);
});

Deno.test("the sudo password comes from _sudoPassword or a _useSudoPassword string", () => {
  assertEquals(sudoPasswordOf({ _sudoPassword: "a" }), "a");
  assertEquals(sudoPasswordOf({ _useSudoPassword: "b" }), "b");
  assertEquals(sudoPasswordOf({ _sudoPassword: "a", _useSudoPassword: "b" }), "a");
  assertEquals(sudoPasswordOf({ _useSudoPassword: true }), undefined);
  assertEquals(sudoPasswordOf({ _sudoPassword: "" }), undefined);
  assertEquals(needsAskpass({ _sudo: true, _useSudoPassword: "b" }), true);
  assertEquals(needsAskpass({ _sudo: true, _useSudoPassword: true }), false);
  assertEquals(needsAskpass({ _sudo: false, _sudoPassword: "a" }), false);
});

Deno.test("the askpass helper prints the password from the environment and is removed after", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tsinfra wrap askpass " });
  try {
    for (const setup of [sudoAskpassSetup({ tempDir: dir }), sudoAskpassSetup()]) {
      const created = await shell(setup.raw());
      assertEquals(created.code, 0, created.stderr);
      const helper = new TextDecoder().decode(created.stdout).split("\n")[0];
      check(helper.includes("tsinfra-sudo-askpass-"), helper);
      assertEquals((await Deno.stat(helper)).mode! & 0o777, 0o755);
      // The helper holds no secret: only a reference to the variable.
      check(!(await Deno.readTextFile(helper)).includes("s3cret"));
      for (const password of ["s3cret", 'it\'s a "$pw" `x` \\']) {
        const asked = await shell(
          new StringCommand([
            "env",
            quote(`${SUDO_ASKPASS_ENV_VAR}=${password}`),
            quote(helper),
            quote("[sudo] password for x: "),
          ]).raw(),
        );
        assertEquals(new TextDecoder().decode(asked.stdout), `${password}\n`);
      }
      const removed = await shell(sudoAskpassCleanup(helper).raw());
      assertEquals(removed.code, 0);
      assertEquals(await exists(helper), false);
    }
    check(
      sudoAskpassSetup({ tempDir: dir }).raw().includes(
        `'${dir}/tsinfra-sudo-askpass-XXXXXXXXXXXX'`,
      ),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function exists(file: string): Promise<boolean> {
  try {
    await Deno.lstat(file);
    return true;
  } catch {
    return false;
  }
}

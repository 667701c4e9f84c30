/**
 * Server operations beyond pyinfra's cases: hostile names, paths and values stay one
 * argument (checked through a real `sh -c`), crontab edits round-trip through a fake
 * crontab (in a script, and through the engine with its private temporary file), and the
 * places where tsinfra is stricter than pyinfra.
 */
import * as path from "node:path";
import {
  crontab,
  group,
  hostname,
  locale,
  modprobe,
  mount,
  reboot,
  securityLimit,
  sysctl,
  user,
  userAuthorizedKeys,
  wait,
} from "../../src/operations/server.ts";
import { waitAndReconnect } from "../../src/operations/server/reboot.ts";
import { Crontab } from "../../src/facts/server/system.ts";
import {
  defineOperation,
  type Operation,
  type OperationContext,
} from "../../src/core/operation.ts";
import { sh as shTag } from "../../src/core/command.ts";
import type { Fact, FactArgs } from "../../src/core/fact.ts";
import { GLOBAL_ARGUMENT_DEFAULTS, type GlobalArgumentsInput } from "../../src/core/arguments.ts";
import { DiskFiles } from "../../src/core/local_files.ts";
import { commandToJson } from "../../scripts/fixtures/cases.ts";
import { generateLocally, sh } from "./_context.ts";
import { run as runApi } from "../../src/runner/api.ts";
import {
  assertEquals,
  assertMatch,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "../_assert.ts";

/** Fact values by fact name: a value, or a function of the fact's arguments. */
type FactTable = Record<string, unknown>;

interface Run {
  commands: unknown[];
  noop?: string;
  /** Every fact read, as `name(args-json)`. */
  asked: string[];
}

/** Runs an operation's generator against a table of facts (missing facts read as null). */
async function run<A>(op: Operation<A>, args: A, facts: FactTable = {}, cwd = "/"): Promise<Run> {
  const asked: string[] = [];
  let noop: string | undefined;
  const ctx: OperationContext = {
    host: {
      name: "test",
      data: {},
      groups: [],
      getFact<T, F extends FactArgs>(fact: Fact<T, F>, factArgs: Partial<F> = {}): Promise<T> {
        asked.push(`${fact.name}(${JSON.stringify(factArgs)})`);
        const entry = facts[fact.name];
        const value = typeof entry === "function" ? entry(factArgs) : entry;
        return Promise.resolve((value === undefined ? null : value) as T);
      },
    },
    globals: { ...GLOBAL_ARGUMENT_DEFAULTS },
    local: new DiskFiles(cwd),
    noop: (reason) => (noop = reason),
    tempFilename: () => "/tmp/tsinfra-temp",
    privateTempFilename: () => "/tmp/tsinfra-temp",
    timestamp: () => "a-timestamp",
    templateGlobals: {},
  };
  const commands: unknown[] = [];
  for await (const command of op.generate(args, ctx)) commands.push(commandToJson(command));
  return { commands, noop, asked };
}

/**
 * Runs `command` with each of `programs` replaced by a shell function that prints its
 * arguments, and returns every call's argv (program name first).
 */
async function argvOf(command: string, programs: string[]): Promise<string[][]> {
  const fakes = programs.map((p) => `${p}() { printf '%s\\037' ${p} "$@"; printf '\\036'; }`);
  const result = await sh(`${fakes.join("\n")}\n${command}`, "/");
  assertEquals(result.code, 0, result.stderr);
  return result.stdout.split("\x1e").filter(Boolean).map((call) => call.split("\x1f").slice(0, -1));
}

const HOSTILE = `x'; touch /tmp/tsinfra-pwned; echo "$(id)" \`id\` & |`;

Deno.test("server.user keeps a hostile user name, home, shell and groups one argument each", async () => {
  const { commands } = await run(user, {
    user: HOSTILE,
    home: `/home/${HOSTILE}`,
    shell: "/bin/my shell",
    groups: ["a b", "c;d"],
    comment: HOSTILE,
    ensureHome: false,
  }, { "server.Users": {}, "server.Groups": [], "server.Os": "Linux" });
  const [argv] = await argvOf(commands[0] as string, ["useradd"]);
  assertEquals(argv, [
    "useradd",
    "-d",
    `/home/${HOSTILE}`,
    "-s",
    "/bin/my shell",
    "-G",
    "a b,c;d",
    "-c",
    HOSTILE,
    "-M",
    HOSTILE,
  ]);
});

Deno.test("server.user always single-quotes comment and password, as pyinfra writes them", async () => {
  const { commands } = await run(
    user,
    { user: "bob", comment: "Bob", password: "$6$salt$hash", ensureHome: false },
    { "server.Users": {}, "server.Groups": [], "server.Os": "Linux" },
  );
  assertEquals(commands, ["useradd -d /home/bob -c 'Bob' -M -p '$6$salt$hash' bob"]);
});

Deno.test("server.user treats a user named like an Object property as a new user", async () => {
  const { commands } = await run(
    user,
    { user: "constructor", ensureHome: false },
    { "server.Users": {}, "server.Groups": [], "server.Os": "Linux" },
  );
  assertEquals(commands, ["useradd -d /home/constructor -M constructor"]);
});

Deno.test("server.user on FreeBSD uses pw, and removing a missing user is a no-op", async () => {
  const facts = { "server.Users": {}, "server.Groups": ["web"], "server.Os": "FreeBSD" };
  const add = await run(user, { user: "web", uid: 1001, system: true, ensureHome: false }, facts);
  assertEquals(add.commands, ["pw useradd -n web -d /home/web -g web -u 1001 -M"]);
  const remove = await run(user, { user: "web", present: false }, facts);
  assertEquals([remove.commands, remove.noop], [[], "user web does not exist"]);
});

Deno.test("server.userAuthorizedKeys reads a key file relative to the deploy folder", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/deploy.pub`, "ssh-ed25519 AAAA deploy@laptop\n");
    const { commands } = await run(
      userAuthorizedKeys,
      {
        user: "deploy",
        publicKeys: ["deploy.pub", "  ssh-rsa BBBB literal  "],
        deleteKeys: true,
      },
      { "files.Directory": null, "files.File": null },
      dir,
    );
    assertEquals(commands.at(-3), [
      "upload",
      "ssh-ed25519 AAAA deploy@laptop\nssh-rsa BBBB literal\n",
      "/home/deploy/.ssh//authorized_keys",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("server.group quotes a hostile group name and gid", async () => {
  const { commands } = await run(group, { group: HOSTILE, gid: 1234 }, {
    "server.Groups": [],
    "server.Os": "Linux",
  });
  assertEquals(await argvOf(commands[0] as string, ["groupadd"]), [
    ["groupadd", HOSTILE, "--gid", "1234"],
  ]);
});

Deno.test("server.wait refuses a port that is not a number", () => {
  assertThrows(
    () => wait.splitArguments({ port: "80; reboot" }, "test"),
    /port must be (a )?number/,
  );
});

// --- crontab: the generated commands run against a fake `crontab` on a real file ------

const FAKE_CRONTAB = `crontab() {
  case "$1" in
    -l) cat "$CRONTAB_FILE" ;;
    -u) shift 2; crontab "$@" ;;
    -) cat > "$CRONTAB_FILE.new" && mv "$CRONTAB_FILE.new" "$CRONTAB_FILE" ;;
    *) cp "$1" "$CRONTAB_FILE" ;;
  esac
}`;

/** Generates crontab's commands from the file's current content, then runs them. */
async function cronRound(file: string, args: Parameters<typeof crontab.generate>[0]) {
  const text = await Deno.readTextFile(file);
  const lines = text.split("\n").filter((l, i, all) => l || i < all.length - 1);
  const facts = { "server.Crontab": Crontab.process(lines, {}) };
  const result = await run(crontab, args, facts);
  const script = result.commands.map((c) => String(c).replaceAll("/tmp/tsinfra-temp", "$TMPF"))
    .join(" &&\n");
  if (script) {
    // The temporary file starts empty and is removed afterwards, as the engine does.
    const out = await sh(
      `export CRONTAB_FILE='${file}' TMPF='${file}.tmp'\n${FAKE_CRONTAB}\n: > "$TMPF" &&\n${script}` +
        `\nstatus=$?; rm -f "$TMPF"; exit $status`,
      "/",
    );
    assertEquals(out.code, 0, out.stderr);
  }
  return { ...result, text: await Deno.readTextFile(file) };
}

Deno.test("server.crontab adds, edits and removes a hostile command, then changes nothing", async () => {
  const file = await Deno.makeTempFile();
  const command =
    `find /var/log -name '*.log' -mtime +7 -delete && echo "a&b [x] $HOME" | tee /tmp/o`;
  try {
    await Deno.writeTextFile(file, "0 1 * * * /usr/bin/other\n");
    const added = await cronRound(file, { command, hour: 2, minute: [0, 30] });
    assertEquals(added.text, `0 1 * * * /usr/bin/other\n0,30 2 * * * ${command}\n`);
    assertEquals((await cronRound(file, { command, hour: 2, minute: [0, 30] })).commands, []);

    const edited = await cronRound(file, { command, hour: "3", minute: "0,30" });
    assertEquals(edited.text, `0 1 * * * /usr/bin/other\n0,30 3 * * * ${command}\n`);
    // "3" and 3 are the same hour: no spurious edit (pyinfra compared str with int).
    assertEquals((await cronRound(file, { command, hour: 3, minute: "0,30" })).commands, []);

    const removed = await cronRound(file, { command, present: false });
    assertEquals(removed.text, `0 1 * * * /usr/bin/other\n\n`);
    const again = await cronRound(file, { command, present: false });
    assertEquals([again.commands, again.noop], [[], `crontab ${command} does not exist`]);
  } finally {
    await Deno.remove(file);
    await Deno.remove(`${file}.tmp`).catch(() => {});
  }
});

Deno.test("server.crontab with a name replaces the named entry when its command changes", async () => {
  const file = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(file, "");
    await cronRound(file, { command: "/opt/backup --v1", cronName: "backup", hour: 1, minute: 0 });
    const second = await cronRound(file, {
      command: "/opt/backup --v2",
      cronName: "backup",
      hour: 1,
      minute: 0,
    });
    assertEquals(second.text, "# pyinfra-name=backup\n0 1 * * * /opt/backup --v2\n");
  } finally {
    await Deno.remove(file);
    await Deno.remove(`${file}.tmp`).catch(() => {});
  }
});

Deno.test("server.crontab edits only the entry's line when a comment or a longer command holds its command", async () => {
  const file = await Deno.makeTempFile();
  const others = "# pyinfra-name=/opt/backup\n0 1 * * * /opt/backup --full\n";
  const comment = "# /opt/backup runs at night\n";
  try {
    await Deno.writeTextFile(file, `${others}0 2 * * * /opt/backup\n${comment}`);
    const job = { command: "/opt/backup", hour: 3, minute: 0 };
    const edited = await cronRound(file, job);
    // pyinfra's `.*/opt/backup.*` would have rewritten all four lines.
    assertStringIncludes(String(edited.commands[1]), "/^[[:space:]]*#/!s/");
    assertEquals(edited.text, `${others}0 3 * * * /opt/backup\n${comment}`);
    assertEquals((await cronRound(file, job)).commands, []);
    const removed = await cronRound(file, { command: "/opt/backup", present: false });
    assertEquals(removed.text, `${others}\n${comment}`);
  } finally {
    await Deno.remove(file);
    await Deno.remove(`${file}.tmp`).catch(() => {});
  }
});

Deno.test("server.crontab: an unchanged special_time entry is a no-op (pyinfra always edited it)", async () => {
  const facts = {
    "server.Crontab": { "/opt/boot": { special_time: "@reboot", comments: [] } },
  };
  const same = await run(crontab, { command: "/opt/boot", specialTime: "@reboot" }, facts);
  assertEquals([same.commands, same.noop], [[], "crontab /opt/boot exists"]);
  const timed = await run(crontab, { command: "/opt/boot", hour: 4 }, facts);
  assertEquals(timed.commands, [
    "crontab -l  > /tmp/tsinfra-temp",
    "sed -i.a-timestamp 's/.*\\/opt\\/boot.*/* 4 * * * \\/opt\\/boot/' /tmp/tsinfra-temp" +
    " && rm -f /tmp/tsinfra-temp.a-timestamp",
    "crontab  /tmp/tsinfra-temp",
  ]);
});

Deno.test("server.crontab passes the user to the fact and to crontab -u, quoted", async () => {
  const { commands, asked } = await run(crontab, { command: "true", user: "a b" }, {
    "server.Crontab": { "/x": { minute: 0, comments: [] } },
  });
  assertEquals(asked, ['server.Crontab({"user":"a b"})']);
  // The user's crontab is copied into the private temporary file, edited, installed.
  assertEquals(commands, [
    "crontab -l -u 'a b' > /tmp/tsinfra-temp",
    "echo '* * * * * true' >> /tmp/tsinfra-temp",
    "crontab -u 'a b' /tmp/tsinfra-temp",
  ]);
});

// --- crontab through the engine: the private temporary file ---------------------------

/**
 * A fake `crontab` program: `-l` prints $CRONTAB_FILE (and fails, as cron does, when there
 * is none, or when $CRONTAB_FAIL is `list` and its output goes to a file: the operation's
 * copy, not the fact); `crontab [-u USER] FILE` logs FILE's mode and type to $CRONTAB_LOG,
 * then installs it (or fails, when $CRONTAB_FAIL is `install`).
 */
const FAKE_CRONTAB_PROGRAM = `#!/bin/sh
if [ "$1" = -u ]; then shift 2; fi
case "$1" in
  -l)
    if [ ! -e "$CRONTAB_FILE" ] || { [ "$CRONTAB_FAIL" = list ] && [ -f /dev/stdout ]; }; then
      echo "no crontab for $(id -un)" >&2; exit 1
    fi
    cat "$CRONTAB_FILE" ;;
  *)
    stat -c '%a %F' "$1" >> "$CRONTAB_LOG"
    if [ "$CRONTAB_FAIL" = install ]; then echo "crontab: refused" >&2; exit 1; fi
    cat "$1" > "$CRONTAB_FILE" ;;
esac
`;

/** A folder with the fake crontab on PATH, the crontab, its log and a temporary folder. */
async function withFakeCron(
  fn: (cron: {
    dir: string;
    tmp: string;
    file: string;
    log: string;
    globals: GlobalArgumentsInput;
  }) => Promise<void>,
) {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "tsinfra-cron-" }));
  try {
    await Deno.mkdir(path.join(dir, "bin"));
    await Deno.mkdir(path.join(dir, "tmp"));
    await Deno.writeTextFile(path.join(dir, "bin", "crontab"), FAKE_CRONTAB_PROGRAM);
    await Deno.chmod(path.join(dir, "bin", "crontab"), 0o755);
    const file = path.join(dir, "crontab");
    const log = path.join(dir, "log");
    await Deno.writeTextFile(log, "");
    const tmp = path.join(dir, "tmp");
    const globals: GlobalArgumentsInput = {
      _tempDir: tmp,
      _env: {
        PATH: `${path.join(dir, "bin")}:${Deno.env.get("PATH")}`,
        CRONTAB_FILE: file,
        CRONTAB_LOG: log,
      },
    };
    await fn({ dir, tmp, file, log, globals });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Runs deploy code on @local; returns each operation's report and the host's round trips. */
async function runOnLocal(operations: () => void, globals: GlobalArgumentsInput) {
  const { report } = await runApi({ inventory: ["@local"], operations, globals });
  const local = report.hosts["@local"];
  return { operations: local.operations, roundTrips: local.stats.roundTrips };
}

/** The names in the temporary folder. */
async function tempNames(tmp: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(tmp))).map((e) => e.name).sort();
}

Deno.test("server.crontab edits in a private (600) temporary file, removed after success and after each kind of failure", async (t) => {
  const job = { command: "/usr/bin/backup --all", cronName: "backup", hour: 2, minute: 0 };
  const cases: {
    name: string;
    fail?: "list" | "install";
    extra?: GlobalArgumentsInput;
    success: boolean;
    installs: number;
  }[] = [
    { name: "success", success: true, installs: 1 },
    {
      name: "the copy of the crontab fails (first command)",
      fail: "list",
      success: false,
      installs: 0,
    },
    { name: "the install fails (last command)", fail: "install", success: false, installs: 1 },
    {
      // _retries sends each command on its own: creation and removal go on their own too.
      name: "the install fails, unbatched and retried",
      fail: "install",
      extra: { _retries: 1, _retryDelay: 0 },
      success: false,
      installs: 2,
    },
  ];
  for (const c of cases) {
    await t.step(c.name, () =>
      withFakeCron(async ({ tmp, file, log, globals }) => {
        await Deno.writeTextFile(file, "1 1 * * * /bin/true other\n");
        const env = { ...(globals._env as Record<string, string>), CRONTAB_FAIL: c.fail ?? "" };
        const { operations } = await runOnLocal(
          () => crontab(job),
          { ...globals, ...c.extra, _env: env },
        );
        assertEquals(operations.map((o) => o.success), [c.success], JSON.stringify(operations));
        // While crontab read it, the file was a private regular file ...
        assertEquals(await Deno.readTextFile(log), "600 regular file\n".repeat(c.installs));
        // ... and nothing is left of it, whichever command failed.
        assertEquals(await tempNames(tmp), []);
        assertEquals(
          await Deno.readTextFile(file),
          c.success
            ? "1 1 * * * /bin/true other\n\n# pyinfra-name=backup\n0 2 * * * /usr/bin/backup --all\n"
            : "1 1 * * * /bin/true other\n",
        );
      }));
  }
});

Deno.test("server.crontab costs one round trip for its commands, the temporary file's creation and removal included", async () => {
  await withFakeCron(async ({ file, globals }) => {
    await Deno.writeTextFile(file, "1 1 * * * /bin/true other\n");
    const job = { command: "/usr/bin/backup", hour: 2 };
    const first = await runOnLocal(() => crontab(job), globals);
    const second = await runOnLocal(() => crontab(job), globals);
    assertEquals(first.operations.map((o) => o.status), ["changed"]);
    assertEquals(second.operations.map((o) => o.status), ["noChange"]);
    // The changing run has exactly one round trip more than the one that reads the fact only.
    assertEquals(first.roundTrips - second.roundTrips, 1);
  });
});

Deno.test("a private temporary file is never one planted at its name: a link is not followed", async (t) => {
  // The name is random: a planted file is only possible for someone who read it from the
  // process list. This plants one where the name is known (in the generator) and checks
  // that the operation fails without writing through it.
  const names: string[] = [];
  const planted = defineOperation<{ victim: string; kind: "link" | "file" }>("test.planted", {
    argNames: ["victim", "kind"],
    async *generator({ victim, kind }, ctx) {
      const temp = ctx.privateTempFilename();
      names.push(temp);
      if (kind === "link") await Deno.symlink(victim, temp);
      else await Deno.writeTextFile(temp, "the attacker's");
      yield shTag`echo secret > ${temp}`;
    },
  });
  for (
    const [name, kind, victimText] of [
      ["a link to an existing file", "link", "victim\n"],
      ["a link to a missing file", "link", null],
      ["a file", "file", "victim\n"],
    ] as const
  ) {
    await t.step(name, () =>
      withFakeCron(async ({ dir, tmp, globals }) => {
        const victim = path.join(dir, "victim");
        if (victimText !== null) await Deno.writeTextFile(victim, victimText);
        const { operations } = await runOnLocal(() => planted({ victim, kind }), globals);
        assertEquals(operations.map((o) => o.success), [false]);
        assertStringIncludes(operations[0].error ?? "", "Cannot create the private temporary file");
        if (victimText === null) await assertRejects(() => Deno.lstat(victim));
        else assertEquals(await Deno.readTextFile(victim), victimText);
        for (const entry of await tempNames(tmp)) {
          // What prepare planted (at another random name) is left; execution's is removed.
          assertEquals(names.slice(0, -1).map((n) => path.basename(n)).includes(entry), true);
        }
      }));
  }
  // Every name is new: 160 random bits, never derived from a seed.
  assertEquals(new Set(names).size, names.length);
  for (const name of names) assertMatch(path.basename(name), /^tsinfra-[0-9a-f]{40}$/);
});

Deno.test("server.crontab writes a command with \\, &, /, .* and $(...) exactly, runs none of it, and changes nothing the second time", async () => {
  await withFakeCron(async ({ dir, tmp, file, globals }) => {
    const canary = path.join(dir, "canary");
    const command =
      `grep -E 'a.*b\\1' /var/log/x && echo "a&b \\\\n" $(touch ${canary}) \`touch ${canary}\` | sed 's/a/b/'`;
    await Deno.writeTextFile(file, 'MAILTO=""\n1 1 * * * /bin/true other\n');
    const steps: [string, Record<string, unknown>, string][] = [
      ["add", { hour: 1 }, `* 1 * * * ${command}`],
      ["edit", { hour: 2, minute: "*/5" }, `*/5 2 * * * ${command}`],
    ];
    const head = 'MAILTO=""\n1 1 * * * /bin/true other\n\n# pyinfra-name=job\n';
    for (const [step, times, line] of steps) {
      for (const [run, status] of [[1, "changed"], [2, "noChange"]] as const) {
        const { operations } = await runOnLocal(
          () => crontab({ command, cronName: "job", ...times }),
          globals,
        );
        assertEquals(operations.map((o) => o.status), [status], `${step}, run ${run}`);
        assertEquals(await Deno.readTextFile(file), `${head}${line}\n`, `${step}, run ${run}`);
      }
    }
    for (const [run, status] of [[1, "changed"], [2, "noChange"]] as const) {
      const { operations } = await runOnLocal(() => crontab({ command, present: false }), globals);
      assertEquals(operations.map((o) => o.status), [status], `remove, run ${run}`);
    }
    // As pyinfra, removal empties the entry's line.
    assertEquals(await Deno.readTextFile(file), `${head}\n`);
    await assertRejects(() => Deno.lstat(canary));
    assertEquals(await tempNames(tmp), []);
  });
});

// --- system settings ----------------------------------------------------------------

Deno.test("server.sysctl keeps a hostile value inside its single quotes", async () => {
  const { commands } = await run(sysctl, { key: "kernel.x", value: "1'; reboot; '" }, {
    "server.Sysctl": {},
  });
  assertEquals(await argvOf(commands[0] as string, ["sysctl"]), [
    ["sysctl", "kernel.x=1'; reboot; '"],
  ]);
});

Deno.test("server.sysctl: a current value of 0 or a matching list is a no-op", async () => {
  const zero = await run(sysctl, { key: "net.ipv4.ip_forward", value: 0 }, {
    "server.Sysctl": { "net.ipv4.ip_forward": 0 },
  });
  assertEquals([zero.commands, zero.noop], [[], "sysctl net.ipv4.ip_forward is set to 0"]);
  const list = await run(sysctl, { key: "net.ipv4.ip_local_port_range", value: ["1024", 65000] }, {
    "server.Sysctl": { "net.ipv4.ip_local_port_range": [1024, 65000] },
  });
  assertEquals(list.commands, []);
  const changed = await run(sysctl, { key: "vm.swappiness", value: 10 }, {
    "server.Sysctl": { "vm.swappiness": 60 },
  });
  assertEquals(changed.commands, ["sysctl vm.swappiness='10'"]);
});

Deno.test("server.mount quotes paths and remounts only for a missing option", async () => {
  const none = { "server.Mounts": {} };
  const { commands } = await run(mount, {
    path: "/mnt/my data",
    device: "//server/share name",
    fsType: "cifs",
    options: ["rw", "credentials=/etc/x y"],
  }, none);
  assertEquals(await argvOf(commands[0] as string, ["mount"]), [
    ["mount", "-t", "cifs", "-o", "rw,credentials=/etc/x y", "//server/share name", "/mnt/my data"],
  ]);
  const mounted = {
    "server.Mounts": { "/data": { device: "/dev/sdb1", type: "xfs", options: ["rw", "noatime"] } },
  };
  assertEquals((await run(mount, { path: "/data", options: ["noatime"] }, mounted)).commands, []);
  assertEquals(
    (await run(mount, { path: "/data", options: ["ro"] }, mounted)).commands,
    ["mount -o remount,ro /data"],
  );
  const unmounted = await run(mount, { path: "/data", mounted: false }, none);
  assertEquals(unmounted.noop, "filesystem /data is not mounted");
});

Deno.test("server.modprobe quotes module names and unloads only loaded ones", async () => {
  const facts = { "server.KernelModules": { loop: {} } };
  const removed = await run(
    modprobe,
    { module: ["loop", "x;y"], present: false, force: true },
    facts,
  );
  assertEquals(removed.commands, ["modprobe -f -r -a loop"]);
  const added = await run(modprobe, { module: ["loop", "x;y"] }, facts);
  assertEquals(added.commands, ["modprobe -a 'x;y'"]);
  // A module named like an Object property is not "loaded" by accident.
  assertEquals((await run(modprobe, { module: "toString" }, facts)).commands, [
    "modprobe -a toString",
  ]);
});

Deno.test("server.hostname: hostnameFile false writes no file; unknown OS writes none", async () => {
  const base = { "server.Hostname": "old", "server.Which": null };
  const off = await run(hostname, { hostname: "new host", hostnameFile: false }, base);
  assertEquals([off.commands, off.asked.some((a) => a.startsWith("server.Os"))], [
    ["hostname 'new host'"],
    false,
  ]);
  const bsd = await run(hostname, { hostname: "new" }, { ...base, "server.Os": "FreeBSD" });
  assertEquals(bsd.commands, ["hostname new"]);
  const ctl = await run(hostname, { hostname: "a;b" }, { ...base, "server.Which": "/bin/x" });
  assertEquals(ctl.commands, ["hostnamectl set-hostname 'a;b'"]);
});

Deno.test("server.securityLimit's pattern finds the entry with real grep, whatever the spacing", async () => {
  const { asked, commands } = await run(
    securityLimit,
    { domain: "*", limitType: "soft", item: "nofile", value: 65536 },
    {
      "files.FindInFile": (
        a: { pattern: string },
      ) => (a.pattern.startsWith("^\\*") ? ["*  soft  nofile 1024"] : null),
    },
  );
  const pattern = JSON.parse(asked[0].slice("files.FindInFile(".length, -1)).pattern as string;
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/limits.conf`,
      "# *\tsoft\tnofile\n@admin\tsoft\tnofile\t1\n*  soft   nofile 1024\n",
    );
    const grep = await sh(`grep -e '${pattern}' limits.conf`, dir);
    assertEquals(grep.stdout, "*  soft   nofile 1024\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  assertEquals(commands, [
    "sed -i.a-timestamp 's/^\\*[[:space:]][[:space:]]*soft[[:space:]][[:space:]]*nofile[[:space:]][[:space:]]*.*$/*\tsoft\tnofile\t65536/' /etc/security/limits.conf && rm -f /etc/security/limits.conf.a-timestamp",
  ]);
});

Deno.test("server.locale fails when the locale is missing or ambiguous in /etc/locale.gen", async () => {
  await assertRejects(
    () => run(locale, { locale: "xx_XX" }, { "server.Locales": [], "files.FindInFile": [] }),
    /^Locale xx_XX not found in \/etc\/locale.gen$/,
  );
  await assertRejects(
    () =>
      run(locale, { locale: "en_US" }, {
        "server.Locales": [],
        "files.FindInFile": ["# en_US ISO-8859-1", "# en_US.UTF-8 UTF-8"],
      }),
    /^Multiple locales matches for en_US in \/etc\/locale.gen$/,
  );
  const off = await run(locale, { locale: "de_DE.UTF-8", present: false }, {
    "server.Locales": ["de_DE.UTF-8"],
    "files.FindInFile": (a: { pattern: string }) =>
      a.pattern.includes("# ") ? [] : ["de_DE.UTF-8 UTF-8"],
  });
  assertEquals(off.commands, [
    "sed -i.a-timestamp 's/^de_DE.UTF-8 UTF-8$/# de_DE.UTF-8 UTF-8/' /etc/locale.gen && rm -f /etc/locale.gen.a-timestamp",
    "locale-gen",
  ]);
});

// --- reboot ---------------------------------------------------------------------------

Deno.test("server.reboot waits, polls until the host answers, and gives up after the timeout", async () => {
  let calls = 0;
  const context = {
    hostName: "h",
    run: () => {
      calls++;
      return Promise.resolve({ exitCode: calls < 3 ? -1 : 0, stdout: "", stderr: "" });
    },
  };
  await waitAndReconnect(context, 0, 0.001, 1);
  assertEquals(calls, 3);
  const down = {
    hostName: "h",
    run: () => Promise.reject(new Error("Lost the connection")),
  };
  await assertRejects(
    () => waitAndReconnect(down, 0, 0.001, 0.003),
    /^Server did not reboot in time \(reboot_timeout=0.003s\)$/,
  );
  assertThrows(() => reboot.splitArguments({ delay: "soon" }, "test"), /delay must be (a )?number/);
});

// --- real accounts (root only) ----------------------------------------------------------

Deno.test({
  name: "server.group and server.user create real accounts (root), then change nothing",
  ignore: Deno.uid() !== 0 && Deno.env.get("CI") !== "true",
  async fn() {
    const name = `tsinfra-g${Math.floor(Math.random() * 1e6)}`;
    const home = await Deno.makeTempDir({ prefix: "tsinfra-home-" });
    try {
      for (
        const command of (await generateLocally(group, { group: name, system: true })).commands
      ) {
        assertEquals((await sh(command as string, "/")).code, 0, String(command));
      }
      const args = {
        user: name,
        group: name,
        home: `${home}/${name}`,
        shell: "/bin/sh",
        system: true,
        comment: "Test User",
      };
      for (const command of (await generateLocally(user, args)).commands) {
        assertEquals((await sh(command as string, "/")).code, 0, String(command));
      }
      const entry = (await sh(`getent passwd ${name}`, "/")).stdout.trim().split(":");
      assertEquals([entry[0], entry[4], entry[5], entry[6]], [
        name,
        "Test User",
        `${home}/${name}`,
        "/bin/sh",
      ]);
      assertEquals((await generateLocally(group, { group: name, system: true })).commands, []);
      assertEquals((await generateLocally(user, args)).commands, []);
    } finally {
      await sh(`userdel ${name}; groupdel ${name}`, "/");
      await Deno.remove(home, { recursive: true });
    }
  },
});

/**
 * Secrets never show (issue 13, item 6): one deploy over @ssh as `deploypw`, with the
 * sudo password from `--sudo-password` in some runs and host data `_sudoPassword` in the
 * others, and `mask()`ed values in succeeding and failing commands, in failing fact reads
 * (a custom fact and `server.Command`) and as a template variable. It runs at every
 * verbosity × {run, --dry, --diff, --json}, and every byte of stdout and stderr (the
 * --json document included), every command line on the target (sampled as root while the
 * run lasts) and every command line on the controller is searched for each secret.
 *
 * @module
 */
import * as path from "node:path";
import { dockerTest, type Fleet, fleetUp } from "../../scripts/fleet/fleet.ts";
import { ROOT, run } from "../_cli.ts";
import { assertEquals } from "../_assert.ts";

/** A value that must never be shown. */
interface Secret {
  name: string;
  value: string;
}

/** One place where a secret was found. */
interface Leak {
  run: string;
  channel: string;
  secret: string;
  count: number;
  excerpt: string;
}

/** What one tsinfra run left, and what the controller's process lists showed meanwhile. */
interface Spawned {
  code: number;
  stdout: string;
  stderr: string;
  /** Command lines of other controller processes that held a secret. */
  controllerLines: string[];
  /** Occurrences of a secret in this run's own argv (`--sudo-password VALUE`). */
  ownArgv: number;
  /** Bytes of controller command lines read. */
  controllerBytes: number;
}

function token(name: string): string {
  return `tsx${name}${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
}

/** The masked values of the deploy, each used in one place only. */
const MASKED = {
  /** A succeeding command under sudo that keeps its command line for a second. */
  ok: token("Ok"),
  /** A succeeding command without sudo. */
  plain: token("Plain"),
  /** A failing command under sudo that prints the masked value itself. */
  echo: token("Echo"),
  /** A failing command under sudo whose error message names the masked value. */
  stderr: token("Stderr"),
  /** A custom fact whose command holds the masked value and fails under sudo. */
  fact: token("Fact"),
  /** `server.Command`, failing under sudo, its command holding the masked value. */
  factCommand: token("FactCmd"),
  /** A masked value given as a template variable. */
  template: token("Template"),
  /** An operation under sudo that fails (not ignored), holding its command line a second. */
  fail: token("Fail"),
  /** A masked value given in `_env`: the command reads it, no output or process list shows it. */
  env: token("Env"),
};
/** Not masked: a plain template variable, to record what --diff shows of a file. */
const PLAIN_TEMPLATE_VALUE = token("PlainTpl");

function deployText(): string {
  const m = JSON.stringify(MASKED);
  return `import { defineFact, defineOperation, facts, files, mask, server, sh } from "tsinfra";
const M = ${m};
type Masked = ReturnType<typeof mask>;
const Unreadable = defineFact<string, { path: Masked }>({
  name: "secmx.Unreadable",
  argNames: ["path"],
  // A redirection: the shell opens the file, so no program gets the path as an argument
  // (a program given a secret as an argument shows it in ps, whoever starts it).
  command: ({ path }) => sh\`cat < \${path}\`,
  process: (lines) => lines.join("\\n"),
});
const readUnreadable = defineOperation<{ path: Masked }>("secmx.readUnreadable", {
  argNames: ["path"],
  async *generator(args, ctx) {
    const text = await ctx.host.getFact(Unreadable, { path: args.path }, {
      _sudo: true,
      _sudoUser: "nobody",
    });
    yield sh\`echo \${text}\`;
  },
});
const readCommand = defineOperation<Record<string, never>>("secmx.readCommand", {
  argNames: [],
  async *generator(_args, ctx) {
    const command = sh\`cat < /root/secmx-command-\${mask(M.factCommand)}\`;
    const text = await ctx.host.getFact(facts.server.Command, {
      command: command as unknown as string,
    }, { _sudo: true, _sudoUser: "nobody" });
    yield sh\`echo \${text ?? ""}\`;
  },
});
server.shell({
  name: "secmx ok under sudo",
  commands: [sh\`v=\${mask(M.ok)}; sleep 1; printf %s "$v" > /tmp/secmx-ok-alive\`],
  _sudo: true,
});
server.shell({
  name: "secmx ok without sudo",
  commands: [sh\`printf %s \${mask(M.plain)} > /tmp/secmx-plain\`],
});
server.shell({
  name: "secmx echo fails",
  commands: [sh\`echo \${mask(M.echo)}; exit 3\`],
  _sudo: true,
  _ignoreErrors: true,
});
server.shell({
  name: "secmx stderr fails",
  commands: [sh\`cat < /root/secmx-missing-\${mask(M.stderr)}\`],
  _sudo: true,
  _sudoUser: "nobody",
  _ignoreErrors: true,
});
readUnreadable({ path: mask("/root/secmx-fact-" + M.fact), _ignoreErrors: true });
readCommand({ _ignoreErrors: true });
files.template({
  src: "./secmx.conf.j2",
  dest: "/tmp/secmx-masked.conf",
  vars: { token: mask(M.template) },
  _sudo: true,
});
files.template({
  src: "./secmx.conf.j2",
  dest: "/tmp/secmx-plain.conf",
  vars: { token: ${JSON.stringify(PLAIN_TEMPLATE_VALUE)} },
  _sudo: true,
});
server.shell({
  name: "secmx fails under sudo",
  commands: [sh\`v=\${mask(M.fail)}; sleep 1; test "$v" = nothing\`],
  _sudo: true,
});
`;
}

const ENV_DEPLOY = `import { mask, server } from "tsinfra";
server.shell({
  commands: ['printf %s "$TOKEN" > /tmp/secmx-env; sleep 1'],
  _env: { TOKEN: mask(${JSON.stringify(MASKED.env)}) },
  _sudo: true,
});
`;

function inventoryText(fleet: Fleet, password?: string): string {
  const host = fleet.hosts[0];
  const extra = password === undefined ? "" : `, _sudoPassword: ${JSON.stringify(password)}`;
  return `export const fleet = [["${host.name}", { sshHostname: "127.0.0.1", sshPort: ${host.port}, ` +
    `sshUser: "deploypw", sshKey: ${JSON.stringify(fleet.key)}, ` +
    `sshKnownHostsFile: ${JSON.stringify(fleet.knownHosts)}${extra} }]];\n`;
}

/** The pid namespace of a process, or undefined when it cannot be read. */
function pidNamespace(pid: number | "self"): string | undefined {
  try {
    return Deno.readLinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return undefined;
  }
}

/**
 * Each process's command line on the controller but this test's, with their total size.
 * Processes in another pid namespace (the fleet's containers: the target side) are left
 * out; the target's sampler covers them.
 */
function controllerCommandLines(): { lines: Map<number, string>; bytes: number } {
  const own = pidNamespace("self");
  const lines = new Map<number, string>();
  let bytes = 0;
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const pid = Number(entry.name);
    if (pid === Deno.pid) continue;
    const namespace = pidNamespace(pid);
    if (own && namespace && namespace !== own) continue;
    try {
      const line = Deno.readTextFileSync(`/proc/${pid}/cmdline`).replaceAll("\0", " ");
      bytes += line.length;
      lines.set(pid, line);
    } catch {
      // gone
    }
  }
  return { lines, bytes };
}

/**
 * Runs the tsinfra CLI in `cwd` as `tsinfraIn` does, sampling the controller's command
 * lines every 50 ms while it runs.
 */
async function tsinfraSampled(
  cwd: string,
  args: string[],
  secrets: readonly Secret[],
): Promise<Spawned> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--no-lock", path.join(ROOT, "cli.ts"), ...args],
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const output = child.output();
  let finished = false;
  output.finally(() => finished = true).catch(() => {});
  const controllerLines = new Set<string>();
  let ownArgv = 0;
  let controllerBytes = 0;
  while (!finished) {
    const { lines, bytes } = controllerCommandLines();
    controllerBytes += bytes;
    for (const [pid, line] of lines) {
      for (const secret of secrets) {
        if (!line.includes(secret.value)) continue;
        if (pid === child.pid) ownArgv = Math.max(ownArgv, line.split(secret.value).length - 1);
        else controllerLines.add(line);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const done = await output;
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return {
    code: done.code,
    stdout: text(done.stdout),
    stderr: text(done.stderr),
    controllerLines: [...controllerLines],
    ownArgv,
    controllerBytes,
  };
}

/** Every secret in `text`, with a little context (the secret replaced by its name). */
function findLeaks(
  text: string,
  secrets: readonly Secret[],
  runLabel: string,
  channel: string,
): Leak[] {
  const leaks: Leak[] = [];
  for (const secret of secrets) {
    const at = text.indexOf(secret.value);
    if (at < 0) continue;
    let excerpt = text.slice(Math.max(0, at - 100), at + secret.value.length + 60);
    for (const s of secrets) excerpt = excerpt.replaceAll(s.value, `<${s.name}>`);
    leaks.push({
      run: runLabel,
      channel,
      secret: secret.name,
      count: text.split(secret.value).length - 1,
      excerpt: excerpt.replaceAll("\n", "⏎"),
    });
  }
  return leaks;
}

/** Runs a program in the container as root, with `input` on its standard input. */
async function execWithInput(container: string, input: string, ...argv: string[]) {
  const child = new Deno.Command("docker", {
    args: ["exec", "-i", container, ...argv],
    stdin: "piped",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(input));
  await writer.close();
  const done = await child.output();
  assertEquals(done.code, 0, new TextDecoder().decode(done.stderr));
}

// Every command line on the target, as root, until /tmp/sampler-stop appears: those
// holding a secret (patterns read from a file, so the sampler's own argv holds none) and
// those of the one-second command under sudo (proof that the sampler saw the run).
const SAMPLER = "rm -f /tmp/sampler-hits /tmp/sampler-alive /tmp/sampler-stop /tmp/sampler-done; " +
  "touch /tmp/sampler-started; " +
  "while [ ! -e /tmp/sampler-stop ]; do " +
  "for f in $(grep -a -l -F -f /tmp/sampler-secrets /proc/[0-9]*/cmdline 2>/dev/null); do " +
  "tr '\\000' ' ' < \"$f\" 2>/dev/null; echo; done >> /tmp/sampler-hits; " +
  "grep -a -l -F -f /tmp/sampler-alive-pattern /proc/[0-9]*/cmdline >> /tmp/sampler-alive " +
  "2>/dev/null; done; touch /tmp/sampler-done";

await dockerTest(
  "no sudo password or mask()ed value shows in output, --json or process lists, at any verbosity",
  async (t) => {
    const started = performance.now();
    const fleet = await fleetUp(1);
    const dir = await Deno.makeTempDir({ prefix: "tsinfra-secrets-matrix-" });
    const container = fleet.hosts[0].container;
    const exec = (...argv: string[]) => run("docker", ["exec", container, ...argv]);
    const password = fleet.deploypwPassword;
    const secrets: Secret[] = [
      { name: "sudoPassword", value: password },
      ...Object.entries(MASKED).map(([name, value]) => ({ name: `mask.${name}`, value })),
    ];
    const leaks: Leak[] = [];
    const observations: string[] = [];
    let runs = 0;
    let bytesScanned = 0;
    let plainTemplateShown = 0;
    let ownArgvRuns = 0;
    try {
      await Deno.writeTextFile(path.join(dir, "deploy.ts"), deployText());
      await Deno.writeTextFile(path.join(dir, "env_deploy.ts"), ENV_DEPLOY);
      await Deno.writeTextFile(path.join(dir, "secmx.conf.j2"), "token={{ token }}\n");
      await execWithInput(
        container,
        secrets.map((s) => s.value).join("\n") + "\n",
        "sh",
        "-c",
        "cat > /tmp/sampler-secrets",
      );
      await execWithInput(
        container,
        "secmx-ok-alive\n",
        "sh",
        "-c",
        "cat > /tmp/sampler-alive-pattern",
      );

      /** One CLI run with both samplers, every channel scanned; returns the run. */
      const scannedRun = async (
        label: string,
        deploy: string,
        flags: string[],
        passwordFrom: "cli" | "data",
      ): Promise<Spawned> => {
        await exec("sh", "-c", "rm -f /tmp/secmx-* /tmp/sampler-started");
        await Deno.writeTextFile(
          path.join(dir, "inventory.ts"),
          inventoryText(fleet, passwordFrom === "data" ? password : undefined),
        );
        await run("docker", ["exec", "-d", container, "sh", "-c", SAMPLER]);
        while ((await exec("test", "-f", "/tmp/sampler-started")).code !== 0) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        const args = [
          "inventory.ts",
          deploy,
          ...flags,
          ...(passwordFrom === "cli" ? [`--sudo-password=${password}`] : []),
        ];
        const out = await tsinfraSampled(dir, args, secrets);
        await exec("touch", "/tmp/sampler-stop");
        while ((await exec("test", "-f", "/tmp/sampler-done")).code !== 0) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        const targetLines = (await exec("sh", "-c", "cat /tmp/sampler-hits 2>/dev/null || true"))
          .stdout;
        const alive = (await exec("sh", "-c", "cat /tmp/sampler-alive 2>/dev/null || true"))
          .stdout;
        runs++;
        bytesScanned += out.stdout.length + out.stderr.length + targetLines.length +
          out.controllerBytes;
        leaks.push(
          ...findLeaks(out.stdout, secrets, label, flags.includes("--json") ? "json" : "stdout"),
          ...findLeaks(out.stderr, secrets, label, "stderr"),
          ...findLeaks(targetLines, secrets, label, "target argv"),
          ...findLeaks(out.controllerLines.join("\n"), secrets, label, "controller argv"),
        );
        plainTemplateShown += (out.stdout + out.stderr).split(PLAIN_TEMPLATE_VALUE).length - 1;
        if (passwordFrom === "cli") {
          // The user put it there: tsinfra's own argv, as with any program's flag.
          assertEquals(out.ownArgv, 1, `${label}: --sudo-password was not in tsinfra's argv`);
          ownArgvRuns++;
        }
        if (!flags.includes("--dry") && deploy === "deploy.ts") {
          assertEquals(
            alive.trim() !== "",
            true,
            `${label}: the target sampler never saw the command under sudo\n${out.stdout}${out.stderr}`,
          );
        }
        return out;
      };

      const verbosities = [[], ["-v"], ["-vv"], ["-vvv"]];
      const modes: Record<string, string[]> = {
        run: ["-y"],
        dry: ["--dry"],
        diff: ["--diff", "-y"],
        json: ["--json", "-y"],
      };
      for (const [vi, verbosity] of verbosities.entries()) {
        await t.step(`verbosity ${verbosity[0] ?? "0"}`, async () => {
          for (const [mi, [mode, flags]] of Object.entries(modes).entries()) {
            const passwordFrom = (vi + mi) % 2 === 0 ? "data" : "cli";
            const label = `${verbosity[0] ?? "-v0"} ${mode} pw:${passwordFrom}`;
            const out = await scannedRun(
              label,
              "deploy.ts",
              [...flags, ...verbosity],
              passwordFrom,
            );
            const all = out.stdout + out.stderr;
            // The deploy ran as meant: the last operation fails, --dry changes nothing.
            assertEquals(out.code, mode === "dry" ? 0 : 1, `${label}\n${all}`);
            if (mode === "json") JSON.parse(out.stdout);
            if (verbosity.length && mode !== "json") {
              assertEquals(all.includes("printf %s *** > /tmp/secmx-plain"), true, all);
            }
            if (mode === "diff") {
              assertEquals(all.includes("+++ /tmp/secmx-masked.conf"), true, all);
            }
            if (mode === "run") {
              // The masked value reached the host as it is.
              const ok = await exec("cat", "/tmp/secmx-ok-alive");
              assertEquals(ok.stdout, MASKED.ok, `${label}: the masked value arrived changed`);
              if (vi === 0) {
                // A mask() template variable is written as its value (--diff shows ***).
                const rendered = await exec("cat", "/tmp/secmx-masked.conf");
                assertEquals(rendered.stdout, `token=${MASKED.template}\n`);
              }
            }
          }
        });
      }

      await t.step("a mask()ed value in _env reaches the command and shows nowhere", async () => {
        for (const flags of [["-y", "-vvv"], ["-y", "--json"]]) {
          await exec("rm", "-f", "/tmp/secmx-env");
          const out = await scannedRun(`_env ${flags.join(" ")}`, "env_deploy.ts", flags, "data");
          assertEquals(out.code, 0, out.stdout + out.stderr);
          assertEquals((await exec("cat", "/tmp/secmx-env")).stdout, MASKED.env);
        }
      });

      observations.push(
        `--sudo-password=VALUE is in tsinfra's own argv (ps on the controller) in the ` +
          `${ownArgvRuns} runs that gave it (not counted as a leak: the user put it there)`,
      );
      observations.push(
        `a plain (unmasked) template variable was shown ${plainTemplateShown} time(s) ` +
          "in the --diff runs' output",
      );
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.log(
        `secrets matrix: ${runs} runs, ${bytesScanned} bytes scanned, ${leaks.length} leaks ` +
          `found (${seconds} s)`,
      );
      for (const note of observations) console.log(`  observed: ${note}`);
      // One line per secret and channel, with the runs where it showed.
      const report = (found: Leak[]) => {
        const kinds = new Map<string, Leak[]>();
        for (const leak of found) {
          const key = `${leak.secret} in ${leak.channel}`;
          kinds.set(key, [...kinds.get(key) ?? [], leak]);
        }
        return [...kinds].map(([key, all]) =>
          `${key}: ${all.length} run(s) (${all.map((l) => l.run).join("; ")})\n` +
          `    e.g. ${all[0].excerpt}`
        ).join("\n");
      };
      const outputs = new Set(["stdout", "stderr", "json"]);
      await t.step("the sudo password shows nowhere", () => {
        const found = leaks.filter((l) => l.secret === "sudoPassword");
        assertEquals(found.length, 0, `the sudo password was shown:\n${report(found)}`);
      });
      await t.step("no mask()ed value in stdout, stderr or --json", () => {
        const found = leaks.filter((l) => outputs.has(l.channel));
        assertEquals(found.length, 0, `secrets were shown:\n${report(found)}`);
      });
      await t.step("no mask()ed value in the target's or the controller's process list", () => {
        const found = leaks.filter((l) => !outputs.has(l.channel));
        assertEquals(found.length, 0, `secrets were in process lists:\n${report(found)}`);
      });
    } finally {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      await fleet.down();
    }
  },
);

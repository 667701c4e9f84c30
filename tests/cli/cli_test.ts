/**
 * The `tsinfra` command as a user runs it: a real subprocess against @local.
 */
import * as path from "node:path";
import { VERSION } from "../../src/version.ts";
import { stripColours } from "../../src/cli/style.ts";
import { withProject } from "../runner/_harness.ts";
import { assertEquals, assertMatch, assertStringIncludes } from "../_assert.ts";

const CLI = path.resolve(import.meta.dirname!, "../../cli.ts");

async function tsinfra(cwd: string, ...args: string[]) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", CLI, ...args],
    cwd,
    stdin: "null",
    env: { NO_COLOR: "1" },
  }).output();
  const decode = (b: Uint8Array) => stripColours(new TextDecoder().decode(b));
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

const exists = (file: string) => Deno.stat(file).then(() => true, () => false);

Deno.test("tsinfra --version prints the version; --help shows usage and the exit statuses", async () => {
  await withProject({}, async (dir) => {
    const version = await tsinfra(dir, "--version");
    assertEquals([version.code, version.stdout.trim()], [0, VERSION]);
    const help = await tsinfra(dir, "--help");
    assertEquals(help.code, 0);
    assertStringIncludes(help.stdout, "INVENTORY OPERATIONS...");
    assertStringIncludes(help.stdout, "exec -- COMMAND");
    assertStringIncludes(help.stdout, "Exit status: 0 success, 1 a host failed, 2 bad usage");
  });
});

Deno.test("a deploy runs, --json reports it, and a second run changes nothing", async () => {
  await withProject({
    "deploy.ts": `
import { host, server } from "tsinfra";
import { File } from "tsinfra/facts/files";
const done = await host.getFact(File, { path: "$DIR/done" });
if (!done) server.shell({ commands: ["touch $DIR/done"], name: "touch" });
`,
  }, async (dir) => {
    const first = await tsinfra(dir, "@local", "deploy.ts", "-y", "--json");
    assertEquals(first.code, 0, first.stderr);
    const report = JSON.parse(first.stdout);
    assertEquals(report.version, 1);
    assertEquals(report.success, true);
    const host = report.hosts["@local"];
    assertEquals(host.operations[0].callSite, "deploy.ts:5:19");
    assertEquals(host.operations[0].commands, [`touch ${dir}/done`]);
    assertEquals(typeof host.stats.roundTrips, "number");
    assertEquals(report.totals.hosts, 1);
    assertEquals(await exists(path.join(dir, "done")), true);

    const second = JSON.parse((await tsinfra(dir, "@local", "deploy.ts", "-y", "--json")).stdout);
    assertEquals(second.totals.changed, 0);
    assertEquals(second.hosts["@local"].operations, []);
  });
});

Deno.test("without a terminal and without -y, changes are not applied", async () => {
  await withProject({
    "deploy.ts":
      'import { server } from "tsinfra";\nserver.shell({ commands: ["touch $DIR/ran"] });\n',
  }, async (dir) => {
    const result = await tsinfra(dir, "@local", "deploy.ts");
    assertEquals(result.code, 2);
    assertStringIncludes(result.stderr, "pass -y");
    assertEquals(await exists(path.join(dir, "ran")), false);
  });
});

Deno.test("--dry lists what would change and changes nothing", async () => {
  await withProject({
    "deploy.ts":
      'import { server } from "tsinfra";\nserver.shell({ commands: ["touch $DIR/ran"], name: "make it" });\n',
  }, async (dir) => {
    const result = await tsinfra(dir, "@local", "deploy.ts", "--dry", "-v");
    assertEquals(result.code, 0, result.stderr);
    assertStringIncludes(result.stdout, "make it (deploy.ts:2:8): will change");
    assertStringIncludes(result.stdout, `>>> touch ${dir}/ran`);
    assertEquals(await exists(path.join(dir, "ran")), false);
  });
});

Deno.test("bad input exits 2 with one message naming the place", async () => {
  await withProject({
    "syntax.ts": 'import { server } from "tsinfra";\nserver.shell({ commands: ["true"] };\n',
    "unknown.ts":
      'import { server } from "tsinfra";\nserver.shell({ command: "touch $DIR/ran" });\n',
    "broken_inventory.ts": "export const web = [\n  42,\n];\n",
  }, async (dir) => {
    const missing = await tsinfra(dir, "@local", "nope.ts");
    assertEquals(missing.code, 2);
    assertStringIncludes(missing.stderr, "Deploy file not found: nope.ts");

    const syntax = await tsinfra(dir, "@local", "syntax.ts", "-y");
    assertEquals(syntax.code, 2);
    assertMatch(syntax.stderr, new RegExp(`${dir}/syntax\\.ts:2:\\d+: SyntaxError`));

    const unknown = await tsinfra(dir, "@local", "unknown.ts", "-y");
    assertEquals(unknown.code, 2);
    assertStringIncludes(
      unknown.stderr,
      "Unknown argument command for server.shell in unknown.ts:2:8: valid arguments are commands",
    );
    assertEquals(await exists(path.join(dir, "ran")), false);

    const inventory = await tsinfra(dir, "broken_inventory.ts", "debug-inventory");
    assertEquals(inventory.code, 2);
    assertStringIncludes(
      inventory.stderr,
      "broken_inventory.ts: export web[0] must be a host name or [name, data], got 42",
    );

    const fact = await tsinfra(dir, "@local", "fact", "server.Nope");
    assertEquals(fact.code, 2);
    assertStringIncludes(fact.stderr, "Unknown fact server.Nope");

    const op = await tsinfra(dir, "@local", "files.nope", "path=/tmp/x");
    assertEquals(op.code, 2);
    assertStringIncludes(op.stderr, "Unknown operation files.nope");
  });
});

Deno.test("a failing command exits 1 and names the host, operation and call site", async () => {
  await withProject({
    "deploy.ts":
      'import { server } from "tsinfra";\nserver.shell({ commands: ["exit 7"], name: "fails" });\n',
  }, async (dir) => {
    const result = await tsinfra(dir, "@local", "deploy.ts", "-y");
    assertEquals(result.code, 1);
    assertStringIncludes(
      result.stdout,
      "[@local] failed: fails at deploy.ts:2:8: Command failed (exit status 7): exit 7",
    );
  });
});

Deno.test("exec, fact, an ad-hoc operation and debug-inventory", async () => {
  await withProject({
    "inventory.ts": 'export const web = [["@local", { port: 8080, dbPassword: "hunter2" }]];\n',
    "group_data/all.json": '{ "env": "prod" }',
  }, async (dir) => {
    const exec = await tsinfra(dir, "@local", "exec", "--", "echo", "hello");
    assertEquals(exec.code, 0, exec.stderr);
    assertStringIncludes(exec.stdout, "[@local] hello");

    const fact = await tsinfra(dir, "@local", "fact", "server.Os", "--json");
    assertEquals(fact.code, 0, fact.stderr);
    assertEquals(JSON.parse(fact.stdout), { "@local": "Linux" });

    const op = await tsinfra(
      dir,
      "@local",
      "server.shell",
      `commands=["touch ${dir}/adhoc"]`,
      "-y",
    );
    assertEquals(op.code, 0, op.stderr + op.stdout);
    assertEquals(await exists(path.join(dir, "adhoc")), true);

    const inventory = await tsinfra(
      dir,
      "inventory.ts",
      "debug-inventory",
      "--data",
      "port=9090",
      "--json",
    );
    assertEquals(inventory.code, 0, inventory.stderr);
    assertEquals(JSON.parse(inventory.stdout), {
      "@local": {
        groups: ["web", "inventory", "all"],
        data: { env: "prod", port: 9090, dbPassword: "***" },
      },
    });
  });
});

Deno.test("on a terminal, the approval prompt applies changes on y and stops on n (exit 130)", async () => {
  await withProject({
    "deploy.ts":
      'import { server } from "tsinfra";\nserver.shell({ commands: ["touch $DIR/ran"] });\n',
  }, async (dir) => {
    const inTerminal = async (answer: string) => {
      const command =
        `printf '${answer}\\n' | script -qec "${Deno.execPath()} run --allow-all ${CLI} @local deploy.ts" /dev/null`;
      const output = await new Deno.Command("sh", {
        args: ["-c", command],
        cwd: dir,
        env: { NO_COLOR: "1" },
      }).output();
      return { code: output.code, text: stripColours(new TextDecoder().decode(output.stdout)) };
    };
    const no = await inTerminal("n");
    assertStringIncludes(no.text, "Apply these changes? [y/N]");
    assertStringIncludes(no.text, "Stopped: nothing was changed.");
    assertEquals(await exists(path.join(dir, "ran")), false);
    const yes = await inTerminal("y");
    assertEquals(yes.code, 0, yes.text);
    assertEquals(await exists(path.join(dir, "ran")), true);
  });
});

Deno.test("-vvv streams command output; -vv shows facts; --json keeps stdout for the document", async () => {
  await withProject({
    "deploy.ts": `
import { host, server } from "tsinfra";
import { Os } from "tsinfra/facts/server";
await host.getFact(Os);
server.shell({ commands: ["echo streamed-line; echo to-stderr >&2"], name: "talk" });
`,
  }, async (dir) => {
    const loud = await tsinfra(dir, "@local", "deploy.ts", "-y", "-vvv");
    assertStringIncludes(loud.stdout, "[@local] Loaded fact server.Os");
    assertStringIncludes(loud.stdout, "[@local] >>> uname -s");
    assertStringIncludes(loud.stdout, "[@local] streamed-line");
    assertStringIncludes(loud.stdout, "[@local] to-stderr");
    const json = await tsinfra(dir, "@local", "deploy.ts", "-y", "--json", "-v");
    assertEquals(JSON.parse(json.stdout).hosts["@local"].operations[0].stdout, "streamed-line\n");
    assertEquals(json.stderr.includes('"version"'), false);
  });
});

Deno.test("a sudo password never appears in output or --json", async () => {
  await withProject({
    "deploy.ts": `
import { server } from "tsinfra";
server.shell({ commands: ["id -un"], _sudo: true, _sudoPassword: "Sup3r-Secret", name: "as root" });
`,
  }, async (dir) => {
    for (const flags of [["--json"], ["-vvv"], ["--dry", "-v", "--json"]]) {
      const result = await tsinfra(dir, "@local", "deploy.ts", "-y", ...flags);
      assertEquals(
        result.stdout.includes("Sup3r-Secret") || result.stderr.includes("Sup3r-Secret"),
        false,
        flags.join(" "),
      );
    }
    const json = JSON.parse((await tsinfra(dir, "@local", "deploy.ts", "-y", "--json")).stdout);
    assertEquals(json.hosts["@local"].operations[0].stdout, "root\n");
  });
});

Deno.test("--diff shows a unified diff of files that will change; help explains verbs and operations", async () => {
  await withProject({
    "deploy.ts":
      'import { files } from "tsinfra";\nfiles.template({ src: "./site.eta", dest: "$DIR/site.conf", vars: { port: 81 } });\n',
    "site.eta": "listen <%= it.port %>\nname site\n",
    "site.conf": "listen 80\nname site\n",
  }, async (dir) => {
    const dry = await tsinfra(dir, "@local", "deploy.ts", "--dry", "--diff");
    assertEquals(dry.code, 0, dry.stderr);
    assertStringIncludes(dry.stdout, `--- ${dir}/site.conf`);
    assertStringIncludes(dry.stdout, "-listen 80");
    assertStringIncludes(dry.stdout, "+listen 81");
    assertEquals(await Deno.readTextFile(path.join(dir, "site.conf")), "listen 80\nname site\n");

    const help = await tsinfra(dir, "help", "files.line");
    assertEquals(help.code, 0);
    assertStringIncludes(help.stdout, "Operation files.line(path, line, present, replace");
    const verb = await tsinfra(dir, "@local", "exec", "--help");
    assertStringIncludes(verb.stdout, "Usage: tsinfra INVENTORY exec -- COMMAND...");
    const unknown = await tsinfra(dir, "help", "files.nope");
    assertEquals(unknown.code, 2);
  });
});

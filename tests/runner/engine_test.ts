/**
 * The engine end to end on the local machine: ordering across hosts, `_if`, global
 * arguments, fact caching and invalidation, and bad input stopping everything.
 */
import * as path from "node:path";
import { runLocal, withProject } from "./_harness.ts";
import { assertEquals, assertMatch, assertRejects, assertStringIncludes } from "../_assert.ts";

const OPS = `
import { defineFact, defineOperation, sh } from "tsinfra";

export const FileText = defineFact<string | null, { path: string }>({
  name: "test.FileText",
  argNames: ["path"],
  command: ({ path }) => sh\`cat \${path} 2>/dev/null || true\`,
  process: (lines) => lines.join("\\n"),
});

export const write = defineOperation<{ path: string; text: string }>("test.write", {
  argNames: ["path", "text"],
  async *generator({ path, text }, ctx) {
    if ((await ctx.host.getFact(FileText, { path })) === text) return ctx.noop("already written");
    yield sh\`printf '%s' \${text} > \${path}\`;
  },
});

export const copy = defineOperation<{ from: string; to: string }>("test.copy", {
  argNames: ["from", "to"],
  async *generator({ from, to }, ctx) {
    const text = await ctx.host.getFact(FileText, { path: from });
    if ((await ctx.host.getFact(FileText, { path: to })) === text) return ctx.noop("same");
    yield sh\`printf '%s' \${text ?? ""} > \${to}\`;
  },
});
`;

function operationOrder(events: { type: string }[]): string[] {
  return events.filter((e) => e.type === "operationStart").map((e) =>
    (e as unknown as { name: string }).name
  );
}

Deno.test("operations run in source order, merged across hosts with per-host conditionals and loops", async () => {
  await withProject({
    "ops.ts": OPS,
    "inventory.ts":
      'export const hosts = [["a", { n: 1, connector: "@local" }], ["b", { n: 3, connector: "@local" }], ["c", { n: 0, connector: "@local" }]];\n',
    "deploy.ts": `
import { host, server } from "tsinfra";
server.shell({ commands: ["true"], name: "first" });
if (host.name === "b") server.shell({ commands: ["true"], name: "only b" });
for (let i = 0; i < (host.data.n as number); i++) server.shell({ commands: ["true"], name: \`loop \${i}\` });
server.shell({ commands: ["true"], name: "last" });
`,
  }, async (dir) => {
    const { report, events } = await runLocal(dir, {
      inventory: "inventory.ts",
      deploy: ["deploy.ts"],
    });
    assertEquals(operationOrder(events), ["first", "only b", "loop 0", "loop 1", "loop 2", "last"]);
    assertEquals(report.hosts.b.operations.map((o) => o.name), [
      "first",
      "only b",
      "loop 0",
      "loop 1",
      "loop 2",
      "last",
    ]);
    assertEquals(report.hosts.c.operations.map((o) => o.name), ["first", "last"]);
    // The same call site has the same id on every host.
    assertEquals(report.hosts.a.operations[0].id, report.hosts.c.operations[0].id);
    assertEquals(report.hosts.a.operations[0].callSite, "deploy.ts:3:8");
  });
});

Deno.test("hosts that call operations in opposite orders get an error naming both call sites", async () => {
  await withProject({
    "inventory.ts":
      'export const hosts = [["a", { connector: "@local" }], ["b", { connector: "@local" }]];\n',
    "deploy.ts": `
import { host, server } from "tsinfra";
const first = () => server.shell({ commands: ["true"] });
const second = () => server.shell({ commands: ["true"] });
const steps = host.name === "a" ? [first, second] : [second, first];
for (const step of steps) step();
`,
  }, async (dir) => {
    await assertRejects(
      () => runLocal(dir, { inventory: "inventory.ts", deploy: ["deploy.ts"] }),
      /Cannot order operations.*deploy\.ts:[34]:\d+ and deploy\.ts:[34]:\d+/,
    );
  });
});

Deno.test("_if reads results at execution time; facts are re-read after a change", async () => {
  await withProject({
    "ops.ts": OPS,
    "deploy.ts": `
import { server } from "tsinfra";
import { copy, write } from "./ops.ts";
const changed = write({ path: "$DIR/a.txt", text: "one" });
const unchanged = write({ path: "$DIR/a.txt", text: "one" });
copy({ from: "$DIR/a.txt", to: "$DIR/b.txt" });
server.shell({ commands: ["touch $DIR/after-change"], _if: changed.didChange });
server.shell({ commands: ["touch $DIR/after-no-change"], _if: unchanged.didChange });
`,
  }, async (dir) => {
    const { report } = await runLocal(dir, { deploy: ["deploy.ts"] });
    const ops = report.hosts["@local"].operations;
    assertEquals(ops.map((o) => o.status), [
      "changed",
      "noChange",
      "changed",
      "changed",
      "skipped",
    ]);
    // copy was prepared when a.txt did not exist, and regenerated at execution time.
    assertEquals(await Deno.readTextFile(path.join(dir, "b.txt")), "one");
    assertEquals(await Deno.stat(path.join(dir, "after-change")).then(() => true), true);
    assertEquals(
      await Deno.stat(path.join(dir, "after-no-change")).then(() => true, () => false),
      false,
    );

    const second = await runLocal(dir, { deploy: ["deploy.ts"] });
    const again = second.report.hosts["@local"].operations;
    assertEquals(again.map((o) => o.status), [
      "noChange",
      "noChange",
      "noChange",
      "skipped",
      "skipped",
    ]);
    assertEquals(again.flatMap((o) => o.commands), []);
  });
});

Deno.test("global arguments: env, chdir, stdin, success codes, retries, timeout, continue and ignore errors", async () => {
  await withProject({
    "deploy.ts": `
import { server } from "tsinfra";
server.shell({ commands: ["printf %s \\"$GREETING\\""], _env: { GREETING: "hi there" }, name: "env" });
server.shell({ commands: ["pwd"], _chdir: "/tmp", name: "chdir" });
server.shell({ commands: ["cat"], _stdin: "from stdin", name: "stdin" });
server.shell({ commands: ["exit 3"], _successExitCodes: [0, 3], name: "codes" });
server.shell({ commands: ["test -e $DIR/flag || { touch $DIR/flag; exit 1; }"], _retries: 2, _retryDelay: 0.1, name: "retry" });
server.shell({ commands: ["sleep 20"], _timeout: 1, _ignoreErrors: true, name: "timeout" });
server.shell({ commands: ["false", "touch $DIR/continued"], _continueOnError: true, _ignoreErrors: true, name: "continue" });
server.shell({ commands: ["touch $DIR/pre"], _precondition: "test -e $DIR/flag", _postcondition: "test -e $DIR/pre", name: "conditions" });
`,
  }, async (dir) => {
    const { report } = await runLocal(dir, { deploy: ["deploy.ts"] });
    const byName = Object.fromEntries(report.hosts["@local"].operations.map((o) => [o.name, o]));
    assertEquals(byName.env.stdout, "hi there");
    assertEquals(byName.chdir.stdout, "/tmp\n");
    assertEquals(byName.stdin.stdout, "from stdin\n");
    assertEquals(byName.codes.success, true);
    assertEquals(byName.retry.success, true);
    assertEquals(byName.timeout.success, false);
    assertMatch(byName.timeout.error!, /timed out after 1s/);
    assertEquals(byName.continue.success, false);
    assertEquals(await Deno.stat(path.join(dir, "continued")).then(() => true), true);
    assertEquals(byName.conditions.success, true);
    assertEquals(report.hosts["@local"].success, true);
  });
});

Deno.test("a failing command fails the host at that operation and names it", async () => {
  await withProject({
    "deploy.ts": `
import { server } from "tsinfra";
server.shell({ commands: ["echo oops >&2; exit 4"], name: "breaks" });
server.shell({ commands: ["touch $DIR/never"], name: "after" });
`,
  }, async (dir) => {
    const { report } = await runLocal(dir, { deploy: ["deploy.ts"] });
    const host = report.hosts["@local"];
    assertEquals(host.success, false);
    assertStringIncludes(host.error!, "breaks at deploy.ts:3:8");
    assertStringIncludes(host.error!, "exit status 4");
    assertStringIncludes(host.error!, "oops");
    assertEquals(host.operations.length, 1);
    assertEquals(await Deno.stat(path.join(dir, "never")).then(() => true, () => false), false);
  });
});

Deno.test("_runOnce runs on the first host only; --fail-percent stops the run", async () => {
  await withProject({
    "inventory.ts":
      'export const hosts = ["a", "b", "c"].map((n) => [n, { connector: "@local" }]);\n',
    "deploy.ts": `
import { host, server } from "tsinfra";
server.shell({ commands: ["echo once >> $DIR/once"], _runOnce: true });
server.shell({ commands: [host.name === "a" ? "false" : "true"] });
server.shell({ commands: ["echo \${host.name} >> $DIR/last"] });
`,
  }, async (dir) => {
    const { report } = await runLocal(dir, {
      inventory: "inventory.ts",
      deploy: ["deploy.ts"],
      failPercent: 20,
    });
    assertEquals(await Deno.readTextFile(path.join(dir, "once")), "once\n");
    assertEquals(report.hosts.b.operations[0].status, "skipped");
    assertMatch(report.stopped!, /1 of 3 hosts failed/);
    assertEquals(await Deno.stat(path.join(dir, "last")).then(() => true, () => false), false);
  });
});

Deno.test("an unknown argument stops everything before anything runs, naming the call site", async () => {
  await withProject({
    "deploy.ts": `
import { server } from "tsinfra";
server.shell({ commands: ["touch $DIR/ran"] });
server.shell({ commands: ["true"], _sudoo: true });
`,
  }, async (dir) => {
    const error = await assertRejects(() => runLocal(dir, { deploy: ["deploy.ts"] }));
    assertMatch(
      error.message,
      /Unknown argument _sudoo for server\.shell in deploy\.ts:4:8: valid arguments are commands; global arguments are/,
    );
    assertEquals(await Deno.stat(path.join(dir, "ran")).then(() => true, () => false), false);
  });
});

Deno.test("an exception in deploy code is reported with file, line and column", async () => {
  await withProject({
    "deploy.ts":
      'import { server } from "tsinfra";\nserver.shell({ commands: ["true"] });\nimport "./tasks/bad.ts";\n',
    "tasks/bad.ts":
      'import { host } from "tsinfra";\n\nif (host.name) throw new Error("no database configured");\n',
  }, async (dir) => {
    await assertRejects(
      () => runLocal(dir, { deploy: ["deploy.ts"] }),
      new RegExp(`${dir}/tasks/bad\\.ts:3:22: no database configured`),
    );
  });
});

Deno.test("local.include runs a file with extra data, ./ relative to the caller", async () => {
  await withProject({
    "deploy.ts": `
import { local, server } from "tsinfra";
server.shell({ commands: ["true"], name: "before" });
await local.include("./tasks/one.ts", { data: { word: "alpha" } });
await local.include("./tasks/one.ts", { data: { word: "beta" } });
`,
    "tasks/one.ts": `
import { host, server } from "tsinfra";
server.shell({ commands: [\`echo \${host.data.word} >> $DIR/words\`], name: \`include \${host.data.word}\` });
`,
  }, async (dir) => {
    const { report } = await runLocal(dir, { deploy: ["deploy.ts"] });
    assertEquals(report.hosts["@local"].operations.map((o) => o.name), [
      "before",
      "include alpha",
      "include beta",
    ]);
    assertEquals(await Deno.readTextFile(path.join(dir, "words")), "alpha\nbeta\n");
  });
});

Deno.test("group data and --data resolve with pyinfra's precedence", async () => {
  await withProject({
    "inventory.ts":
      'export const web = [["w1", { port: 1, connector: "@local" }], ["w2", { connector: "@local" }]];\n',
    "group_data/all.ts": 'export const port = 0;\nexport const env = "prod";\n',
    "group_data/web.json": '{ "port": 80, "role": "web" }',
    "group_data/inventory.yaml": "zone: eu\n",
    "deploy.ts": `
import { host, server } from "tsinfra";
server.shell({ commands: ["true"], name: JSON.stringify({ port: host.data.port, env: host.data.env, role: host.data.role, zone: host.data.zone, groups: host.groups }) });
`,
  }, async (dir) => {
    const { report } = await runLocal(dir, {
      inventory: "inventory.ts",
      deploy: ["deploy.ts"],
      data: { env: "staging" },
    });
    assertEquals(JSON.parse(report.hosts.w1.operations[0].name), {
      port: 1,
      env: "staging",
      role: "web",
      zone: "eu",
      groups: ["web", "inventory", "all"],
    });
    assertEquals(JSON.parse(report.hosts.w2.operations[0].name).port, 80);
  });
});

Deno.test("an operation's commands share a round trip, and a failure still names its command", async () => {
  await withProject({
    "deploy.ts": `
import { server } from "tsinfra";
server.shell({ commands: ["echo one", "cd /; exit 0", "pwd", "echo two >&2"], name: "together" });
server.shell({ commands: ["touch $DIR/a", "echo bad >&2; exit 3", "touch $DIR/never"], name: "stops" });
`,
  }, async (dir) => {
    const { report } = await runLocal(dir, { deploy: ["deploy.ts"] });
    const [together, stops] = report.hosts["@local"].operations;
    // Each command runs in its own subshell: the `cd /` does not leak into `pwd`.
    assertEquals(together.stdout, `one\n${Deno.cwd()}\n`);
    assertEquals(together.stderr, "two\n");
    assertEquals(together.commands.length, 4);
    assertEquals(stops.commands, [`touch ${dir}/a`, "echo bad >&2; exit 3"]);
    assertEquals(stops.error, "Command failed (exit status 3): echo bad >&2; exit 3\nbad");
    assertEquals(await Deno.stat(path.join(dir, "never")).then(() => true, () => false), false);
    // Two operations, one command each on the wire.
    assertEquals(report.hosts["@local"].stats.roundTrips, 2);
  });
});

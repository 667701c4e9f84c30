/**
 * js.call and js.raiseException run on the controller at execution time, in order.
 */
import { runLocal, withProject } from "../runner/_harness.ts";
import { assertEquals } from "../_assert.ts";

Deno.test("js.call runs at execution time with its arguments and can read earlier results", async () => {
  await withProject({
    "deploy.ts": `
import { js, server } from "tsinfra";
const seen: unknown[] = [];
(globalThis as Record<string, unknown>).__seen = seen;
const first = server.shell({ commands: ["echo from-shell"] });
js.call({ function: (a: string, b: number, kw: Record<string, string>) => seen.push([a, b, kw, first.stdout]), args: ["x", 2], kwargs: { hello: "world" } });
js.call({ function: async () => { await new Promise((r) => setTimeout(r, 10)); seen.push("async done"); } });
`,
  }, async (dir) => {
    const { report } = await runLocal(dir, { deploy: ["deploy.ts"] });
    const seen = (globalThis as Record<string, unknown>).__seen;
    assertEquals(seen, [["x", 2, { hello: "world" }, "from-shell\n"], "async done"]);
    const ops = report.hosts["@local"].operations;
    assertEquals(ops[0].commands, ["echo from-shell"]);
    assertEquals(ops[1].commands.length, 1);
    assertEquals(ops[1].commands[0].startsWith("call "), true);
    assertEquals(report.hosts["@local"].operations[1].status, "changed");
  });
});

Deno.test("js.raiseException fails the host with the error's message, and _ignoreErrors lets it go on", async () => {
  await withProject({
    "deploy.ts": `
import { js, server } from "tsinfra";
js.raiseException({ exception: RangeError, message: "ignored one", _ignoreErrors: true });
server.shell({ commands: ["true"], name: "still runs" });
js.raiseException({ message: "stop here" });
server.shell({ commands: ["true"], name: "never runs" });
`,
  }, async (dir) => {
    const { report } = await runLocal(dir, { deploy: ["deploy.ts"] });
    const host = report.hosts["@local"];
    assertEquals(host.operations.map((o) => [o.name, o.status, o.error]), [
      ["js.raiseException", "error", "ignored one"],
      ["still runs", "changed", null],
      ["js.raiseException", "error", "stop here"],
    ]);
    assertEquals(host.success, false);
  });
});

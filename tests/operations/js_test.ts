/**
 * js.call and js.raiseException run on the controller at execution time, in order.
 */
import { runLocal, withProject } from "../runner/_harness.ts";
import { assertEquals, assertRejects, assertThrows } from "../_assert.ts";
import { call, raiseException } from "../../src/operations/js.ts";
import { FunctionCommand, type OperationCommand } from "../../src/core/command.ts";
import type { OperationContext } from "../../src/core/operation.ts";
import { commandToJson } from "../../scripts/fixtures/cases.ts";

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

// --- the generators alone (pyinfra's python.call / python.raise_exception cases) ------

const NO_CONTEXT = {} as OperationContext;
const FN_CONTEXT = {
  hostName: "h",
  run: () => Promise.resolve({ exitCode: 0, stdout: "", stderr: "" }),
};

async function generated(
  commands: AsyncGenerator<OperationCommand, void, undefined>,
): Promise<FunctionCommand[]> {
  const out: FunctionCommand[] = [];
  for await (const command of commands) {
    if (!(command instanceof FunctionCommand)) throw new Error("not a function command");
    out.push(command);
  }
  return out;
}

Deno.test("js.call yields one function command named after the function, with args and kwargs (python.call/call_func)", async () => {
  const seen: unknown[][] = [];
  function __func__(...args: unknown[]) {
    seen.push(args);
    return "result";
  }
  const [command] = await generated(
    call.generate(
      { function: __func__, args: ["arg1", "arg2"], kwargs: { hello: "world" } },
      NO_CONTEXT,
    ),
  );
  assertEquals(commandToJson(command), ["__func__", ["arg1", "arg2"], { hello: "world" }]);
  assertEquals(seen, []);
  assertEquals(await command.fn(FN_CONTEXT), "result");
  assertEquals(seen, [["arg1", "arg2", { hello: "world" }]]);
});

Deno.test("js.call adds kwargs as a last argument only when there are some", async () => {
  const seen: unknown[][] = [];
  const [command] = await generated(
    call.generate(
      { function: (...a: unknown[]) => seen.push(a), args: [1], kwargs: {} },
      NO_CONTEXT,
    ),
  );
  await command.fn(FN_CONTEXT);
  assertEquals(seen, [[1]]);
});

Deno.test("js.call refuses a function that is not one, and args that are not an array", () => {
  assertThrows(() => call.splitArguments({ function: "__func__" }, "test"), /must be a function/);
  assertThrows(
    () => call.splitArguments({ function: () => {}, args: "arg1" }, "test"),
    /^js\.call in test: args must be unknown\[\], got "arg1"$/,
  );
  assertThrows(
    () => call.splitArguments({ function: () => {}, kwargs: ["x"] }, "test"),
    /^js\.call in test: kwargs must be Record<string, unknown>, got an array$/,
  );
});

Deno.test("js.raiseException yields raise_exc, which throws the class with the message (python.raise_exception/call_func)", async () => {
  const [command] = await generated(
    raiseException.generate({ exception: RangeError, message: "arg1" }, NO_CONTEXT),
  );
  assertEquals(commandToJson(command), ["raise_exc", ["arg1"], {}]);
  const error = await assertRejects(async () => await command.fn(FN_CONTEXT), /^arg1$/);
  assertEquals(error instanceof RangeError, true);
});

Deno.test("js.raiseException throws an Error object as it is, and needs a message otherwise", async () => {
  class Custom extends Error {
    override name = "Custom";
    code = 7;
  }
  const given = new Custom("as given");
  const [command] = await generated(raiseException.generate({ exception: given }, NO_CONTEXT));
  const error = await assertRejects(async () => await command.fn(FN_CONTEXT), /^as given$/);
  assertEquals(error === given, true);
  assertThrows(() => raiseException.splitArguments({}, "test"), /`message` is required/);
  assertThrows(
    () => raiseException.splitArguments({ exception: "ValueError", message: "x" }, "test"),
    /must be an Error class or object/,
  );
});

Deno.test("js.raiseException constructs a class with `args` (python.raise_exception(exc, *args)), and refuses args with a message", async () => {
  class Coded extends Error {
    constructor(readonly what: string, readonly code: string) {
      super(`${what} (${code})`);
    }
  }
  const [command] = await generated(
    raiseException.generate(
      { exception: Coded as unknown as new (message?: string) => Error, args: ["arg1", "arg2"] },
      NO_CONTEXT,
    ),
  );
  assertEquals(commandToJson(command), ["raise_exc", ["arg1", "arg2"], {}]);
  const error = await assertRejects(async () => await command.fn(FN_CONTEXT), /^arg1 \(arg2\)$/);
  assertEquals(error instanceof Coded && error.code === "arg2", true);
  assertThrows(
    () => raiseException.splitArguments({ args: ["a"], message: "b" }, "test"),
    /give `message` or `args`, not both/,
  );
  assertThrows(
    () => raiseException.splitArguments({ args: "a" }, "test"),
    /args must be (unknown\[\]|an array)/,
  );
});

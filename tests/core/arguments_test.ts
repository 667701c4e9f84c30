import { defineOperation } from "../../src/core/operation.ts";
import { parseGlobalArgumentValue } from "../../src/core/arguments.ts";
import { assertEquals, assertThrows } from "../_assert.ts";

const op = defineOperation<{ path: string; mode?: number }>("test.op", {
  argNames: ["path", "mode"],
  async *generator() {},
});

Deno.test("unknown arguments are an error that lists the valid ones", () => {
  const error = assertThrows(
    () => op.splitArguments({ path: "/x", mdoe: 1 }, "deploy.ts:3:1"),
    /Unknown argument mdoe for test\.op in deploy\.ts:3:1: valid arguments are path, mode/,
  );
  assertEquals(error.name, "ArgumentError");
});

Deno.test("unknown global arguments are rejected like operation arguments", () => {
  assertThrows(() => op.splitArguments({ path: "/x", _sduo: true }, "d.ts:1:1"), /_sduo.*_sudo/s);
});

Deno.test("global arguments are type-checked", () => {
  assertThrows(
    () => op.splitArguments({ path: "/x", _sudo: "yes" }, "d.ts:1:1"),
    /_sudo in test\.op in d\.ts:1:1: expected boolean, got the string "yes"/,
  );
  const { args, globals } = op.splitArguments(
    { path: "/x", _sudo: true, _env: { A: "1" } },
    "d.ts",
  );
  assertEquals(args, { path: "/x" });
  assertEquals(globals, { _sudo: true, _env: { A: "1" } });
});

Deno.test("CLI values of global arguments are parsed to their type", () => {
  assertEquals(parseGlobalArgumentValue("_sudo", "true"), true);
  assertEquals(parseGlobalArgumentValue("_timeout", "30"), 30);
  assertEquals(parseGlobalArgumentValue("_successExitCodes", "0,1"), [0, 1]);
  assertThrows(() => parseGlobalArgumentValue("_sudo", "maybe"), /true or false/);
});

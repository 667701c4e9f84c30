import { allChanged, anyChanged, OperationMeta } from "../../src/core/meta.ts";
import { assertEquals, assertThrows } from "../_assert.ts";

const result = (changed: boolean) => ({
  changed,
  success: true,
  stdout: "a\nb\n",
  stderr: "",
  error: null,
});

Deno.test("OperationMeta results are only readable after execution, with a hint to use _if", () => {
  const meta = new OperationMeta("files.line", "web1");
  assertThrows(() => meta.didChange(), /_if: meta\.didChange/);
  assertThrows(() => meta.stdout, /after execution/);
  assertThrows(() => meta.willChange, /after prepare/);
});

Deno.test("OperationMeta methods are bound and usable as conditions", () => {
  const meta = new OperationMeta("files.line", "web1");
  const { didChange, didSucceed } = meta;
  meta.setResult(result(true));
  assertEquals(didChange(), true);
  assertEquals(didSucceed(), true);
  assertEquals(meta.stdoutLines, ["a", "b"]);
});

Deno.test("anyChanged and allChanged combine metas", () => {
  const a = new OperationMeta("a", "h");
  const b = new OperationMeta("b", "h");
  a.setResult(result(true));
  b.setResult(result(false));
  assertEquals(anyChanged(a, b)(), true);
  assertEquals(allChanged(a, b)(), false);
});

import * as path from "node:path";
import { createModuleCompiler, ModuleLoader } from "../../src/loader/module_loader.ts";
import { VERSION } from "../../src/version.ts";
import { assertEquals, assertRejects } from "../_assert.ts";

async function withFiles(
  files: Record<string, string>,
  fn: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "tsinfra-compiled-" });
  try {
    for (const [name, text] of Object.entries(files)) {
      await Deno.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
      await Deno.writeTextFile(path.join(dir, name), text);
    }
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("compiled modules: one compile, one instance per loader, ES module bindings", async () => {
  await withFiles({
    "deploy.ts": [
      'import { VERSION } from "tsinfra";',
      'import helper, { id, twice as double } from "./lib.ts";',
      "const n: number = 2;",
      "export const version = VERSION;",
      "export const answer = double(n) * 10 + helper();",
      "export const fromLib = id;",
      "export const file = import.meta.filename;",
      "export const dynamic = (await import('./lib.ts')).id;",
      "export { n as count };",
    ].join("\n"),
    "lib.ts": "export const id = crypto.randomUUID();\n" +
      "export function twice(x: number): number { return x * 2; }\n" +
      "export default function () { return 2; }\n",
  }, async (dir) => {
    const compiler = createModuleCompiler();
    const deploy = path.join(dir, "deploy.ts");
    assertEquals(await compiler.graph(deploy), true);
    const one = new ModuleLoader("one", { compiler });
    const two = new ModuleLoader("two", { compiler });
    const a1 = await one.import(deploy);
    const b1 = await one.import(path.join(dir, "lib.ts"));
    const a2 = await two.import(deploy);
    assertEquals(a1.version, VERSION);
    assertEquals(a1.answer, 42);
    assertEquals(a1.count, 2);
    assertEquals(a1.file, deploy);
    assertEquals(a1.fromLib, b1.id);
    assertEquals(a1.dynamic, b1.id);
    assertEquals(a1.fromLib === a2.fromLib, false);
  });
});

Deno.test("compiled modules: shapes it does not compile are imported as ES modules", async () => {
  await withFiles({
    "live.ts": 'import { count } from "./counter.ts";\nexport const seen = count;\n',
    "counter.ts": "export let count = 1;\ncount++;\n",
    "reexport.ts": 'export { count } from "./counter.ts";\n',
    "bad.ts": "const a = 1;\nconst b: = 2;\n",
  }, async (dir) => {
    const compiler = createModuleCompiler();
    assertEquals(await compiler.graph(path.join(dir, "live.ts")), false);
    assertEquals(await compiler.graph(path.join(dir, "reexport.ts")), false);
    assertEquals(await compiler.graph(path.join(dir, "bad.ts")), false);
    const loader = new ModuleLoader("fallback", { compiler });
    assertEquals((await loader.import(path.join(dir, "live.ts"))).seen, 2);
    assertEquals((await loader.import(path.join(dir, "reexport.ts"))).count, 2);
    await assertRejects(
      () => loader.import(path.join(dir, "bad.ts")),
      /bad\.ts:2:\d+: SyntaxError/,
    );
  });
});

Deno.test("compiled modules: errors name the user's file, line and column", async () => {
  await withFiles({
    "deploy.ts": 'import "./lib.ts";\n',
    "lib.ts": "// comment\nconst x = 1;\nthrow new RangeError(`bad value ${x}`);\n",
    "first.ts": 'throw new Error("line one");\n',
  }, async (dir) => {
    const compiler = createModuleCompiler();
    const loader = new ModuleLoader("errors", { compiler });
    const error = await assertRejects(() => loader.import(path.join(dir, "deploy.ts")));
    assertEquals(error.message, `${dir}/lib.ts:3:7: RangeError: bad value 1`);
    const first = await assertRejects(() => loader.import(path.join(dir, "first.ts")));
    assertEquals(first.message, `${dir}/first.ts:1:7: line one`);
  });
});

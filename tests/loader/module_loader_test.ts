import * as path from "node:path";
import { ModuleLoader } from "../../src/loader/module_loader.ts";
import { userFileOf } from "../../src/loader/source_map.ts";
import { VERSION } from "../../src/version.ts";
import { assertEquals, assertMatch, assertRejects } from "../_assert.ts";

async function withFiles(
  files: Record<string, string>,
  fn: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "tsinfra-loader-" });
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

Deno.test("the loader resolves tsinfra, relative imports and import.meta to real files", async () => {
  await withFiles({
    "deploy.ts": [
      'import { VERSION } from "tsinfra";',
      'import { helper } from "./lib/helper.ts";',
      "const n: number = 2;",
      "export const version = VERSION;",
      "export const answer = helper(n);",
      "export const file = import.meta.filename;",
      "export const dir = import.meta.dirname;",
      "export const url = import.meta.url;",
    ].join("\n"),
    "lib/helper.ts": "export function helper(n: number): number { return n * 21; }\n" +
      "export const where = import.meta.filename;\n",
  }, async (dir) => {
    const module = await new ModuleLoader("test-1").import(path.join(dir, "deploy.ts"));
    assertEquals(module.version, VERSION);
    assertEquals(module.answer, 42);
    assertEquals(module.file, path.join(dir, "deploy.ts"));
    assertEquals(module.dir, dir);
    assertEquals(module.url, "file://" + path.join(dir, "deploy.ts"));
  });
});

Deno.test("each loader instance evaluates its own copy; one instance shares modules", async () => {
  await withFiles({
    "a.ts": 'import { id } from "./b.ts";\nexport const fromB = id;\n',
    "b.ts": "export const id = crypto.randomUUID();\n",
  }, async (dir) => {
    const one = new ModuleLoader("host-one");
    const two = new ModuleLoader("host-two");
    const a1 = await one.import(path.join(dir, "a.ts"));
    const b1 = await one.import(path.join(dir, "b.ts"));
    const a2 = await two.import(path.join(dir, "a.ts"));
    assertEquals(a1.fromB, b1.id);
    assertEquals(a1.fromB === a2.fromB, false);
  });
});

Deno.test("a syntax error names the user's file, line and column", async () => {
  await withFiles({ "deploy.ts": "const a = 1;\nconst b: = 2;\n" }, async (dir) => {
    const error = await assertRejects(() =>
      new ModuleLoader("s").import(path.join(dir, "deploy.ts"))
    );
    assertMatch(error.message, new RegExp(`^${dir}/deploy\\.ts:2:\\d+: SyntaxError`));
    assertEquals(error.name, "DeployError");
    assertEquals(error.message.includes("data:"), false);
  });
});

Deno.test("an exception thrown by deploy code names the user's file, line and column", async () => {
  await withFiles({
    "deploy.ts": 'import "./lib.ts";\n',
    "lib.ts": "// comment\nconst x = 1;\nthrow new RangeError(`bad value ${x}`);\n",
  }, async (dir) => {
    const error = await assertRejects(() =>
      new ModuleLoader("t").import(path.join(dir, "deploy.ts"))
    );
    assertEquals(error.message, `${dir}/lib.ts:3:7: RangeError: bad value 1`);
  });
});

Deno.test("a missing relative import is reported with its path", async () => {
  await withFiles({ "deploy.ts": 'import "./nope.ts";\n' }, async (dir) => {
    await assertRejects(
      () => new ModuleLoader("m").import(path.join(dir, "deploy.ts")),
      new RegExp(`Cannot read ${dir}/nope\\.ts: no such file`),
    );
  });
});

Deno.test("stack frames of user modules map back to their files", async () => {
  await withFiles(
    { "deploy.ts": "export function where() { return new Error().stack; }\n" },
    async (dir) => {
      const loader = new ModuleLoader("stack");
      const url = await loader.urlFor(path.join(dir, "deploy.ts"));
      assertEquals(userFileOf(url), path.join(dir, "deploy.ts"));
    },
  );
});

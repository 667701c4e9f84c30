/**
 * Operations and facts of the user's own modules on the command line, as pyinfra finds
 * them: `mymod.touch` and `fact mymod.Answer` load `./mymod.ts`, whose exports make
 * its catalogue, in the coordinator and in workers.
 */
import * as path from "node:path";
import { assertEquals, assertMatch } from "../_assert.ts";
import { tsinfraIn } from "../_cli.ts";

const MODULE = `import { defineFact, defineOperation, sh } from "tsinfra";
export const Answer = defineFact({
  name: "mymod.Answer",
  command: "echo 42",
  process: (lines) => Number(lines[0]),
});
export const touch = defineOperation<{ path: string }>("mymod.touch", {
  argNames: ["path"],
  async *generator({ path }) {
    yield sh\`touch \${path}\`;
  },
});
`;

Deno.test("a user module's exported operation and fact run from the command line", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tsinfra-custom-" });
  try {
    await Deno.writeTextFile(path.join(dir, "mymod.ts"), MODULE);
    await Deno.writeTextFile(
      path.join(dir, "inventory.ts"),
      `export const hosts = [["a", { connector: "@local" }], ["b", { connector: "@local" }]];\n`,
    );
    const fact = await tsinfraIn(dir, "@local", "fact", "mymod.Answer");
    assertEquals(fact.code, 0, fact.stdout + fact.stderr);
    assertMatch(fact.stdout, /"@local": 42/);
    for (const workers of ["0", "2"]) {
      const target = path.join(dir, `touched-${workers}`);
      const out = await tsinfraIn(
        dir,
        "inventory.ts",
        "mymod.touch",
        `path=${target}`,
        "-y",
        "--workers",
        workers,
      );
      assertEquals(out.code, 0, out.stdout + out.stderr);
      await Deno.stat(target);
    }
    const unknown = await tsinfraIn(dir, "@local", "mymod.nope", "-y");
    assertEquals(unknown.code, 2, unknown.stdout + unknown.stderr);
    assertMatch(unknown.stderr, /Unknown operation mymod\.nope: mymod has mymod\.touch/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

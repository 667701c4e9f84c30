/**
 * scripts/check_layers.ts: the rule that operations never yield raw command text.
 */
import * as path from "node:path";
import { assertEquals } from "../_assert.ts";
import { rawCommandYields } from "../../scripts/check_layers.ts";

const ROOT = path.resolve(import.meta.dirname!, "../..");

Deno.test("rawCommandYields() finds template-literal and string-literal yields", () => {
  const cases: [string, number[]][] = [
    ["yield `rm -f ${path}`;", [1]],
    ['yield "apt-get update";', [1]],
    ["yield 'brew update';", [1]],
    ['if (x) yield "a";', [1]],
    ['yield available ? "apk upgrade --available" : "apk upgrade";', [1]],
    ["yield isUrl(src)\n  ? `wget ${src}`\n  : `apt-key add ${src}`;", [2, 3]],
    ["yield sh`rm -f ${path}`;", []],
    ["yield sh`apt-get update`;", []],
    ["yield* line.generate({ path });", []],
    ['yield new StringCommand([freebsd ? "pw groupdel -n" : "groupdel", quote(g)]);', []],
    ['yield sh`add ${raw(present ? "" : "--remove ")}`;', []],
    ['yield noninteractiveApt(autoRemove ? "upgrade --autoremove" : "upgrade");', []],
    ["yield info ? sh`rpm -i ${src}` : sh`rpm -q ${src}`;", []],
    ['// yield "in a comment";\n * yield `in JSDoc`;', []],
    ['const text = "a";\n  : "not after a yield";', []],
  ];
  for (const [text, lines] of cases) assertEquals(rawCommandYields(text), lines, text);
});

Deno.test("check_layers passes on src/ as it is", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "scripts/check_layers.ts"],
    cwd: ROOT,
    stdin: "null",
    env: { NO_COLOR: "1" },
  }).output();
  assertEquals(output.code, 0, new TextDecoder().decode(output.stderr));
});

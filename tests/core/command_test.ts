import {
  checkYielded,
  mask,
  quote,
  raw,
  sh,
  shellText,
  StringCommand,
} from "../../src/core/command.ts";
import { shellQuote } from "../../src/core/quote.ts";
import { assertEquals, assertMatch } from "../_assert.ts";
import { tsinfraIn } from "../_cli.ts";

const HOSTILE = [
  "plain",
  "with space",
  "it's",
  'double "quotes"',
  "$(touch /tmp/pwned)",
  "`id`",
  "new\nline",
  "back\\slash",
  "glob * ? [a]",
  "ünïcödé",
  "",
  "-n",
  "a'b'c",
];

Deno.test("shellQuote matches Python's shlex.quote", () => {
  const cases: [string, string][] = [
    ["abc", "abc"],
    ["a b", "'a b'"],
    ["it's", `'it'"'"'s'`],
    ["", "''"],
    ["/path/to-file_1.txt", "/path/to-file_1.txt"],
    ["a@b%c+d=e:f,g", "a@b%c+d=e:f,g"],
    ["$HOME", "'$HOME'"],
    ["é", "'é'"],
  ];
  for (const [input, expected] of cases) assertEquals(shellQuote(input), expected, input);
});

Deno.test("quoted values round-trip through a real sh -c, whatever bytes they hold", async () => {
  for (const value of HOSTILE) {
    const command = sh`printf '%s' ${value}`.raw();
    const output = await new Deno.Command("sh", { args: ["-c", command] }).output();
    assertEquals(new TextDecoder().decode(output.stdout), value, command);
  }
});

Deno.test("StringCommand joins parts with spaces and quotes only quote() parts", () => {
  const command = new StringCommand(["echo", quote("a b"), "c d"]);
  assertEquals(command.raw(), "echo 'a b' c d");
});

Deno.test("masked parts are hidden in the masked rendering only", () => {
  const command = new StringCommand(["mysql", "-p", mask("s3cret"), quote("db name")]);
  assertEquals(command.raw(), "mysql -p s3cret 'db name'");
  assertEquals(command.masked(), "mysql -p *** 'db name'");
  assertEquals(command.hasMask(), true);
  const nested = new StringCommand(["sh", "-c", quote(command)]);
  assertEquals(nested.masked(), `sh -c 'mysql -p *** '"'"'db name'"'"''`);
});

Deno.test("sh tag keeps literal text and raw() parts unquoted", () => {
  assertEquals(sh`ls ${raw("-la")} ${"/my dir"}`.raw(), "ls -la '/my dir'");
  assertEquals(sh`chmod ${644} ${"/x"}`.raw(), "chmod 644 /x");
});

Deno.test("an operation that yields a plain string is refused at prepare, naming it (exit 2)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tsinfra-yield-" });
  try {
    await Deno.writeTextFile(
      `${dir}/deploy.ts`,
      `import { defineOperation } from "tsinfra";
const legacy = defineOperation<{ path: string }>("custom.legacy", {
  argNames: ["path"],
  async *generator(args) {
    // deno-lint-ignore no-explicit-any
    yield \`rm -rf \${args.path}\` as any;
  },
});
legacy({ path: "/tmp/x; touch /tmp/pwned" });
`,
    );
    const out = await tsinfraIn(dir, "@local", "deploy.ts", "--dry");
    assertEquals(out.code, 2, out.stdout + out.stderr);
    assertMatch(
      out.stderr,
      /custom\.legacy \(\/tmp\/x; touch \/tmp\/pwned\) at deploy\.ts:9:1: yielded the text "rm -rf \/tmp\/x; touch \/tmp\/pwned": yield sh`\.\.\.`/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("checkYielded passes command objects and names what else was yielded", () => {
  const command = sh`true`;
  assertEquals(checkYielded(command), command);
  assertEquals(shellText("  systemctl daemon-reload\n").raw(), "systemctl daemon-reload");
  for (const [value, what] of [[null, "null"], [3, "a number"], [{}, "an object"]] as const) {
    let message = "";
    try {
      checkYielded(value);
    } catch (error) {
      message = (error as Error).message;
    }
    assertMatch(message, new RegExp(`^yielded ${what}`));
  }
});

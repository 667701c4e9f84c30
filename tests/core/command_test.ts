import { mask, quote, raw, sh, StringCommand } from "../../src/core/command.ts";
import { shellQuote } from "../../src/core/quote.ts";
import { assertEquals } from "../_assert.ts";

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

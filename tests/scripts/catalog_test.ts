/**
 * The catalogue tooling: the generated reference (docs/reference and the text behind
 * `tsinfra help`) is up to date with the source, help prints it, and api-diff runs
 * against pyinfra's catalogue and prints its verdict.
 */
import * as path from "node:path";
import { assertEquals, assertMatch, assertStringIncludes } from "../_assert.ts";
import { pythonDefault, tsDefault } from "../../scripts/api_diff.ts";
import reference from "../../src/cli/reference.json" with { type: "json" };

const ROOT = path.resolve(import.meta.dirname!, "../..");

async function run(args: string[]) {
  const output = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdin: "null",
    env: { NO_COLOR: "1" },
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: output.code, stdout: text(output.stdout), stderr: text(output.stderr) };
}

Deno.test("docs/reference and src/cli/reference.json are generated from the current source", async () => {
  const check = await run(["run", "-A", "scripts/docs.ts", "--check"]);
  assertEquals(check.code, 0, check.stderr);
});

Deno.test("tsinfra help NAME prints the generated reference of an operation and a fact", async () => {
  const op = await run(["run", "-A", "cli.ts", "help", "files.line"]);
  assertEquals(op.code, 0);
  assertEquals(op.stdout.trimEnd(), reference.operations["files.line"].trimEnd());
  assertMatch(op.stdout, /^Operation files\.line\(path, line, present,/);
  assertStringIncludes(op.stdout, "Options:");
  const fact = await run(["run", "-A", "cli.ts", "help", "server.Users"]);
  assertEquals(fact.stdout.trimEnd(), reference.facts["server.Users"].trimEnd());
});

Deno.test("api-diff finds nothing of pyinfra's catalogue missing without a reason", async () => {
  const diff = await run(["run", "-A", "scripts/api_diff.ts", "--check"]);
  assertEquals(diff.code, 0, diff.stdout + diff.stderr);
  assertMatch(
    diff.stdout,
    /^pyinfra: 130 operations, 131 facts; tsinfra: \d+ operations, \d+ facts/,
  );
  assertStringIncludes(diff.stdout, "\nNothing missing.\n");
});

Deno.test("api-diff reads Python defaults and documented TypeScript defaults alike", () => {
  assertEquals(pythonDefault("None"), null);
  assertEquals(pythonDefault("'/etc/sysctl.conf'"), "/etc/sysctl.conf");
  assertEquals(pythonDefault("(2, 3, 4, 5)"), [2, 3, 4, 5]);
  assertEquals(pythonDefault("['-ax', '--delete']"), ["-ax", "--delete"]);
  assertEquals(pythonDefault("()"), []);
  assertEquals(tsDefault('"*"'), "*");
  assertEquals(tsDefault("[]"), []);
  assertEquals(tsDefault("the user commands run as"), "the user commands run as");
});

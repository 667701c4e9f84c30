/**
 * Hostile text through @local, in a temporary folder: every generated command runs
 * through a real `sh -c`. Canaries must never appear, files must hold exactly the
 * expected bytes, and a second run must change nothing (see ./_hostile.ts). The crontab
 * and user cases need root (they make a throwaway user) and are skipped without it.
 */
import * as path from "node:path";
import assert from "node:assert/strict";
import { assertEquals, assertStringIncludes } from "../_assert.ts";
import { tsinfraIn } from "../_cli.ts";
import { generateWith } from "./_context.ts";
import { line } from "../../src/operations/files/line.ts";
import { block } from "../../src/operations/files/block.ts";
import { sedPattern, sedReplacement } from "../../src/operations/util/files.ts";
import { linkTarget, Sha1File } from "../../src/facts/files.ts";
import {
  crontabScenario,
  INJECTION_SCENARIOS,
  PAYLOAD,
  REFUSED_SCENARIOS,
  runScenario,
  type Scenario,
  shq,
  type Target,
  userScenario,
  withCanary,
} from "./_hostile.ts";

async function shell(script: string, cwd?: string): Promise<{ code: number; stdout: string }> {
  const output = await new Deno.Command("sh", { args: ["-c", script], cwd, stdin: "null" })
    .output();
  return { code: output.code, stdout: new TextDecoder().decode(output.stdout) };
}

const local: Target = { inventory: "@local", cliArgs: [], sh: (script) => shell(script) };
const isRoot = Deno.uid() === 0;

/** Runs scenarios as steps, each in its own folder under a temporary one. */
async function runAll(t: Deno.TestContext, scenarios: Scenario[], dir: string, work: string) {
  for (const [i, scenario] of scenarios.entries()) {
    await t.step(scenario.name, async () => {
      const base = path.join(work, `s${i}`);
      await runScenario(local, dir, base, withCanary(scenario, base));
    });
  }
}

Deno.test("hostile text in file operations runs nothing and is written exactly, through @local", async (t) => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "tsinfra-hostile-" }));
  const work = await Deno.realPath(await Deno.makeTempDir({ prefix: "tsinfra-hostile-work-" }));
  try {
    await Deno.writeTextFile(path.join(dir, "payload.txt"), PAYLOAD);
    await runAll(t, INJECTION_SCENARIOS, dir, work);
    await runAll(t, REFUSED_SCENARIOS, dir, work);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("relative paths starting with - or holding = are operands, not options or awk assignments", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "tsinfra-hostile-rel-" }));
  try {
    await Deno.writeTextFile(
      path.join(dir, "deploy.ts"),
      `import { files } from "tsinfra";
files.file({ path: "--help" });
files.directory({ path: "-p" });
files.file({ path: "-n", mode: 600 });
files.block({ path: "conf=1", content: "k=v" });
files.line({ path: "a=b", line: "x=1" });
`,
    );
    for (const run of [0, 1]) {
      const result = await tsinfraIn(dir, "@local", "deploy.ts", "-y", "--json");
      assertEquals(result.code, 0, result.stdout + result.stderr);
      assertEquals(JSON.parse(result.stdout).totals.changed, run === 0 ? 5 : 0, `run ${run + 1}`);
    }
    assert((await Deno.stat(path.join(dir, "--help"))).isFile);
    assert((await Deno.stat(path.join(dir, "-p"))).isDirectory);
    assertEquals((await Deno.stat(path.join(dir, "-n"))).mode! & 0o777, 0o600);
    assertEquals(
      await Deno.readTextFile(path.join(dir, "conf=1")),
      "# BEGIN PYINFRA BLOCK\nk=v\n# END PYINFRA BLOCK\n",
    );
    assertEquals(await Deno.readTextFile(path.join(dir, "a=b")), "x=1\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const hasCrontab = (await shell("command -v crontab")).code === 0;

Deno.test({
  name:
    "server.crontab keeps backslashes and hostile text exactly, refuses a newline in cronName, and leaves no temporary file",
  ignore: !isRoot || !hasCrontab,
  async fn() {
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "tsinfra-hostile-cron-" }));
    try {
      await crontabScenario(local, dir);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "server.user with a backslash in the comment runs usermod once",
  ignore: !isRoot,
  async fn() {
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "tsinfra-hostile-user-" }));
    try {
      await userScenario(local, dir);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("sedPattern and sedReplacement leave sed no way out of the s command, for every byte", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "tsinfra-hostile-sed-" }));
  try {
    const canary = path.join(dir, "canary");
    // Every printable ASCII byte and the awkward ones, as pattern text and as replacement.
    const bytes = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join("");
    const hostile = [
      `\\/e touch ${canary}\\/`,
      `\\`,
      `a\\`,
      `/;e touch ${canary};#`,
      `\\\\/;e touch ${canary};#`,
      bytes,
      `x\ty\u00e9\u0001`,
    ];
    for (const text of hostile) {
      const file = path.join(dir, "f");
      await Deno.writeTextFile(file, "line\n");
      const script = `s/${sedPattern(text)}/${sedReplacement(text)}/;s/^line$/${
        sedReplacement(text)
      }/`;
      const run = await shell(`sed ${shq(script)} ${shq(file)}`);
      assertEquals(await Deno.stat(canary).catch(() => null), null, text);
      // The replacement is written literally.
      if (run.code === 0) assertEquals(run.stdout, `${text}\n`, text);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("files.line and files.block refuse a newline in `line` before any fact is read", async () => {
  const facts = () => {
    throw new Error("no fact may be read");
  };
  for (
    const run of [
      () => generateWith(line, { path: "/f", line: "a\n;e touch /tmp/x" }, { facts }),
      () => generateWith(line, { path: "/f", line: "a", replace: "b\nc" }, { facts }),
      () => generateWith(block, { path: "/f", content: "c", line: "a\nb", after: true }, { facts }),
    ]
  ) {
    let message = "";
    await run().catch((error) => (message = String(error)));
    assertStringIncludes(message, "OperationValueError");
    assertStringIncludes(message, "newline");
  }
});

Deno.test("link targets decode GNU stat's $'\\ooo' escapes; hash facts read the names GNU escapes", () => {
  assertEquals(linkTarget(`'/a' -> '/srv/caf'$'\\303\\251'' x'`), "/srv/caf\u00e9 x");
  assertEquals(linkTarget(`'/a' -> $'\\001\\t\\'x'`), "\u0001\t'x");
  const sum = "a".repeat(40);
  assertEquals(Sha1File.process([`${sum}  ./-x`], { path: "-x" }), sum);
  assertEquals(Sha1File.process([`\\${sum}  /a\\nb`], { path: "/a\nb" }), sum);
  assertEquals(Sha1File.process([`\\${sum}  /a\\r`], { path: "/a\r" }), sum);
  assertEquals(Sha1File.process([`${sum}  /other`], { path: "/a" }), null);
  assertEquals(Sha1File.process([`SHA1 (/a) b`, `c) = ${sum}`], { path: "/a) b\nc" }), sum);
});

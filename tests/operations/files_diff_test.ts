/**
 * `--diff` for `files.line`, `files.replace` and `files.block`: the content they predict
 * is compared with what the real sed and awk commands write, byte for byte, and the CLI
 * prints it as a unified diff without costing a run without `--diff` anything.
 *
 * @module
 */
import * as path from "node:path";
import type { OperationContext } from "../../src/core/operation.ts";
import type { Fact, FactArgs } from "../../src/core/fact.ts";
import { GLOBAL_ARGUMENT_DEFAULTS } from "../../src/core/arguments.ts";
import { type OperationCommand, StringCommand } from "../../src/core/command.ts";
import { DiskFiles } from "../../src/core/local_files.ts";
import { Host } from "../../src/core/host.ts";
import { LocalConnector } from "../../src/connectors/local.ts";
import { block, line, replace } from "../../src/operations/files.ts";
import { awkInsertBlock, sedSubstitute } from "../../src/operations/files/_emulate.ts";
import { sedPattern, sedReplacement } from "../../src/operations/util/files.ts";
import { withProject } from "../runner/_harness.ts";
import { tsinfraIn } from "../_cli.ts";
import { assertEquals, assertStringIncludes } from "../_assert.ts";

type DiffSink = (path: string, before: string, after: string) => void;
type Generate = (
  path: string,
  ctx: OperationContext,
) => AsyncGenerator<OperationCommand, void, undefined>;

/**
 * Runs an operation's generator on the real local machine with diffs asked for (as
 * prepare does with `--diff`), then runs its commands with `sh`; returns the predicted
 * content (null when none was predicted) and the file's real content afterwards.
 */
async function predictAndRun(
  file: string,
  generate: Generate,
  dir: string,
): Promise<{ predicted: string | null; real: string; commands: number }> {
  const host = new Host({
    name: "@local",
    groups: [],
    data: {},
    defaults: {},
    connector: () => new LocalConnector(),
  });
  let predicted: string | null = null;
  const ctx: OperationContext & { diff: DiffSink } = {
    host: {
      name: host.name,
      data: {},
      groups: [],
      getFact: <T, F extends FactArgs>(fact: Fact<T, F>, factArgs?: Partial<F>) =>
        host.getFact(fact, factArgs),
    },
    globals: { ...GLOBAL_ARGUMENT_DEFAULTS },
    local: new DiskFiles(dir),
    noop: () => {},
    tempFilename: () => path.join(dir, "temp"),
    privateTempFilename: () => path.join(dir, "temp"),
    timestamp: () => "a-timestamp",
    templateGlobals: {},
    diff: (_path, _before, after) => (predicted = after),
  };
  const commands: string[] = [];
  for await (const yielded of generate(file, ctx)) {
    const command = yielded;
    if (!(command instanceof StringCommand)) throw new Error("Expected a shell command");
    commands.push(command.raw());
  }
  for (const command of commands) {
    const output = await new Deno.Command("sh", { args: ["-c", command], cwd: dir }).output();
    assertEquals(output.code, 0, new TextDecoder().decode(output.stderr));
  }
  await host.disconnect();
  const real = await Deno.readTextFile(file).catch(() => "(missing)");
  return { predicted, real, commands: commands.length };
}

interface Case {
  name: string;
  /** The file before, or null for none. */
  content: string | null;
  generate: Generate;
  /** No diff is predicted (the emulation cannot be sure). @default {false} */
  unpredicted?: boolean;
}

const HOSTS = "127.0.0.1 localhost\n# x\n10.0.0.1 db\n";
const BLOCK = "top\n# BEGIN PYINFRA BLOCK\nold 1\nold 2\n# END PYINFRA BLOCK\nbottom\n";

const CASES: Case[] = [
  {
    name: "line appended",
    content: HOSTS,
    generate: (path, ctx) => line.generate({ path, line: "10.0.0.2 cache" }, ctx),
  },
  {
    name: "line appended to a file without a final newline",
    content: "a\nb",
    generate: (path, ctx) => line.generate({ path, line: "c" }, ctx),
  },
  {
    name: "line appended with ensureNewline",
    content: "a\nb",
    generate: (path, ctx) => line.generate({ path, line: "c", ensureNewline: true }, ctx),
  },
  {
    name: "line appended to a missing file",
    content: null,
    generate: (path, ctx) => line.generate({ path, line: "first" }, ctx),
  },
  {
    name: "line with a backslash and a leading dash (printf)",
    content: "a\n",
    generate: (path, ctx) =>
      line.generate({ path, line: "-x \\t y", escapeRegexCharacters: true }, ctx),
  },
  {
    name: "matching line replaced",
    content: "PermitRootLogin yes\nPort 22\n#PermitRootLogin no\n",
    generate: (path, ctx) =>
      line.generate({ path, line: "^PermitRootLogin", replace: "PermitRootLogin no" }, ctx),
  },
  {
    name: "every matching line replaced, with sed characters in the replacement",
    content: "key = 1\nother\nkey = 2\n",
    generate: (path, ctx) =>
      line.generate({ path, line: "^key = ", replace: "key = a/b & c\\d" }, ctx),
  },
  {
    name: "matching line replaced ignoring case, in UTF-8 text",
    content: "Été\nDEBUG = on\nnaïve\n",
    generate: (path, ctx) =>
      line.generate({ path, line: "^DEBUG", replace: "debug = off", flags: ["i"] }, ctx),
    // The i flag folds case by the host's locale: with non-ASCII text nothing is shown.
    unpredicted: true,
  },
  {
    name: "matching line replaced in a file with CRLF line ends and no final newline",
    content: "a = 1\r\nb = 2\r\nc = 3",
    generate: (path, ctx) => line.generate({ path, line: "^b = ", replace: "b = 9" }, ctx),
  },
  {
    name: "matching lines removed",
    content: "keep\ndrop me\nkeep too\ndrop me as well",
    generate: (path, ctx) => line.generate({ path, line: "drop", present: false }, ctx),
  },
  {
    name: "line found literally with regex characters",
    content: "x.y[1] = 2\nxay[1] = 2\n",
    generate: (path, ctx) =>
      line.generate({
        path,
        line: "x.y[1] = 2",
        replace: "x.y[1] = 3",
        escapeRegexCharacters: true,
      }, ctx),
  },
  {
    name: "line with an interpolated variable (the shell expands it)",
    content: "a\n",
    generate: (path, ctx) =>
      line.generate({ path, line: "home=$HOME", interpolateVariables: true }, ctx),
    unpredicted: true,
  },
  {
    name: "text replaced once per line",
    content: "foo foo\nbar\nfoo\n",
    generate: (path, ctx) => replace.generate({ path, text: "foo", replace: "baz" }, ctx),
  },
  {
    name: "text replaced everywhere with groups",
    content: "port=80 host=a\nport=8080\n",
    generate: (path, ctx) =>
      replace.generate({ path, text: "port=\\([0-9]*\\)", replace: "listen=\\1", flags: "g" }, ctx),
  },
  {
    name: "empty matches replaced as GNU sed does",
    content: "baaac\n",
    generate: (path, ctx) =>
      replace.generate({ path, text: "a*", replace: "x", flags: ["g"] }, ctx),
  },
  {
    name: "second match replaced, GNU sed's interval and alternation",
    content: "ab ab abab\ncat dog\n",
    generate: (path, ctx) =>
      replace.generate({ path, text: "\\(ab\\)\\{1,2\\}\\|dog", replace: "<&>", flags: "2" }, ctx),
  },
  {
    name: "POSIX picks the longest alternative",
    content: "abcd\n",
    generate: (path, ctx) => replace.generate({ path, text: "a\\|ab\\|abc", replace: "X" }, ctx),
  },
  {
    name: "anchors, a dot and a word boundary",
    content: "debug.level = 3\ndebuglevel = 4\n",
    generate: (path, ctx) =>
      replace.generate(
        { path, text: "^debug\\.\\<level\\> = .*$", replace: "debug.level = 0" },
        ctx,
      ),
  },
  {
    name: "block added at the end",
    content: HOSTS,
    generate: (path, ctx) => block.generate({ path, content: "10.0.0.5 web\n10.0.0.6 web2" }, ctx),
  },
  {
    name: "block added to a file without a final newline",
    content: "a\nb",
    generate: (path, ctx) => block.generate({ path, content: "x" }, ctx),
  },
  {
    name: "block written to a missing file",
    content: null,
    generate: (path, ctx) => block.generate({ path, content: "only" }, ctx),
  },
  {
    name: "block replaced in place",
    content: BLOCK,
    generate: (path, ctx) => block.generate({ path, content: ["new 1", "new 2", "new 3"] }, ctx),
  },
  {
    name: "block removed",
    content: BLOCK,
    generate: (path, ctx) => block.generate({ path, present: false }, ctx),
  },
  {
    name: "block with shell characters replaced in place, custom markers",
    content: "<html>\n<!-- BEGIN X -->\nold\n<!-- END X -->\n</html>",
    generate: (path, ctx) =>
      block.generate({ path, content: 'say "$HOME" `id` \\n', marker: "<!-- {mark} X -->" }, ctx),
  },
  {
    name: "block put after a matching line",
    content: "[main]\na = 1\n[other]\nb = 2\n",
    generate: (path, ctx) =>
      block.generate({ path, content: "c = 3", line: "^\\[main\\]$", after: true }, ctx),
  },
  {
    name: "block put before a literal line",
    content: "one\n(two) | three\nfour\n",
    generate: (path, ctx) =>
      block.generate({
        path,
        content: "inserted",
        line: "(two) | three",
        before: true,
        escapeRegexCharacters: true,
      }, ctx),
  },
  {
    name: "block put at the end when no line matches",
    content: "one\ntwo\n",
    generate: (path, ctx) =>
      block.generate({ path, content: "inserted", line: "nothing", after: true }, ctx),
  },
];

Deno.test("files.line, files.replace and files.block predict byte for byte what sed and awk write", async () => {
  await withProject({}, async (dir) => {
    for (const [i, c] of CASES.entries()) {
      const file = path.join(dir, `case-${i}`);
      if (c.content !== null) await Deno.writeTextFile(file, c.content);
      const { predicted, real, commands } = await predictAndRun(file, c.generate, dir);
      assertEquals(commands, 1, `${c.name}: one command`);
      if (c.unpredicted) assertEquals(predicted, null, `${c.name}: no diff`);
      else assertEquals(predicted, real, c.name);
    }
  });
});

/** The text a printed diff turns `before` into (files ending with a newline). */
function applyPrintedDiff(before: string, printed: string): string {
  const old = before.split("\n").slice(0, -1);
  const out: string[] = [];
  let at = 0;
  for (const hunk of printed.split(/^@@ /m).slice(1)) {
    const start = Number(/^-(\d+)/.exec(hunk)![1]);
    const from = start === 0 ? 0 : start - 1;
    out.push(...old.slice(at, from));
    at = from;
    for (const text of hunk.split("\n").slice(1)) {
      if (text.startsWith("+")) out.push(text.slice(1));
      else if (text.startsWith("-")) {
        assertEquals(text.slice(1), old[at++]);
      } else if (text.startsWith(" ")) {
        assertEquals(text.slice(1), old[at++]);
        out.push(text.slice(1));
      }
    }
  }
  out.push(...old.slice(at));
  return out.map((l) => `${l}\n`).join("");
}

/** The diff printed under the operation at `deploy.ts:LINE`, without its indentation. */
function printedDiff(stdout: string, deployLine: number): string {
  const lines = stdout.split("\n");
  const at = lines.findIndex((l) => l.includes(`(deploy.ts:${deployLine}:`));
  if (at < 0) throw new Error(`No operation at line ${deployLine} in:\n${stdout}`);
  const out: string[] = [];
  for (const l of lines.slice(at + 1)) {
    if (!l.startsWith("            ")) break;
    out.push(l.slice(12));
  }
  return out.join("\n");
}

const FILES = {
  "sshd": "Port 22\nPermitRootLogin yes\nX11Forwarding yes\n",
  "app.conf": "[main]\nname = app\nport = 80\nport = 81\n",
  "hosts": "127.0.0.1 localhost\n# BEGIN PYINFRA BLOCK\n10.0.0.1 old\n# END PYINFRA BLOCK\n",
  "motd": "Welcome\nDOWN FOR MAINTENANCE\nBye\n",
};

const DEPLOY = `import { files } from "tsinfra";
files.line({ path: "$DIR/sshd", line: "^PermitRootLogin", replace: "PermitRootLogin no" });
files.replace({ path: "$DIR/app.conf", text: "^port = \\\\([0-9]*\\\\)", replace: "port = 80\\\\1" });
files.block({ path: "$DIR/hosts", content: "10.0.0.1 db\\n10.0.0.2 cache" });
files.line({ path: "$DIR/motd", line: "DOWN FOR MAINTENANCE", present: false });
files.block({ path: "$DIR/app.conf.d", content: "new = 1" });
`;

Deno.test("--diff prints what files.line, files.replace and files.block will change, and the run writes exactly that", async () => {
  await withProject({ ...FILES, "deploy.ts": DEPLOY }, async (dir) => {
    const dry = await tsinfraIn(dir, "@local", "deploy.ts", "--dry", "--diff");
    assertEquals(dry.code, 0, dry.stderr);
    const sshd = printedDiff(dry.stdout, 2);
    assertStringIncludes(sshd, `--- ${dir}/sshd\n+++ ${dir}/sshd\n@@ -1,3 +1,3 @@\n`);
    assertStringIncludes(sshd, " Port 22\n-PermitRootLogin yes\n+PermitRootLogin no\n X11");
    assertStringIncludes(
      printedDiff(dry.stdout, 3),
      "-port = 80\n-port = 81\n+port = 8080\n+port = 8081",
    );
    assertStringIncludes(
      printedDiff(dry.stdout, 4),
      "# BEGIN PYINFRA BLOCK\n-10.0.0.1 old\n+10.0.0.1 db\n+10.0.0.2 cache\n # END",
    );
    assertStringIncludes(printedDiff(dry.stdout, 5), " Welcome\n-DOWN FOR MAINTENANCE\n Bye");
    assertStringIncludes(
      printedDiff(dry.stdout, 6),
      "@@ -0,0 +1,3 @@\n+# BEGIN PYINFRA BLOCK\n+new = 1\n+# END PYINFRA BLOCK",
    );
    // Nothing changed under --dry.
    for (const [name, text] of Object.entries(FILES)) {
      assertEquals(await Deno.readTextFile(path.join(dir, name)), text);
    }

    const run = await tsinfraIn(dir, "@local", "deploy.ts", "-y");
    assertEquals(run.code, 0, run.stderr);
    for (const [deployLine, name] of [[2, "sshd"], [3, "app.conf"], [4, "hosts"], [5, "motd"]]) {
      const before = FILES[name as keyof typeof FILES];
      assertEquals(
        await Deno.readTextFile(path.join(dir, name as string)),
        applyPrintedDiff(before, printedDiff(dry.stdout, deployLine as number)),
        `${name}: the file is what the diff said`,
      );
    }
    assertEquals(
      await Deno.readTextFile(path.join(dir, "app.conf.d")),
      applyPrintedDiff("", printedDiff(dry.stdout, 6)),
    );
  });
});

Deno.test("without --diff no file content is read; with it, no round trip is added", async () => {
  await withProject({ ...FILES, "deploy.ts": DEPLOY }, async (dir) => {
    const plain = await tsinfraIn(dir, "@local", "deploy.ts", "--debug-facts");
    assertEquals(plain.code, 0, plain.stderr);
    assertStringIncludes(plain.stdout, "files.FindInFile");
    assertEquals(plain.stdout.includes("od -A n"), false, plain.stdout);
    const withDiff = await tsinfraIn(dir, "@local", "deploy.ts", "--debug-facts", "--diff");
    assertStringIncludes(withDiff.stdout, "od -A n -v -t x1");

    const stats = async (...flags: string[]) => {
      const out = await tsinfraIn(dir, "@local", "deploy.ts", "--dry", "--json", ...flags);
      assertEquals(out.code, 0, out.stderr);
      const host = JSON.parse(out.stdout).hosts["@local"];
      return {
        roundTrips: host.stats.roundTrips,
        diffs: host.operations.map((o: { diffs?: string[] }) => o.diffs?.length ?? 0),
      };
    };
    const without = await stats();
    const withDiffs = await stats("--diff");
    assertEquals(without.diffs, [0, 0, 0, 0, 0]);
    assertEquals(withDiffs.diffs, [1, 1, 1, 1, 1]);
    assertEquals(withDiffs.roundTrips, without.roundTrips);
  });
});

const GNU_SED = new Deno.Command("sed", { args: ["--version"], stdout: "piped", stderr: "null" })
  .outputSync().stdout;

/** A seeded generator (mulberry32): the same cases on every run. */
function seeded(seed: number): (n: number) => number {
  return (n) => {
    seed = (seed + 0x6D2B79F5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
}

Deno.test({
  name: "sed's s command and awk's line test are emulated exactly or not at all (random cases)",
  ignore: !new TextDecoder().decode(GNU_SED).includes("GNU sed"),
  fn: async () => {
    const rnd = seeded(7);
    const pick = <T>(list: T[]) => list[rnd(list.length)];
    const basic = ["a", "b", "ab", ".", "*", "\\(a*\\)", "\\(a\\|ab\\)", "\\+", "\\?", "^", "$"]
      .concat(["[ab]", "[^a]", "\\{1,2\\}", "x", "\\.", "/", "\\<", "é", "[[:alpha:]]*"]);
    const extended = ["a", "b", "ab", ".", "*", "+", "?", "(a|ab)", "^", "$", "[ab]", "[^a]"]
      .concat(["x", "\\.", "é", "/", "\\("]);
    let emulated = 0;
    await withProject({}, async (dir) => {
      const file = path.join(dir, "in");
      for (let k = 0; k < 300; k++) {
        const content = Array.from(
          { length: 1 + rnd(3) },
          () => Array.from({ length: rnd(8) }, () => pick([..."aab.xé /(*"])).join(""),
        ).join("\n") + pick(["\n", "\n", ""]);
        await Deno.writeTextFile(file, content);
        const pattern = Array.from({ length: 1 + rnd(4) }, () => pick(basic)).join("");
        const replacement = pick(["X", "<&>", "[\\1]", ""]);
        const flags = pick(["", "g", "2", "2g"]);
        const script = `s/${sedPattern(pattern)}/${sedReplacement(replacement)}/${flags}`;
        const sed = await new Deno.Command("sed", { args: ["-e", script, file], stderr: "null" })
          .output();
        const mine = sedSubstitute(content, sedPattern(pattern), sedReplacement(replacement), {
          flags,
        });
        const real = sed.success ? new TextDecoder().decode(sed.stdout) : null;
        if (mine !== null) {
          assertEquals(mine, real, JSON.stringify({ script, content }));
          emulated++;
        }

        const regex = Array.from({ length: 1 + rnd(3) }, () => pick(extended)).join("");
        const program = `BEGIN {x=ARGV[2]; l=ARGV[3]; ARGV[2]=""; ARGV[3]=""} ` +
          `f!=1 && $0 ~ l { print x; f=1} END {if (f==0) print x } { print }`;
        const awk = await new Deno.Command("awk", {
          args: [program, file, "BLOCK", regex],
          stderr: "piped",
        }).output();
        const awkOut = awk.success && !awk.stderr.length
          ? new TextDecoder().decode(awk.stdout)
          : null;
        const predicted = awkInsertBlock(content, "BLOCK", { kind: "regex", regex }, true);
        if (predicted !== null) {
          assertEquals(predicted, awkOut, JSON.stringify({ regex, content }));
          emulated++;
        }
      }
    });
    // Most cases are emulated; the rest (locale-dependent, invalid) show no diff.
    assertEquals(emulated > 300, true, `${emulated} emulated`);
  },
});

/**
 * Hostile text through the file, crontab and user operations, for real: each scenario
 * writes a deploy whose values carry canaries (`$(touch K)`, `;touch K`, `e touch K`,
 * `|\/{system("touch K")}`), runs it twice through the CLI against a target (@local or a
 * fleet host over @ssh with sudo), and checks on the target that no canary appeared, that
 * the files hold exactly the expected bytes, and that the second run changed nothing.
 *
 * @module
 */
import assert from "node:assert/strict";
import { assertEquals, assertStringIncludes } from "../_assert.ts";
import { type RunResult, tsinfraIn } from "../_cli.ts";

/** Where the commands run, and how a test looks at what they did. */
export interface Target {
  /** The inventory argument (`@local`, or a file written into the deploy folder). */
  inventory: string;
  /** Extra CLI arguments (`--sudo`). */
  cliArgs: string[];
  /** Runs a shell script on the target (as root), for setting up and checking. */
  sh(script: string): Promise<{ code: number; stdout: string }>;
}

/** One case: files set up on the target, a deploy, and what the target must hold after. */
export interface Scenario {
  /** The behaviour, as the test step is named. */
  name: string;
  /** A shell script run on the target before the deploy (`R` is the scenario's folder). */
  setup?: string;
  /** The deploy's operations (TypeScript; `R` and `K` are defined as strings). */
  deploy: string;
  /** Files (relative to R) and their exact bytes after the first run. */
  files?: Record<string, string>;
  /** Links (relative to R) and their exact targets. */
  links?: Record<string, string>;
  /** A further check on the target after both runs. */
  check?: (target: Target, root: string) => Promise<void>;
  /** The first run must fail with these texts in its output; nothing else is checked. */
  refused?: string[];
  /** The number of changed operations in the first run. @default {1} */
  changes?: number;
}

/** A value written as a TypeScript literal (JSON is one). */
export function literal(value: string): string {
  return JSON.stringify(value);
}

async function tsinfra(dir: string, target: Target, ...args: string[]): Promise<RunResult> {
  return await tsinfraIn(dir, target.inventory, "deploy.ts", "-y", ...target.cliArgs, ...args);
}

/** The exact bytes of a file on the target, or null when it is not there. */
async function readBytes(target: Target, file: string): Promise<string | null> {
  const out = await target.sh(`test -f ${shq(file)} && base64 -w0 < ${shq(file)}`);
  if (out.code !== 0) return null;
  return new TextDecoder().decode(Uint8Array.from(atob(out.stdout), (c) => c.charCodeAt(0)));
}

async function readLinkTarget(target: Target, file: string): Promise<string | null> {
  const out = await target.sh(`test -L ${shq(file)} && readlink -- ${shq(file)} | base64 -w0`);
  if (out.code !== 0) return null;
  const text = new TextDecoder().decode(Uint8Array.from(atob(out.stdout), (c) => c.charCodeAt(0)));
  return text.replace(/\n$/, "");
}

/** Single-quotes a word for the shell. */
export function shq(text: string): string {
  return "'" + text.replaceAll("'", `'"'"'`) + "'";
}

function changedCount(result: RunResult): number {
  const report = JSON.parse(result.stdout);
  return report.totals.changed as number;
}

/**
 * Runs one scenario on a target: set up, --dry (no canary), run, run again.
 *
 * @param dir The controller folder for the deploy (emptied of deploy.ts between cases).
 * @param base The scenario's folder on the target (created, left for the caller to remove).
 */
export async function runScenario(
  target: Target,
  dir: string,
  base: string,
  scenario: Scenario,
): Promise<void> {
  const root = base;
  const canary = `${base}.canary`;
  await target.sh(`rm -rf ${shq(root)} ${shq(canary)} && mkdir -p ${shq(root)}`);
  if (scenario.setup) {
    const setup = await target.sh(`R=${shq(root)}; cd "$R" && ${scenario.setup}`);
    assertEquals(setup.code, 0, `setup of ${scenario.name}`);
  }
  const source = `import { files, server } from "tsinfra";\n` +
    `const R = ${literal(root)};\nconst K = ${literal(canary)};\n` +
    `void R; void K;\n${scenario.deploy}\n`;
  await Deno.writeTextFile(`${dir}/deploy.ts`, source);
  const noCanary = async (when: string) => {
    const seen = await target.sh(`test -e ${shq(canary)}`);
    assert(seen.code !== 0, `${scenario.name}: the canary appeared ${when}`);
  };

  const dry = await tsinfra(dir, target, "--dry");
  await noCanary("under --dry");
  if (scenario.refused) {
    const first = await tsinfra(dir, target, "--json");
    assert(first.code !== 0, `${scenario.name}: was not refused\n${first.stdout}`);
    for (const text of scenario.refused) assertStringIncludes(first.stdout + first.stderr, text);
    await noCanary("after the refused run");
    for (const [file, bytes] of Object.entries(scenario.files ?? {})) {
      assertEquals(await readBytes(target, `${root}/${file}`), bytes, `${scenario.name}: ${file}`);
    }
    return;
  }
  assertEquals(dry.code, 0, `${scenario.name} --dry:\n${dry.stdout}${dry.stderr}`);

  const first = await tsinfra(dir, target, "--json");
  assertEquals(first.code, 0, `${scenario.name}, first run:\n${first.stdout}${first.stderr}`);
  assertEquals(changedCount(first), scenario.changes ?? 1, `${scenario.name}: first run`);
  await noCanary("after the first run");
  for (const [file, bytes] of Object.entries(scenario.files ?? {})) {
    assertEquals(await readBytes(target, `${root}/${file}`), bytes, `${scenario.name}: ${file}`);
  }
  for (const [file, wanted] of Object.entries(scenario.links ?? {})) {
    assertEquals(await readLinkTarget(target, `${root}/${file}`), wanted, scenario.name);
  }

  const second = await tsinfra(dir, target, "--json");
  assertEquals(second.code, 0, `${scenario.name}, second run:\n${second.stdout}${second.stderr}`);
  assertEquals(changedCount(second), 0, `${scenario.name}: the second run changed something`);
  await noCanary("after the second run");
  for (const [file, bytes] of Object.entries(scenario.files ?? {})) {
    assertEquals(await readBytes(target, `${root}/${file}`), bytes, `${scenario.name}: ${file}`);
  }
  if (scenario.check) await scenario.check(target, root);
}

/** The payload files.put uploads (written next to the deploy). */
export const PAYLOAD = "payload $(id) `id` \\\r\n";

/**
 * The injection and idempotence cases that hold on any POSIX target with absolute
 * paths (run through @local and through @ssh with sudo).
 */
export const INJECTION_SCENARIOS: Scenario[] = [
  {
    name: "files.replace writes a replacement with \\/ literally and runs no sed `e` command",
    setup: `printf 'hello\\n' > replace.txt`,
    deploy:
      `files.replace({ path: R + "/replace.txt", text: "hello", replace: "touch " + K + " \\\\/e;#" });`,
    files: { "replace.txt": "touch CANARY \\/e;#\n" },
  },
  {
    name: "files.replace keeps a user's \\/ in the pattern as one escaped slash",
    setup: `printf 'x\\\\ x/touch %s /e;#\\n' "$R.canary" > replace2.txt`,
    deploy:
      `files.replace({ path: R + "/replace2.txt", text: "x\\\\/touch " + K + " \\\\/e;#", replace: "done" });`,
    files: { "replace2.txt": "x\\ done\n" },
  },
  {
    name: "files.line present: false deletes the line and runs no sed `e` command",
    setup: `printf 'keep\\nx/p;e touch %s;#\\n' "$R.canary" > line-del.txt`,
    deploy:
      `files.line({ path: R + "/line-del.txt", line: "x\\\\/p;e touch " + K + ";#", present: false });`,
    files: { "line-del.txt": "keep\n" },
  },
  {
    name: "files.line replace writes the replacement literally and finds it on the next run",
    setup: `printf 'name = old\\n' > line-rep.txt`,
    deploy:
      `files.line({ path: R + "/line-rep.txt", line: "^name = ", replace: "touch " + K + " \\\\/e;# $(touch " + K + ") & [x]" });`,
    files: { "line-rep.txt": "touch CANARY \\/e;# $(touch CANARY) & [x]\n" },
  },
  {
    name: "files.block passes `line` to awk as data: |\\/{system()} runs nothing",
    setup: `printf 'first\\nsecond\\n' > block-line.txt`,
    deploy:
      `files.block({ path: R + "/block-line.txt", content: "inserted", line: '|\\\\/{system("touch ' + K + '")} #', after: true });`,
    files: {
      "block-line.txt": "first\n# BEGIN PYINFRA BLOCK\ninserted\n# END PYINFRA BLOCK\nsecond\n",
    },
  },
  {
    name: "files.block finds a literal line with regex characters and |",
    setup: `printf 'a\\nx|y.*(z)\\nb\\n' > block-literal.txt`,
    deploy:
      `files.block({ path: R + "/block-literal.txt", content: "c", line: "x|y.*(z)", before: true, escapeRegexCharacters: true });`,
    files: {
      "block-literal.txt": "a\n# BEGIN PYINFRA BLOCK\nc\n# END PYINFRA BLOCK\nx|y.*(z)\nb\n",
    },
  },
  {
    name: "files.block markers with / and awk code are found literally, also under --dry",
    setup: `printf '# END here\\n' > block-marker.txt`,
    deploy:
      `files.block({ path: R + "/block-marker.txt", content: "m1", marker: '# {mark} /{system("touch ' + K + '")} # a.b|c\\\\d' });`,
    files: {
      "block-marker.txt": '# END here\n# BEGIN /{system("touch CANARY")} # a.b|c\\d\nm1\n' +
        '# END /{system("touch CANARY")} # a.b|c\\d\n',
    },
  },
  {
    name: "files.block updates and removes a block whose markers hold / and backslashes",
    setup:
      `printf 'top\\n# <a/b\\\\> start\\nold\\n# <a/b\\\\> stop\\nbottom\\n' > block-update.txt &&
      printf 'keep\\n# <a/b\\\\> start\\ngone $(x)\\n# <a/b\\\\> stop\\n' > block-remove.txt`,
    deploy:
      `files.block({ path: R + "/block-update.txt", content: "new $(touch " + K + ")", marker: "# <a/b\\\\> {mark}", begin: "start", end: "stop" });
files.block({ path: R + "/block-remove.txt", present: false, marker: "# <a/b\\\\> {mark}", begin: "start", end: "stop" });`,
    files: {
      "block-update.txt": "top\n# <a/b\\> start\nnew $(touch CANARY)\n# <a/b\\> stop\nbottom\n",
      "block-remove.txt": "keep\n",
    },
    changes: 2,
  },
  {
    name: "files.block with CRLF content is compared byte for byte: the second run changes nothing",
    setup: `printf 'top\\n' > crlf.txt`,
    deploy: `files.block({ path: R + "/crlf.txt", content: "a\\r\\nb\\r\\n" });`,
    files: { "crlf.txt": "top\n# BEGIN PYINFRA BLOCK\na\r\nb\r\n\n# END PYINFRA BLOCK\n" },
  },
  {
    name: "files.link to a target with non-ASCII and control characters is made once",
    deploy: `files.link({ path: R + "/link-odd", target: "/srv/caf\\u00e9 \\u0001\\t'\\\\x" });`,
    links: { "link-odd": "/srv/caf\u00e9 \u0001\t'\\x" },
  },
  {
    name: "files.link to a target starting with - makes that link",
    deploy: `files.link({ path: R + "/link-dash", target: "-n" });`,
    links: { "link-dash": "-n" },
  },
  {
    name: "files.put to a name with a backslash, a quote and non-ASCII uploads once",
    deploy: `files.put({ src: "./payload.txt", dest: R + "/put \\\\n 'q' \u00e9 $(x)" });`,
    files: { "put \\n 'q' \u00e9 $(x)": PAYLOAD },
  },
];

/** Values refused before anything runs (also under --dry), naming the argument. */
export const REFUSED_SCENARIOS: Scenario[] = [
  {
    name: "files.block refuses a newline in `line`",
    setup: `printf 'a\\n' > refused-block.txt`,
    deploy:
      `files.block({ path: R + "/refused-block.txt", content: "c", line: "a\\n;touch " + K, after: true });`,
    refused: ["`line`", "files.block"],
    files: { "refused-block.txt": "a\n" },
  },
  {
    name: "files.line refuses a newline in `line`",
    setup: `printf 'a\\n' > refused-line.txt`,
    deploy:
      `files.line({ path: R + "/refused-line.txt", line: "a\\ne touch " + K, present: false });`,
    refused: ["`line`", "files.line"],
    files: { "refused-line.txt": "a\n" },
  },
  {
    name: "files.block refuses a newline in the marker",
    setup: `printf 'a\\n' > refused-marker.txt`,
    deploy:
      `files.block({ path: R + "/refused-marker.txt", content: "c", marker: "# {mark}\\n;touch " + K });`,
    refused: ["`marker`"],
    files: { "refused-marker.txt": "a\n" },
  },
];

/**
 * Replaces the literal CANARY in expected bytes with the scenario's canary path, so the
 * expectations above can be written once.
 */
export function withCanary(scenario: Scenario, base: string): Scenario {
  const canary = `${base}.canary`;
  const swap = (text: string) => text.replaceAll("CANARY", canary);
  const files = Object.fromEntries(
    Object.entries(scenario.files ?? {}).map(([name, bytes]) => [name, swap(bytes)]),
  );
  return { ...scenario, files };
}

/** Runs the deploy in `dir` against the target once, with --json. */
function deployOnce(dir: string, target: Target): Promise<RunResult> {
  return tsinfra(dir, target, "--json");
}

/**
 * server.crontab on the target, for a throwaway user: a command full of backslashes,
 * quotes and canaries is written exactly, a schedule change rewrites only that line,
 * every second run changes nothing, a newline in cronName is refused, and no copy of the
 * crontab is left in /tmp.
 */
export async function crontabScenario(target: Target, dir: string): Promise<void> {
  const user = `tsinfra-c${Math.floor(Math.random() * 1e6)}`;
  const work = (await target.sh("mktemp -d")).stdout.trim();
  const canary = `${work}/canary`;
  const command = `printf 'a\\tb\\\\n' "$(touch ${canary})" \\/e;# & touch ${canary}`;
  const deploy = (hour: number, name = "job") =>
    Deno.writeTextFile(
      `${dir}/deploy.ts`,
      `import { server } from "tsinfra";\nserver.crontab(${
        JSON.stringify({ command, user, cronName: name, hour, minute: 5 })
      });\n`,
    );
  const temps = "ls -A /tmp | grep -cE '^tsinfra-[0-9a-f]{40}$' || true";
  const tempsBefore = (await target.sh(temps)).stdout;
  assertEquals((await target.sh(`useradd -M ${user}`)).code, 0);
  try {
    await target.sh(`printf 'MAILTO=""\\n1 1 * * * /bin/true other\\n' | crontab -u ${user} -`);
    const crontab = async () => (await target.sh(`crontab -l -u ${user}`)).stdout;
    const noCanary = async () =>
      assert((await target.sh(`test -e ${shq(canary)}`)).code !== 0, "the canary appeared");
    for (const [hour, changes] of [[1, 1], [1, 0], [2, 1], [2, 0]]) {
      await deploy(hour);
      const result = await deployOnce(dir, target);
      assertEquals(result.code, 0, result.stdout + result.stderr);
      assertEquals(JSON.parse(result.stdout).totals.changed, changes, `hour ${hour}`);
      assertEquals(
        await crontab(),
        `MAILTO=""\n1 1 * * * /bin/true other\n\n# pyinfra-name=job\n5 ${hour} * * * ${command}\n`,
      );
      await noCanary();
    }
    // A newline in cronName would add a cron line of its own: refused, nothing changed.
    await deploy(2, `job\n* * * * * touch ${canary}`);
    const refused = await deployOnce(dir, target);
    assert(refused.code !== 0, refused.stdout);
    assertStringIncludes(refused.stdout + refused.stderr, "cronName");
    assertStringIncludes(await crontab(), `5 2 * * * ${command}\n`);
    await noCanary();
    // Removal empties the entry's line, as pyinfra does; then nothing is left to do.
    const removeJob = `import { server } from "tsinfra";\nserver.crontab(${
      JSON.stringify({ command, user, present: false })
    });\n`;
    await Deno.writeTextFile(`${dir}/deploy.ts`, removeJob);
    for (const changes of [1, 0]) {
      const result = await deployOnce(dir, target);
      assertEquals(result.code, 0, result.stdout + result.stderr);
      assertEquals(JSON.parse(result.stdout).totals.changed, changes, "removal");
    }
    assertEquals(await crontab(), `MAILTO=""\n1 1 * * * /bin/true other\n\n# pyinfra-name=job\n\n`);
    await noCanary();
    assertEquals((await target.sh(temps)).stdout, tempsBefore, "a crontab copy was left in /tmp");
  } finally {
    await target.sh(`crontab -r -u ${user} 2>/dev/null; userdel ${user}; rm -rf ${shq(work)}`);
  }
}

/** server.user with a backslash (and `\\c`, which ends dash's echo) in the comment. */
export async function userScenario(target: Target, dir: string): Promise<void> {
  const user = `tsinfra-u${Math.floor(Math.random() * 1e6)}`;
  assertEquals((await target.sh(`useradd -M ${user}`)).code, 0);
  try {
    const comment = "Tab\\there \\c \\\\ $(touch /nonexistent/x) 'q'";
    await Deno.writeTextFile(
      `${dir}/deploy.ts`,
      `import { server } from "tsinfra";\nserver.user(${
        JSON.stringify({ user, comment, home: "/nonexistent-home", createHome: false })
      });\n`,
    );
    for (const changes of [1, 0]) {
      const result = await deployOnce(dir, target);
      assertEquals(result.code, 0, result.stdout + result.stderr);
      assertEquals(JSON.parse(result.stdout).totals.changed, changes);
      const entry = (await target.sh(`getent passwd ${shq(user)}`)).stdout;
      assertEquals(entry.split(":")[4], comment);
    }
  } finally {
    await target.sh(`userdel ${user}`);
  }
}

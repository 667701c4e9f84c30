/**
 * Bad input is one clear message and exit status 2, before anything runs on any host:
 * impossible values (NUL, a line break in a path), wrong types, contradicting options,
 * unusable host names and host data, and deploy errors whatever the host count.
 */
import * as path from "node:path";
import { assertEquals, assertMatch } from "../_assert.ts";
import { SIM_CONNECTORS, tsinfraIn } from "../_cli.ts";

function check(condition: boolean, message?: string): void {
  assertEquals(condition, true, message);
}

/** A temporary deploy folder with `files`, removed afterwards. */
async function withDeploy(
  files: Record<string, string>,
  fn: (dir: string, canary: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "tsinfra-bad-input-" });
  const canary = path.join(dir, "CANARY");
  try {
    for (const [name, text] of Object.entries(files)) {
      await Deno.writeTextFile(path.join(dir, name), text.replaceAll("CANARY", canary));
    }
    await fn(dir, canary);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function exists(file: string): Promise<boolean> {
  return await Deno.stat(file).then(() => true, () => false);
}

/** A first operation that leaves the canary when it runs: it must not. */
const FIRST = `import { files, server, sh } from "tsinfra";
server.shell({ commands: ["touch CANARY"] });
`;

Deno.test("a NUL byte in an operation argument is refused at the call site with exit 2, also with _ignoreErrors", async () => {
  await withDeploy({
    "deploy.ts": FIRST +
      `files.file({ path: "/tmp/tsinfra-nul\\0x", _ignoreErrors: true });\n`,
  }, async (dir, canary) => {
    const out = await tsinfraIn(dir, "@local", "deploy.ts", "-y");
    assertEquals(out.code, 2, out.stdout + out.stderr);
    assertMatch(out.stderr, /files\.file in deploy\.ts:3:\d+: path contains a NUL byte/);
    assertEquals(await exists(canary), false);
  });
});

Deno.test("a NUL byte inside a list or a sh command is refused too", async () => {
  await withDeploy({
    "deploy.ts": FIRST + `server.shell({ commands: ["true", sh\`echo \${"a\\0b"}\`] });\n`,
  }, async (dir, canary) => {
    const out = await tsinfraIn(dir, "@local", "deploy.ts", "-y");
    assertEquals(out.code, 2, out.stdout + out.stderr);
    assertMatch(out.stderr, /server\.shell in deploy\.ts:3:\d+: commands\[1\] contains a NUL byte/);
    assertEquals(await exists(canary), false);
  });
});

Deno.test("a line break in a path or name argument is refused at the call site with exit 2", async () => {
  for (
    const call of [`files.directory({ path: "/tmp/a\\nb" })`, `server.user({ user: "a\\nb" })`]
  ) {
    await withDeploy({ "deploy.ts": FIRST + call + ";\n" }, async (dir, canary) => {
      const out = await tsinfraIn(dir, "@local", "deploy.ts", "-y");
      assertEquals(out.code, 2, out.stdout + out.stderr);
      assertMatch(out.stderr, /in deploy\.ts:3:\d+: (path|user) contains a line break/);
      assertEquals(await exists(canary), false);
    });
  }
});

Deno.test("mode: {a: 1} is refused before anything runs, with exit 2", async () => {
  await withDeploy({
    "deploy.ts": FIRST + `files.file({ path: "/tmp/tsinfra-mode-x", mode: { a: 1 } as never });\n`,
  }, async (dir, canary) => {
    const out = await tsinfraIn(dir, "@local", "deploy.ts", "-y");
    assertEquals(out.code, 2, out.stdout + out.stderr);
    assertMatch(
      out.stderr,
      /files\.file in deploy\.ts:3:\d+: mode must be Mode \| null, got an object/,
    );
    check(!out.stdout.includes("[object Object]"));
    assertEquals(await exists(canary), false);
  });
});

Deno.test("--serial with --parallel is refused with exit 2", async () => {
  await withDeploy({ "deploy.ts": FIRST }, async (dir, canary) => {
    const out = await tsinfraIn(dir, "@local", "deploy.ts", "-y", "--serial", "--parallel", "2");
    assertEquals(out.code, 2, out.stdout + out.stderr);
    assertMatch(out.stderr, /--serial and --parallel contradict each other/);
    assertEquals(await exists(canary), false);
  });
});

Deno.test("@docker/ without a name is refused at inventory load with exit 2", async () => {
  await withDeploy({ "deploy.ts": FIRST }, async (dir, canary) => {
    const out = await tsinfraIn(dir, "@docker/", "deploy.ts", "-y");
    assertEquals(out.code, 2, out.stdout + out.stderr);
    assertMatch(out.stderr, /Invalid host name "@docker\/".*needs a name/);
    check(!out.stdout.includes("Could not connect"));
    assertEquals(await exists(canary), false);
  });
});

Deno.test("a host name starting with - is refused at inventory load, naming the host", async () => {
  await withDeploy({
    "deploy.ts": FIRST,
    "inventory.ts": `export const web = ["-oProxyCommand=touch CANARY.proxy", "@ssh/-oX=y"];\n`,
  }, async (dir, canary) => {
    const out = await tsinfraIn(dir, "inventory.ts", "deploy.ts", "-y");
    assertEquals(out.code, 2, out.stdout + out.stderr);
    assertMatch(out.stderr, /Invalid host name "-oProxyCommand=touch .*cannot start with -/);
    assertEquals(await exists(canary), false);
    assertEquals(await exists(`${canary}.proxy`), false);
  });
});

Deno.test("a bad sshPort in host data is refused before connecting, naming the host, with exit 2", async () => {
  await withDeploy({
    "deploy.ts": FIRST,
    "inventory.ts": `export const web = [["web1", { sshPort: "twenty-two" }]];\n`,
  }, async (dir, canary) => {
    const out = await tsinfraIn(dir, "inventory.ts", "deploy.ts", "-y");
    assertEquals(out.code, 2, out.stdout + out.stderr);
    assertMatch(out.stderr, /web1: sshPort must be a port number, got "twenty-two"/);
    check(!out.stdout.includes("Could not connect"));
    assertEquals(await exists(canary), false);
  });
});

for (
  const [what, code] of [
    ["a throw", `throw new Error("boom in deploy");`],
    ["an unknown argument", `files.file({ path: "/tmp/x", nope: 1 } as never);`],
    ["a wrong type", `files.file({ path: 3 as never });`],
  ]
) {
  Deno.test(`a deploy error (${what}) with two hosts is one message and exit 2, with or without workers`, async () => {
    await withDeploy({ "deploy.ts": FIRST + code + "\n" }, async (dir, canary) => {
      for (const workers of [[], ["--workers", "0"], ["--workers", "2"]]) {
        const out = await tsinfraIn(
          dir,
          "@sim/a,@sim/b",
          "deploy.ts",
          "-y",
          "--connectors",
          SIM_CONNECTORS,
          ...workers,
        );
        assertEquals(out.code, 2, `${workers}: ${out.stdout}${out.stderr}`);
        check(!/Uncaught|at revive/.test(out.stderr), out.stderr);
        assertEquals(out.stderr.trim().split("\n").length, 1, out.stderr);
        assertMatch(out.stderr, /^tsinfra: error: /);
        assertMatch(out.stderr, /deploy\.ts:3:\d+/);
        assertEquals(await exists(canary), false);
      }
    });
  });
}

Deno.test("a missing required option is one error naming it, exit 2, before the first operation runs", async () => {
  await withDeploy({
    "deploy.ts": FIRST +
      `// @ts-ignore: the missing option is the point\nfiles.line({ path: "/tmp/x" });\n`,
  }, async (dir, canary) => {
    const out = await tsinfraIn(
      dir,
      "@local,@sim/a",
      "deploy.ts",
      "-y",
      "--connectors",
      SIM_CONNECTORS,
    );
    assertEquals(out.code, 2, out.stdout + out.stderr);
    assertMatch(out.stderr, /files\.line in deploy\.ts:4:\d+: line is required/);
    assertEquals(await exists(canary), false);
  });
});

Deno.test("a missing files.put source and a template that does not parse stop the run with exit 2", async () => {
  await withDeploy({
    "put.ts": FIRST + `files.put({ src: "./missing.txt", dest: "/tmp/tsinfra-put-missing" });\n`,
    "template.ts": FIRST + `files.template({ src: "./bad.eta", dest: "/tmp/tsinfra-bad-eta" });\n`,
    "bad.eta": "Hello <%= it.x %\n",
  }, async (dir, canary) => {
    const put = await tsinfraIn(dir, "@local", "put.ts", "-y");
    assertEquals(put.code, 2, put.stdout + put.stderr);
    assertMatch(put.stderr, /files\.put .* at put\.ts:3:\d+: No such file: .*missing\.txt/);
    const template = await tsinfraIn(
      dir,
      "@local,@sim/a",
      "template.ts",
      "-y",
      "--connectors",
      SIM_CONNECTORS,
    );
    assertEquals(template.code, 2, template.stdout + template.stderr);
    assertMatch(template.stderr, /Error in template: .*bad\.eta \(L1\)/);
    assertEquals(await exists(canary), false);
  });
});

Deno.test("a host named twice in an inline inventory is one host", async () => {
  await withDeploy({ "deploy.ts": FIRST }, async (dir) => {
    const out = await tsinfraIn(dir, "@local,@local", "deploy.ts", "--dry");
    assertEquals(out.code, 0, out.stdout + out.stderr);
    assertEquals(out.stdout.match(/\[@local\] Connected/g)?.length, 1);
    assertMatch(out.stdout, /Operations: 1 {3}Change: 1/);
  });
});

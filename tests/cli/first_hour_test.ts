/**
 * A new user's first hour, step by step as the README gives it: install the command,
 * `tsinfra init`, `deno check`, `--dry`, a run and a second run that changes nothing;
 * then the library imported by URL from a served copy (a deploy run by the CLI, and
 * the API example run by plain Deno), and by a relative path to a checkout.
 *
 * @module
 */
import * as path from "node:path";
import { assertEquals, assertMatch, assertStringIncludes } from "../_assert.ts";
import { ROOT, run, SIM_CONNECTORS, tsinfraIn } from "../_cli.ts";
import { OTHER_VERSION, serveCheckout } from "../_serve.ts";
import { VERSION } from "../../src/version.ts";

const DENO = Deno.execPath();

function assert(condition: unknown, message?: string): void {
  if (!condition) throw new Error(message ?? "assertion failed");
}

/** The install command of the README's first lines, with a private --root. */
function readmeInstallCommand(): string[] {
  const readme = Deno.readTextFileSync(path.join(ROOT, "README.md"));
  const line = readme.split("\n").find((l) => l.startsWith("deno install -g -A -n tsinfra"));
  if (!line) throw new Error("the README gives no install command");
  return line.replace(/\s+#.*$/, "").split(/\s+/).slice(1);
}

Deno.test("first hour: install, init, deno check, --dry, run, run again", async (t) => {
  const home = await Deno.makeTempDir({ prefix: "tsinfra-first-hour-" });
  const appDir = path.join(home, "app-out");
  try {
    const bin = path.join(home, "bin", "tsinfra");
    await t.step("the README's install command gives a tsinfra command", async () => {
      const args = readmeInstallCommand().map((a) =>
        a.endsWith("cli.ts") ? path.join(ROOT, "cli.ts") : a
      );
      const installed = await run(DENO, [...args, "--root", home], home);
      assertEquals(installed.code, 0, installed.stderr);
      const version = await run(bin, ["--version"], home);
      assertEquals(version.stdout.trim(), VERSION);
    });
    const project = path.join(home, "infra");
    await t.step("tsinfra init writes a project", async () => {
      const init = await run(bin, ["init", "infra"], home);
      assertEquals(init.code, 0, init.stderr);
      for (const file of ["deploy.ts", "inventory.ts", "group_data/all.ts", "deno.json"]) {
        assert((await Deno.stat(path.join(project, file))).isFile, file);
      }
      // Keep the run inside this test's folder.
      await Deno.writeTextFile(
        path.join(project, "group_data/all.ts"),
        `export const appDir = ${JSON.stringify(appDir)};\nexport const team = "ops";\n`,
      );
      const again = await run(bin, ["init", "infra"], home);
      assertEquals(again.code, 2);
      assertMatch(again.stderr, /already has deploy\.ts.*--force/);
    });
    await t.step("deno check passes in the project, as in an editor", async () => {
      const check = await run(DENO, ["check", "deploy.ts", "inventory.ts"], project);
      assertEquals(check.code, 0, check.stderr);
    });
    await t.step("--dry lists the changes and makes none", async () => {
      const dry = await run(bin, ["inventory.ts", "deploy.ts", "--dry"], project);
      assertEquals(dry.code, 0, dry.stdout + dry.stderr);
      assertMatch(dry.stdout, /Operations: 4 {3}Change: 4/);
      await Deno.stat(appDir).then(() => assert(false, "--dry made the folder"), () => {});
    });
    await t.step("a deploy's own npm imports leave the tool's deno.lock alone", async () => {
      const lock = path.join(ROOT, "deno.lock");
      const before = await Deno.readTextFile(lock);
      await Deno.writeTextFile(
        path.join(project, "npm_deploy.ts"),
        `import { server } from "tsinfra";\nimport isNumber from "npm:is-number@7.0.0";\n` +
          `server.shell({ commands: [isNumber(7) ? "true" : "false"] });\n`,
      );
      const result = await run(bin, ["inventory.ts", "npm_deploy.ts", "--dry"], project);
      assertEquals(result.code, 0, result.stdout + result.stderr);
      assertEquals(await Deno.readTextFile(lock), before);
    });
    await t.step("a run applies them; the next changes nothing", async () => {
      const first = await run(bin, ["inventory.ts", "deploy.ts"], project, { TSINFRA_YES: "1" });
      assertEquals(first.code, 0, first.stdout + first.stderr);
      assertMatch(first.stdout, /@local\s+4\s+4\s+0\s+0/);
      assertStringIncludes(
        await Deno.readTextFile(path.join(appDir, "motd")),
        "looked after by ops",
      );
      const second = await run(bin, ["inventory.ts", "deploy.ts", "-y"], project);
      assertEquals(second.code, 0, second.stderr);
      assertMatch(second.stdout, /@local\s+4\s+0\s+4\s+0/);
    });
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("a deploy may import the library by URL or by path: the CLI binds it to itself", async (t) => {
  const served = await serveCheckout();
  const dir = await Deno.makeTempDir({ prefix: "tsinfra-url-" });
  const out = path.join(dir, "out");
  try {
    const allowImport = `--allow-import=${new URL(served.url).host}`;
    await t.step("mod.ts and a facts module by URL", async () => {
      await Deno.writeTextFile(
        path.join(dir, "by_url.ts"),
        [
          `import { files, host } from "${served.url}mod.ts";`,
          `import { Hostname } from "${served.url}src/facts/server.ts";`,
          `const name = await host.getFact(Hostname);`,
          `files.directory({ path: ${JSON.stringify(out)} });`,
          `files.file({ path: ${JSON.stringify(out + "/host")} });`,
          `files.line({ path: ${JSON.stringify(out + "/host")}, line: name ?? "unknown" });`,
          "",
        ].join("\n"),
      );
      const check = await run(DENO, ["check", allowImport, "by_url.ts"], dir);
      assertEquals(check.code, 0, check.stderr);
      const first = await tsinfraIn(dir, "@local", "by_url.ts", "-y");
      assertEquals(first.code, 0, first.stdout + first.stderr);
      assertMatch(first.stdout, /@local\s+3\s+3\s+0\s+0/);
      assert(!/outside a deploy/.test(first.stderr));
      assert(!/another version|but this is tsinfra/.test(first.stdout + first.stderr));
    });
    await t.step("another version is one warning naming both", async () => {
      await Deno.writeTextFile(
        path.join(dir, "other.ts"),
        `import { files } from "${served.otherUrl}mod.ts";\n` +
          `import { server } from "${served.otherUrl}mod.ts";\n` +
          `files.directory({ path: ${
            JSON.stringify(out)
          } });\nserver.shell({ commands: ["true"] });\n`,
      );
      const result = await tsinfraIn(
        dir,
        "@local,@sim/a",
        "other.ts",
        "--dry",
        "--workers",
        "2",
        "--connectors",
        SIM_CONNECTORS,
      );
      assertEquals(result.code, 0, result.stdout + result.stderr);
      const warnings = (result.stdout + result.stderr).split("\n").filter((l) =>
        l.includes(OTHER_VERSION)
      );
      assertEquals(warnings.length, 1, warnings.join("\n"));
      assertStringIncludes(warnings[0], `this is tsinfra ${VERSION}`);
    });
    await t.step("a relative path to a checkout", async () => {
      const relative = path.relative(dir, ROOT);
      await Deno.writeTextFile(
        path.join(dir, "by_path.ts"),
        `import { files } from "${relative}/mod.ts";\nimport { File } from "${relative}/src/facts/files.ts";\n` +
          `import { host } from "${relative}/mod.ts";\n` +
          `const f = await host.getFact(File, { path: ${JSON.stringify(out)} });\n` +
          `files.directory({ path: ${
            JSON.stringify(out + "-by-path")
          }, present: f !== undefined });\n`,
      );
      const check = await run(DENO, ["check", "by_path.ts"], dir);
      assertEquals(check.code, 0, check.stderr);
      const result = await tsinfraIn(dir, "@local", "by_path.ts", "-y");
      assertEquals(result.code, 0, result.stdout + result.stderr);
      assertMatch(result.stdout, /@local\s+1\s+1\s+0\s+0/);
    });
  } finally {
    await served.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the API example runs from a served copy of the library, by plain Deno", async () => {
  const served = await serveCheckout();
  const dir = await Deno.makeTempDir({ prefix: "tsinfra-api-" });
  try {
    const result = await run(
      DENO,
      ["run", "-A", "--no-lock", path.join(ROOT, "examples/api/run.ts"), path.join(dir, "out")],
      dir,
      { TSINFRA_URL: `${served.url}mod.ts` },
    );
    assertEquals(result.code, 0, result.stdout + result.stderr);
    assertStringIncludes(result.stdout, "first run: success=true changed=3");
    assertStringIncludes(result.stdout, "second run: success=true changed=0 unchanged=3");
    assert(served.requests.includes("/mod.ts"), "the library came from the server");
    assertMatch(await Deno.readTextFile(path.join(dir, "out/motd")), /^hello from /);
  } finally {
    await served.close();
    await Deno.remove(dir, { recursive: true });
  }
});

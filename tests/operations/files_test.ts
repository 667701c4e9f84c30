/**
 * File operations beyond pyinfra's cases: hostile paths and contents round-trip through
 * a real shell, templates render and report errors with file and line.
 */
import * as path from "node:path";
import { block, directory, file, line, link, template } from "../../src/operations/files.ts";
import { generateLocally, sh } from "./_context.ts";
import { assertEquals, assertMatch, assertRejects } from "../_assert.ts";

const HOSTILE_NAMES = [
  "plain",
  "with space",
  "quote'single",
  'quote"double',
  "$(touch pwned)",
  "`id`",
  "semi;colon",
  "new\nline",
  "-dash",
  "ünï",
];

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "tsinfra-files-" }));
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function runAll(commands: unknown[], cwd: string) {
  for (const command of commands) {
    const result = await sh(command as string, cwd);
    assertEquals(result.code, 0, `${command}: ${result.stderr}`);
  }
}

Deno.test("files.directory, files.file and files.link create hostile names exactly, and then report no change", async () => {
  await withDir(async (dir) => {
    for (const name of HOSTILE_NAMES) {
      const base = path.join(dir, name);
      await runAll(
        (await generateLocally(directory, { path: `${base}.d`, mode: 750 })).commands,
        dir,
      );
      await runAll(
        (await generateLocally(file, { path: `${base}.d/${name}`, mode: 640 })).commands,
        dir,
      );
      await runAll(
        (await generateLocally(link, { path: `${base}.link`, target: `${base}.d` })).commands,
        dir,
      );
      assertEquals((await Deno.stat(`${base}.d`)).isDirectory, true);
      assertEquals((await Deno.stat(`${base}.d/${name}`)).mode! & 0o777, 0o640);
      assertEquals(await Deno.readLink(`${base}.link`), `${base}.d`);
      for (
        const [op, args] of [[directory, { path: `${base}.d`, mode: 750 }], [file, {
          path: `${base}.d/${name}`,
          mode: 640,
        }], [link, { path: `${base}.link`, target: `${base}.d` }]] as const
      ) {
        // deno-lint-ignore no-explicit-any -- a table of different operations
        const again = await generateLocally(op as any, args);
        assertEquals(again.commands, [], `${name}: ${JSON.stringify(again.commands)}`);
      }
    }
    assertEquals(await Deno.stat(path.join(dir, "pwned")).then(() => true, () => false), false);
  });
});

Deno.test("files.line appends and replaces lines holding quotes, dollars and backticks", async () => {
  await withDir(async (dir) => {
    const target = path.join(dir, "conf");
    await Deno.writeTextFile(target, "keep me\nold = 1\n");
    const text = `say "it's" $HOME \`id\``;
    await runAll(
      (await generateLocally(line, { path: target, line: text, escapeRegexCharacters: true }))
        .commands,
      dir,
    );
    await runAll(
      (await generateLocally(line, { path: target, line: "^old = ", replace: "old = 2" })).commands,
      dir,
    );
    assertEquals(await Deno.readTextFile(target), `keep me\nold = 2\n${text}\n`);
    assertEquals(
      (await generateLocally(line, { path: target, line: text, escapeRegexCharacters: true }))
        .commands,
      [],
    );
  });
});

Deno.test("files.block passes content with shell characters literally", async () => {
  await withDir(async (dir) => {
    const target = path.join(dir, "hosts");
    const content = 'value $HOME `id` "quoted" back\\slash\nPYINFRAHERE\nend';
    await runAll((await generateLocally(block, { path: target, content })).commands, dir);
    assertEquals(
      await Deno.readTextFile(target),
      `# BEGIN PYINFRA BLOCK\n${content}\n# END PYINFRA BLOCK\n`,
    );
    const again = await generateLocally(block, { path: target, content });
    assertEquals([again.commands, again.noop], [[], "content already present"]);
  });
});

Deno.test("files.template renders vars and host, and names file and line on errors", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(
      path.join(dir, "ok.eta"),
      "port <%= it.port %> on <%= it.host.name %>\n",
    );
    const rendered = await generateLocally(template, {
      src: "ok.eta",
      dest: path.join(dir, "out"),
      vars: { port: 80 },
    }, dir);
    assertEquals((rendered.commands[0] as string[])[1], "port 80 on @local\n");

    await Deno.writeTextFile(path.join(dir, "bad.eta"), "line one\n<%= it.missing.deep %>\n");
    await assertRejects(
      () => generateLocally(template, { src: "bad.eta", dest: path.join(dir, "out") }, dir),
      new RegExp(
        `^Error in template: ${dir}/bad\\.eta \\(L2\\): TypeError: Cannot read properties of undefined`,
      ),
    );
    await Deno.writeTextFile(path.join(dir, "syntax.eta"), "a\nb\n<%= it.x \n");
    const error = await assertRejects(() =>
      generateLocally(template, { src: "syntax.eta", dest: path.join(dir, "out") }, dir)
    );
    assertMatch(error.message, new RegExp(`^Error in template: ${dir}/syntax\\.eta \\(L3\\): `));
  });
});

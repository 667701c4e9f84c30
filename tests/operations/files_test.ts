/**
 * File operations beyond pyinfra's cases: hostile paths and contents round-trip through
 * a real shell (and sed, awk, grep), controller files are compared and filtered as
 * pyinfra does, and downloads reach curl intact. Templates: files_template_test.ts.
 */
import * as path from "node:path";
import { createHash } from "node:crypto";
import {
  block,
  directory,
  download,
  file,
  flags,
  line,
  link,
  put,
  replace,
  rsync,
  sync,
} from "../../src/operations/files.ts";
import { fnmatchRegExp, interpolatedArgument, sha1 } from "../../src/operations/util/files.ts";
import { generateLocally, generateWith, sh } from "./_context.ts";
import { assertEquals, assertRejects } from "../_assert.ts";

const HOSTILE_NAMES = [
  "plain",
  "with space",
  "quote'single",
  'quote"double',
  "$(touch pwned)",
  "`touch pwned`",
  "semi;colon",
  "new\nline",
  "-dash",
  "back\\slash",
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

async function runAll(commands: unknown[], cwd: string, env?: Record<string, string>) {
  for (const command of commands) {
    const result = await sh(command as string, cwd, env);
    assertEquals(result.code, 0, `${command}: ${result.stderr}`);
  }
}

const exists = (p: string) => Deno.lstat(p).then(() => true, () => false);

Deno.test("files.directory, files.file and files.link create and remove hostile names exactly, with no change on the second run", async () => {
  await withDir(async (dir) => {
    for (const name of HOSTILE_NAMES) {
      const base = path.join(dir, name);
      const steps = [
        [directory, { path: `${base}.d`, mode: 750 }],
        [file, { path: `${base}.d/${name}`, mode: 640 }],
        [link, { path: `${base}.link`, target: `${base}.d` }],
      ] as const;
      for (const [op, args] of steps) {
        // deno-lint-ignore no-explicit-any -- a table of different operations
        await runAll((await generateLocally(op as any, args)).commands, dir);
      }
      assertEquals((await Deno.stat(`${base}.d`)).isDirectory, true);
      assertEquals((await Deno.stat(`${base}.d/${name}`)).mode! & 0o777, 0o640);
      assertEquals(await Deno.readLink(`${base}.link`), `${base}.d`);
      for (const [op, args] of steps) {
        // deno-lint-ignore no-explicit-any -- a table of different operations
        const again = await generateLocally(op as any, args);
        assertEquals(again.commands, [], `${name}: ${JSON.stringify(again.commands)}`);
      }
      await runAll(
        (await generateLocally(link, { path: `${base}.link`, present: false })).commands,
        dir,
      );
      await runAll(
        (await generateLocally(directory, { path: `${base}.d`, present: false })).commands,
        dir,
      );
      assertEquals([await exists(`${base}.link`), await exists(`${base}.d`)], [false, false]);
    }
    assertEquals(await exists(path.join(dir, "pwned")), false);
  });
});

Deno.test("files.file with force moves a folder in the way into forceBackupDir", async () => {
  await withDir(async (dir) => {
    const target = path.join(dir, "it's here");
    await Deno.mkdir(target);
    await Deno.mkdir(path.join(dir, "backups"));
    const { commands } = await generateLocally(file, {
      path: target,
      force: true,
      forceBackupDir: path.join(dir, "backups"),
    });
    await runAll(commands, dir);
    assertEquals((await Deno.stat(target)).isFile, true);
    assertEquals(
      (await Deno.stat(path.join(dir, "backups", "it's here.a-timestamp"))).isDirectory,
      true,
    );
    await assertRejects(() => generateLocally(file, { path: dir }), /exists and is not a file$/);
  });
});

Deno.test("files.line appends and replaces lines holding quotes, dollars and backticks", async () => {
  await withDir(async (dir) => {
    const target = path.join(dir, "conf");
    await Deno.writeTextFile(target, "keep me\nold = 1\n");
    const text = `say "it's" $HOME \`id\``;
    const add = { path: target, line: text, escapeRegexCharacters: true };
    await runAll((await generateLocally(line, add)).commands, dir);
    await runAll(
      (await generateLocally(line, { path: target, line: "^old = ", replace: "old = 2" })).commands,
      dir,
    );
    assertEquals(await Deno.readTextFile(target), `keep me\nold = 2\n${text}\n`);
    assertEquals((await generateLocally(line, add)).commands, []);
    await runAll((await generateLocally(line, { ...add, present: false })).commands, dir);
    assertEquals(await Deno.readTextFile(target), `keep me\nold = 2\n`);
    // Characters that are operators only when escaped in basic regexes stay literal.
    const call = { path: target, line: "f(x){1}+? [a].* ^$", escapeRegexCharacters: true };
    await runAll((await generateLocally(line, call)).commands, dir);
    assertEquals((await generateLocally(line, call)).commands, []);
    await runAll((await generateLocally(line, { ...call, present: false })).commands, dir);
    assertEquals(await Deno.readTextFile(target), `keep me\nold = 2\n`);
  });
});

Deno.test("files.line writes backslashes and a leading dash as they are (printf, not echo)", async () => {
  await withDir(async (dir) => {
    const target = path.join(dir, "conf");
    for (const text of ["-n", "-e tab\\there", "C:\\new\\path\\c", "ends with \\"]) {
      const { commands } = await generateLocally(line, {
        path: target,
        line: text,
        escapeRegexCharacters: true,
      });
      await runAll(commands, dir);
    }
    assertEquals(
      await Deno.readTextFile(target),
      "-n\n-e tab\\there\nC:\\new\\path\\c\nends with \\\n",
    );
  });
});

Deno.test("files.line ensureNewline adds a newline to a file lacking one (and, as pyinfra, to a missing file)", async () => {
  await withDir(async (dir) => {
    const unterminated = path.join(dir, "unterminated");
    await Deno.writeTextFile(unterminated, "first");
    const missing = path.join(dir, "missing");
    for (const target of [unterminated, missing]) {
      await runAll(
        (await generateLocally(line, { path: target, line: "added", ensureNewline: true }))
          .commands,
        dir,
      );
    }
    assertEquals(await Deno.readTextFile(unterminated), "first\nadded\n");
    assertEquals(await Deno.readTextFile(missing), "\nadded\n");
  });
});

Deno.test("interpolateVariables expands $VARS but quotes, backticks and backslashes cannot end the word", async () => {
  await withDir(async (dir) => {
    const env = { TSINFRA_T: "expanded" };
    for (
      const text of [
        'a "quoted" $TSINFRA_T',
        "tick `touch pwned` \\$TSINFRA_T",
        'x\\"; touch pwned; "',
        "end\\",
      ]
    ) {
      const out = await sh(`printf %s ${interpolatedArgument(text)}`, dir, env);
      assertEquals(out.code, 0, out.stderr);
      const expected = text.replaceAll("\\$", "\u0000").replaceAll("$TSINFRA_T", "expanded")
        .replaceAll("\u0000", "$");
      assertEquals(out.stdout, expected);
    }
    const target = path.join(dir, "conf");
    await Deno.writeTextFile(target, "name = old\n");
    await runAll(
      (await generateLocally(replace, {
        path: target,
        text: "old",
        replace: '"$TSINFRA_T"/&',
        interpolateVariables: true,
      })).commands,
      dir,
      env,
    );
    await runAll(
      (await generateLocally(line, {
        path: target,
        line: 'home = "$TSINFRA_T"',
        interpolateVariables: true,
      })).commands,
      dir,
      env,
    );
    assertEquals(await Deno.readTextFile(target), 'name = "expanded"/&\nhome = "expanded"\n');
    assertEquals(await exists(path.join(dir, "pwned")), false);
  });
});

Deno.test("files.replace takes slashes, ampersands and quotes literally", async () => {
  await withDir(async (dir) => {
    const target = path.join(dir, "it's a file");
    await Deno.writeTextFile(target, "url = http://old/x 'q'\n");
    const args = { path: target, text: "http://old/x 'q'", replace: `https://new/y & "z" 'w'` };
    await runAll((await generateLocally(replace, args)).commands, dir);
    assertEquals(await Deno.readTextFile(target), `url = https://new/y & "z" 'w'\n`);
    const again = await generateLocally(replace, args);
    assertEquals([again.commands, again.noop], [
      [],
      `string "http://old/x 'q'" does not exist in ${target}`,
    ]);
  });
});

Deno.test("files.block passes content with shell characters literally, and inserts after a line", async () => {
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

    const html = path.join(dir, "page.html");
    await Deno.writeTextFile(html, "<html>\n<body class='x'>\n</body>\n");
    const notice = {
      path: html,
      content: "<p>it's $old</p>",
      line: "<body class='x'>",
      after: true,
      marker: "<!-- {mark} it's NOTICE -->",
    };
    await runAll((await generateLocally(block, notice)).commands, dir);
    assertEquals(
      await Deno.readTextFile(html),
      "<html>\n<body class='x'>\n<!-- BEGIN it's NOTICE -->\n<p>it's $old</p>\n" +
        "<!-- END it's NOTICE -->\n</body>\n",
    );
    assertEquals((await generateLocally(block, notice)).commands, []);
    await runAll((await generateLocally(block, { ...notice, present: false })).commands, dir);
    assertEquals(await Deno.readTextFile(html), "<html>\n<body class='x'>\n</body>\n");
  });
});

Deno.test("files.block puts the block before a matching line, or at the end when none matches", async () => {
  await withDir(async (dir) => {
    const target = path.join(dir, "conf");
    await Deno.writeTextFile(target, "a\nlisten *:80\nb\n");
    const args = { path: target, content: "x = 1", line: "listen *:80", before: true };
    const escaped = { ...args, escapeRegexCharacters: true };
    await runAll((await generateLocally(block, escaped)).commands, dir);
    const framed = "# BEGIN PYINFRA BLOCK\nx = 1\n# END PYINFRA BLOCK\n";
    assertEquals(await Deno.readTextFile(target), `a\n${framed}listen *:80\nb\n`);

    await Deno.writeTextFile(target, "a\nb\n");
    await runAll((await generateLocally(block, { ...escaped, line: "nowhere" })).commands, dir);
    assertEquals(await Deno.readTextFile(target), `a\nb\n${framed}`);
  });
});

Deno.test("files.put uploads into an existing folder by name, copies the local mode, and skips same content", async () => {
  await withDir(async (dir) => {
    const src = path.join(dir, "tool");
    await Deno.writeTextFile(src, "#!/bin/sh\n");
    await Deno.chmod(src, 0o750);
    const facts = (name: string, args: Record<string, unknown>) =>
      name === "files.Directory" && args.path === "/usr/local/bin" ? { mode: 755 } : null;
    const first = await generateWith(put, { src, dest: "/usr/local/bin", mode: true }, { facts });
    assertEquals(first.commands, [
      ["upload", src, "/usr/local/bin/tool"],
      "chmod 750 /usr/local/bin/tool",
    ]);
    const same = await generateWith(put, { src, dest: "/opt/tool", mode: 750 }, {
      facts: (name) =>
        name === "files.File"
          ? { mode: 750, user: "root", group: "root" }
          : name === "files.Sha1File"
          ? sha1("#!/bin/sh\n")
          : { mode: 755 },
    });
    assertEquals([same.commands, same.noop], [[], "file /opt/tool is already uploaded"]);
    await assertRejects(
      () => generateWith(put, { src: path.join(dir, "nope"), dest: "/x" }),
      /^No such file: .*\/nope$/,
    );
  });
});

Deno.test("files.sync skips fnmatch-excluded files and does not walk into excluded folders", async () => {
  await withDir(async (dir) => {
    const src = path.join(dir, "site");
    for (const sub of ["", "lib", "lib/__pycache__", "node_modules", "node_modules/x"]) {
      await Deno.mkdir(path.join(src, sub), { recursive: true });
    }
    for (const name of ["a.py", "a.pyc", "b.pyo", "lib/c.py", "lib/__pycache__/c.pyc"]) {
      await Deno.writeTextFile(path.join(src, name), name);
    }
    await Deno.writeTextFile(path.join(src, "node_modules/x/i.js"), "");
    const { commands } = await generateWith(sync, {
      src,
      dest: "/srv/site",
      mode: 644,
      dirMode: 755,
      exclude: "*.py[co]",
      excludeDir: ["node_modules", "*[/]__pycache__"],
    });
    assertEquals(commands, [
      "mkdir -p /srv/site",
      "chmod 755 /srv/site",
      "mkdir -p /srv/site/lib",
      "chmod 755 /srv/site/lib",
      ["upload", path.join(src, "a.py"), "/srv/site/a.py"],
      "chmod 644 /srv/site/a.py",
      ["upload", path.join(src, "lib/c.py"), "/srv/site/lib/c.py"],
      "chmod 644 /srv/site/lib/c.py",
    ]);
  });
});

Deno.test("fnmatchRegExp follows Python's fnmatch", () => {
  const cases: [string, string, boolean][] = [
    ["*.pyc", "/a/b.pyc", true],
    ["?.txt", "a.txt", true],
    ["?.txt", "ab.txt", false],
    ["[!a]x", "bx", true],
    ["[!a]x", "ax", false],
    ["[]]", "]", true],
    ["[a-c]", "b", true],
    ["a[", "a[", true],
    ["a.b", "axb", false],
    ["(x)|y", "(x)|y", true],
  ];
  for (const [pattern, name, matches] of cases) {
    assertEquals(fnmatchRegExp(pattern).test(name), matches, `${pattern} ~ ${name}`);
  }
});

Deno.test("files.download passes a hostile URL, header and path to curl intact and checks the checksum", async () => {
  await withDir(async (dir) => {
    const bin = path.join(dir, "bin");
    await Deno.mkdir(bin);
    // A fake curl: records its arguments one per line and writes the -o file.
    await Deno.writeTextFile(
      path.join(bin, "curl"),
      '#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done > "$ARGS_FILE"\n' +
        'while [ "$1" != -o ]; do shift; done; printf payload > "$2"\n',
    );
    await Deno.chmod(path.join(bin, "curl"), 0o755);
    const env = { PATH: `${bin}:${Deno.env.get("PATH")}`, ARGS_FILE: path.join(dir, "args") };
    const url = "https://example.org/a b?x=1&y='2'$(touch pwned)";
    const dest = path.join(dir, "down load's $(id)");
    const sum = createHash("sha256").update("payload").digest("hex");
    const facts = (name: string) => (name === "server.Which" ? "/usr/bin/curl" : null);
    const ok = await generateWith(download, {
      src: url,
      dest,
      sha256sum: sum,
      headers: { "X-Token": "a'b $c" },
    }, { facts });
    await runAll(
      ok.commands.map((c) => String(c).replaceAll("/tmp/tsinfra-unit-temp", path.join(dir, "tmp"))),
      dir,
      env,
    );
    assertEquals(await Deno.readTextFile(dest), "payload");
    assertEquals(
      (await Deno.readTextFile(env.ARGS_FILE)).split("\n").slice(0, 5),
      ["-sSLf", "--header", "X-Token: a'b $c", url, "-o"],
    );
    assertEquals(await exists(path.join(dir, "pwned")), false);

    const bad = await generateWith(download, {
      src: url,
      dest,
      sha256sum: "0".repeat(64),
      force: true,
    }, { facts });
    const results = [];
    for (const c of bad.commands) {
      results.push(
        await sh(String(c).replaceAll("/tmp/tsinfra-unit-temp", path.join(dir, "tmp")), dir, env),
      );
    }
    assertEquals(results.at(-1)!.code, 1);
    assertEquals(results.at(-1)!.stdout, "SHA256 did not match!\n");
  });
});

Deno.test("files.rsync runs on @local only and keeps a trailing slash on src", async () => {
  const local = await generateWith(rsync, { src: "/deploy/site/", dest: "/srv/my site" }, {
    hostName: "@local",
  });
  assertEquals(local.commands, ["rsync -ax --delete /deploy/site/ '/srv/my site'"]);
  const chosen = await generateWith(rsync, {
    src: "/d/x",
    dest: "/y",
    flags: ["-a", "--exclude=*.tmp"],
  }, {
    hostName: "web1",
    hostData: { connector: "@local" },
  });
  assertEquals(chosen.commands, ["rsync -a '--exclude=*.tmp' /d/x /y"]);
  await assertRejects(
    () => generateWith(rsync, { src: "/d/x", dest: "/y" }, { hostName: "web1" }),
    /^This connector does not support rsync/,
  );
});

Deno.test("files.flags changes only the flags not already as wanted", async () => {
  const facts = (name: string) => (name === "files.Flags" ? ["uchg"] : null);
  const set = await generateWith(flags, { path: "/a b", flags: ["schg", "uchg", "hidden"] }, {
    facts,
  });
  assertEquals(set.commands, ["chflags hidden,schg '/a b'"]);
  const clear = await generateWith(flags, { path: "/a", flags: ["uchg", "schg"], present: false }, {
    facts,
  });
  assertEquals(clear.commands, ["chflags nouchg /a"]);
  const none = await generateWith(flags, { path: "/a", flags: "uchg" }, { facts });
  assertEquals([none.commands, none.noop], [[], "'/a' already has 'uchg' set"]);
});

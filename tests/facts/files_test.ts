/**
 * File facts: parsers on outputs the fixtures do not cover, the exact commands, and the
 * commands run for real (through the local connector and through plain `sh -c`) on
 * hostile file names.
 */
import * as path from "node:path";
import { Host } from "../../src/core/host.ts";
import { LocalConnector } from "../../src/connectors/local.ts";
import {
  Block,
  blockMarkers,
  Directory,
  File,
  type FileInfo,
  FindDirectories,
  FindFiles,
  FindInFile,
  FindLinks,
  Flags,
  Link,
  linkTarget,
  Md5File,
  parseMode,
  Sha1File,
  Sha256File,
  Socket,
} from "../../src/facts/files.ts";
import { splitLines } from "../../src/core/host.ts";
import type { Fact, FactArgs } from "../../src/core/fact.ts";
import { assertEquals, assertMatch } from "../_assert.ts";

const host = () =>
  new Host({
    name: "local",
    groups: [],
    data: {},
    defaults: {},
    connector: () => new LocalConnector(),
  });

/** Runs a fact's full command with `sh -c` and parses it as the engine would. */
async function viaSh<T, A extends FactArgs>(fact: Fact<T, A>, args: A): Promise<T> {
  const out = await new Deno.Command("sh", {
    args: ["-c", fact.hostCommand(args).raw()],
    stdout: "piped",
    stderr: "null",
  }).output();
  const lines = splitLines(new TextDecoder().decode(out.stdout));
  return lines.length ? fact.process(lines, args) : fact.defaultValue();
}

const stat = (mode: string, name = "'f'", size = "8") =>
  `user=u group=g mode=${mode} atime=0 mtime=60 ctime=1594804767 size=${size} ${name}`;

Deno.test("files.File parses setuid, setgid and sticky modes", () => {
  const mode = (text: string) => (File.process([stat(text)], { path: "f" }) as FileInfo).mode;
  assertEquals(mode("-rwsr-xr-x"), 4755);
  assertEquals(mode("-rwSr--r--"), 4644);
  assertEquals(mode("-rwxr-sr-x"), 2755);
  assertEquals(mode("-rw-r-Sr--"), 2644);
  assertEquals(mode("-rwxrwxrwt"), 1777);
  assertEquals(mode("-rw-r--r-T"), 1644);
  assertEquals(mode("-rwsr-sr-t"), 7755);
  assertEquals(mode("----------"), 0);
  assertEquals(parseMode("rwsr-Sr-T"), 7744);
  assertEquals(parseMode("r--------"), 400);
});

Deno.test("files.File reads times as UTC dates and keeps the size as a number", () => {
  const info = File.process([stat("-rw-r--r--")], { path: "f" }) as FileInfo;
  assertEquals(info.atime?.toISOString(), "1970-01-01T00:00:00.000Z");
  assertEquals(info.mtime?.toISOString(), "1970-01-01T00:01:00.000Z");
  assertEquals(info.ctime?.toISOString(), "2020-07-15T09:19:27.000Z");
  assertEquals(info.size, 8);
  assertEquals("link_target" in info, false);
  // An empty size stays text, as pyinfra's try_int leaves it.
  assertEquals((File.process([stat("-rw-r--r--", "'f'", "")], { path: "f" }) as FileInfo).size, "");
});

Deno.test("files.File is false for another type and null for output it cannot read", () => {
  assertEquals(File.process([stat("drwxr-xr-x")], { path: "f" }), false);
  assertEquals(File.process([stat("lrwxrwxrwx", "'f' -> 'g'")], { path: "f" }), false);
  assertEquals(Directory.process([stat("-rw-r--r--")], { path: "f" }), false);
  assertEquals(Socket.process([stat("prw-r--r--")], { path: "f" }), false);
  assertEquals(Link.process([stat("crw-rw-rw-")], { path: "f" }), false);
  assertEquals(File.process(["stat: cannot stat 'f'"], { path: "f" }), null);
  assertEquals((Socket.process([stat("srwxrwxrwx")], { path: "f" }) as FileInfo).mode, 777);
  assertEquals(File.defaultValue(), null);
});

Deno.test("files.File groups and users may hold spaces", () => {
  const line = "user=ad user group=domain users mode=-rw-r--r-- atime=0 mtime=0 ctime=0 size=1 'f'";
  const info = File.process([line], { path: "f" }) as FileInfo;
  assertEquals([info.user, info.group], ["ad user", "domain users"]);
});

Deno.test("files.Link reads targets however stat quotes them", () => {
  // GNU stat, shell-escape quoting.
  assertEquals(linkTarget(`'/a' -> '/b c'`), "/b c");
  assertEquals(linkTarget(`'/a' -> "it's target"`), "it's target");
  assertEquals(linkTarget(`'/a' -> '/x/it'\\''s "q" b'`), `/x/it's "q" b`);
  assertEquals(linkTarget(`'a -> b.link' -> 'a -> b'`), "a -> b");
  assertEquals(linkTarget(`'x' -> 'new'$'\\n''line'`), "new\nline");
  assertEquals(linkTarget(`'x' -> 'a'$'\\t''b'`), "a\tb");
  // Old GNU stat: `name'.
  assertEquals(linkTarget("`/a' -> `/b'"), "/b");
  // BSD stat prints names bare: the target runs to the end of the line.
  assertEquals(linkTarget("/etc/a -> /srv/b c"), "/srv/b c");
  assertEquals(linkTarget("'/a'"), "");
  const bsd = "user=u group=wheel mode=lrwxr-xr-x atime=1 mtime=1 ctime=1 size=4 /tmp/l -> /tmp/t";
  assertEquals((Link.process([bsd], { path: "/tmp/l" }) as FileInfo).link_target, "/tmp/t");
});

Deno.test("files.File command tests existence before stat, GNU then BSD", () => {
  assertEquals(
    File.command({ path: "/a b/it's" }).raw(),
    `! (test -e '/a b/it'"'"'s' || test -L '/a b/it'"'"'s' ) || ( stat -c 'user=%U group=%G ` +
      `mode=%A atime=%X mtime=%Y ctime=%Z size=%s %N' '/a b/it'"'"'s' 2> /dev/null || stat -f ` +
      `'user=%Su group=%Sg mode=%Sp atime=%a mtime=%m ctime=%c size=%z %N%SY' '/a b/it'"'"'s' )`,
  );
  assertEquals(Link.command({ path: "x" }).raw(), File.command({ path: "x" }).raw());
});

Deno.test("files hash facts read GNU and BSD output and only for the file asked", () => {
  const sha1 = "58853e8a5e8272b1012f9a52a80758b27bd0d3cb";
  assertEquals(Sha1File.process([`${sha1}  /a b`], { path: "/a b" }), sha1);
  assertEquals(Sha1File.process([`SHA1 (/a b) = ${sha1}`], { path: "/a b" }), sha1);
  assertEquals(Sha1File.process([`${sha1}  /other`], { path: "/a b" }), null);
  assertEquals(Sha1File.process([`${sha1.slice(1)}  /a b`], { path: "/a b" }), null);
  // Regex characters in the path are literal.
  assertEquals(Sha1File.process([`${sha1}  /aXb`], { path: "/a.b" }), null);
  const sha256 = "4a1e67f2fe1d1cc7b31d0ca2ec441da4778203a036a77da10344c85e24ff0f92";
  assertEquals(Sha256File.process([`SHA256 (f) = ${sha256}`], { path: "f" }), sha256);
  assertEquals(
    Md5File.process([`MD5 (f) = 0f723ae7f9bf07744445e93ac5595156`], { path: "f" }),
    [
      "0f723ae7f9bf07744445e93ac5595156",
    ][0],
  );
  assertEquals(Md5File.defaultValue(), null);
});

Deno.test("files.Sha1File matches GNU's escaped form of names with a newline or backslash", () => {
  const sha1 = "58853e8a5e8272b1012f9a52a80758b27bd0d3cb";
  assertEquals(Sha1File.process([`\\${sha1}  /tmp/a\\nb`], { path: "/tmp/a\nb" }), sha1);
  assertEquals(Sha1File.process([`\\${sha1}  /tmp/a\\\\b`], { path: "/tmp/a\\b" }), sha1);
});

Deno.test("files hash commands try each program in pyinfra's order", () => {
  assertEquals(
    Sha256File.command({ path: "/a b" }).raw(),
    "test -e '/a b' && ( sha256sum '/a b' 2> /dev/null || shasum -a 256 '/a b' 2> /dev/null" +
      " || sha256 '/a b' 2> /dev/null ) || true",
  );
  assertEquals(
    Md5File.command({ path: "f" }).raw(),
    "test -e f && ( md5sum f 2> /dev/null || md5 f 2> /dev/null ) || true",
  );
});

Deno.test("files.FindInFile tells a file without matches from a missing file", () => {
  const args = { path: "/etc/x y", pattern: "a" };
  assertEquals(FindInFile.process(["__pyinfra_exists_/etc/x y"], args), []);
  assertEquals(FindInFile.process(["a line", "another"], args), ["a line", "another"]);
  assertEquals(FindInFile.defaultValue(), null);
});

Deno.test("files.FindInFile quotes the pattern unless interpolate_variables", () => {
  assertEquals(
    FindInFile.command({ path: "/f", pattern: "$HOME it's" }).raw(),
    `grep -e '$HOME it'"'"'s' /f 2> /dev/null || ( find /f -type f > /dev/null && echo ` +
      "__pyinfra_exists_/f || true )",
  );
  assertEquals(
    FindInFile.command({ path: "/f", pattern: 'say "$HOME"', interpolate_variables: true }).raw(),
    `grep -e "say \\"$HOME\\"" /f 2> /dev/null || ( find /f -type f > /dev/null && echo ` +
      "__pyinfra_exists_/f || true )",
  );
  assertEquals(FindInFile.argDefaults, { interpolate_variables: false });
});

Deno.test("files.FindFiles leaves the path bare only when quote_path is false", () => {
  assertEquals(FindFiles.command({ path: "/a b" }).raw(), "find '/a b' -type f || true");
  assertEquals(FindLinks.command({ path: "/a b" }).raw(), "find '/a b' -type l || true");
  assertEquals(
    FindDirectories.command({ path: "/srv/*.d", quote_path: false }).raw(),
    "find /srv/*.d -type d || true",
  );
  assertEquals(FindFiles.process(["/a", "/b"], { path: "/" }), ["/a", "/b"]);
  assertEquals(FindFiles.defaultValue(), []);
});

Deno.test("files.Flags splits BSD flags and is empty without chflags", () => {
  assertEquals(Flags.process(["uchg,nodump"], { path: "f" }), ["uchg", "nodump"]);
  assertEquals(Flags.process(["-"], { path: "f" }), ["-"]);
  assertEquals(Flags.process([""], { path: "f" }), []);
  assertEquals(Flags.process(["a", "b"], { path: "f" }), []);
  assertEquals(Flags.requiresCommand({ path: "f" }), "chflags");
  assertEquals(
    Flags.hostCommand({ path: "f" }).raw(),
    "! command -v chflags >/dev/null || ! test -e f || stat -f %Sf f",
  );
});

Deno.test("files.Block uses custom markers and refuses equal ones", () => {
  assertEquals(blockMarkers({}), { start: "# BEGIN PYINFRA BLOCK", end: "# END PYINFRA BLOCK" });
  assertEquals(blockMarkers({ marker: "## {mark} app {mark}", begin: "ON", end: "OFF" }), {
    start: "## ON app ON",
    end: "## OFF app OFF",
  });
  assertEquals(
    Block.command({ path: "/a b", marker: "## {mark}" }).raw(),
    "awk '/## END/{ f=0} f; /## BEGIN/{ f=1} ' '/a b' || (find '/a b' -type f " +
      "> /dev/null && echo '__pyinfra_exists_/a b' || echo '__pyinfra_missing_/a b' )",
  );
  let message = "";
  try {
    Block.command({ path: "f", marker: "# fixed" });
  } catch (error) {
    message = (error as Error).message;
  }
  assertEquals(message, "delimiters for block must be different but found only '# fixed'");
  assertEquals(Block.process(["__pyinfra_missing_f"], { path: "f" }), null);
  assertEquals(Block.process(["__pyinfra_exists_f"], { path: "f" }), []);
  assertEquals(Block.process([""], { path: "f" }), [""]);
});

Deno.test("files facts read real files, folders and links, whatever their names", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "tsinfra-facts-" }));
  try {
    for (const name of ["plain", "it's", 'say "hi"', "$(x)", "new\nline", "a -> b"]) {
      const file = path.join(dir, name);
      await Deno.writeTextFile(file, "hello\nworld\n");
      await Deno.chmod(file, 0o640);
      await Deno.symlink(file, `${file}.link`);
      const h = host();
      const info = await h.getFact(File, { path: file });
      assertEquals(info && [info.mode, info.size], [640, 12], name);
      assertEquals(await h.getFact(Directory, { path: file }), false);
      const link = await h.getFact(Link, { path: `${file}.link` });
      assertEquals(link && link.link_target, file, name);
      assertEquals(await h.getFact(FindInFile, { path: file, pattern: "^wor" }), ["world"]);
      assertEquals(
        await h.getFact(Sha1File, { path: file }),
        "58853e8a5e8272b1012f9a52a80758b27bd0d3cb",
        name,
      );
    }
    const h = host();
    assertEquals(await h.getFact(File, { path: path.join(dir, "missing") }), null);
    assertEquals(
      await h.getFact(FindInFile, { path: path.join(dir, "missing"), pattern: "x" }),
      null,
    );
    // Line-based, as in pyinfra: a name holding a newline spans two entries.
    assertEquals(
      (await h.getFact(FindFiles, { path: dir })).includes(path.join(dir, "plain")),
      true,
    );
    assertEquals(await h.getFact(Block, { path: path.join(dir, "plain") }), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("files fact commands run through sh -c never execute what a path holds", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "tsinfra-sh-" }));
  const canary = path.join(dir, "pwned");
  const kept = `kept $(touch ${canary})`;
  try {
    const hostile = [
      `$(touch ${canary})`,
      `\`touch ${canary}\``,
      `'; touch ${canary}; '`,
      `"; touch ${canary}; "`,
      `x\ntouch ${canary}`,
      "sp ace & tab\t|pipe",
    ];
    for (const name of hostile) {
      const sub = path.join(dir, name.replaceAll("/", "_"));
      await Deno.mkdir(sub);
      const file = path.join(sub, `${name.replaceAll("/", "_")}.txt`);
      const content = `a\n# BEGIN PYINFRA BLOCK\n${kept}\n# END PYINFRA BLOCK\n`;
      await Deno.writeTextFile(file, content);
      await Deno.chmod(file, 0o4750);
      await Deno.symlink(file, path.join(sub, "link"));

      const info = await viaSh(File, { path: file });
      assertEquals(info && [info.mode, info.size], [4750, content.length], JSON.stringify(name));
      assertEquals((await viaSh(Directory, { path: sub })) !== null, true);
      assertEquals(await viaSh(Socket, { path: file }), false);
      const link = await viaSh(Link, { path: path.join(sub, "link") });
      assertEquals(link && link.link_target, file, JSON.stringify(name));
      assertMatch((await viaSh(Sha256File, { path: file })) ?? "", /^[0-9a-f]{64}$/);
      assertMatch((await viaSh(Md5File, { path: file })) ?? "", /^[0-9a-f]{32}$/);
      assertEquals(await viaSh(FindInFile, { path: file, pattern: kept }), [kept]);
      assertEquals(await viaSh(FindInFile, { path: file, pattern: "nothing" }), []);
      assertEquals(await viaSh(Block, { path: file }), [kept]);
      assertEquals(await viaSh(Block, { path: `${file}.missing` }), null);
      assertEquals(await viaSh(Flags, { path: file }), []);
      if (!name.includes("\n")) {
        assertEquals(await viaSh(FindFiles, { path: sub }), [file]);
        assertEquals(await viaSh(FindLinks, { path: sub }), [path.join(sub, "link")]);
        assertEquals(await viaSh(FindDirectories, { path: sub }), [sub]);
      }
    }
    assertEquals(await viaSh(File, { path: canary }), null, "a path or pattern was executed");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * File facts read for real through the local shell, on hostile names too.
 */
import * as path from "node:path";
import { Host } from "../../src/core/host.ts";
import { LocalConnector } from "../../src/connectors/local.ts";
import {
  Block,
  Directory,
  File,
  FindFiles,
  FindInFile,
  Link,
  linkTarget,
  parseMode,
  Sha1File,
} from "../../src/facts/files.ts";
import { assertEquals } from "../_assert.ts";

const host = () =>
  new Host({
    name: "local",
    groups: [],
    data: {},
    defaults: {},
    connector: () => new LocalConnector(),
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

Deno.test("stat modes and link names parse as pyinfra parses them", () => {
  assertEquals(parseMode("rwsr-Sr-T"), 7744);
  assertEquals(parseMode("r--------"), 400);
  assertEquals(linkTarget(`'/a' -> '/b c'`), "/b c");
  assertEquals(linkTarget(`"it's" -> "it's target"`), "it's target");
  assertEquals(linkTarget(`'a -> b.link' -> 'a -> b'`), "a -> b");
  assertEquals(linkTarget(`'x' -> 'new'$'\\n''line'`), "new\nline");
});

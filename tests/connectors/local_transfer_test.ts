/**
 * @local uploads and downloads, for real: a temporary file then a rename, so the
 * target is the old file or the whole new one; sudo and su uploads owned by their user.
 */
import * as path from "node:path";
import type { ConnectorArguments } from "../../src/core/arguments.ts";
import { CommandError } from "../../src/core/errors.ts";
import { assertEquals, assertMatch, assertRejects } from "../_assert.ts";
import {
  bytes,
  check,
  exists,
  rootTest,
  text,
  transfer,
  withLocal,
  withTempDir,
} from "./_local.ts";
import { downloadFile, uploadFile } from "../../src/core/transfer.ts";

/** Names in `dir` other than `keep`: leftovers of a staged upload. */
async function leftovers(dir: string, ...keep: string[]): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (!keep.includes(entry.name)) names.push(entry.name);
  }
  return names.sort();
}

async function ownerOf(file: string): Promise<[uid: number, mode: number]> {
  const info = await Deno.stat(file);
  return [info.uid!, info.mode! & 0o7777];
}

const NOBODY_UID = 65534;

Deno.test("@local putFile writes a new file and replaces an old one, keeping its mode", async () => {
  await withLocal(async (local) => {
    await withTempDir(async (dir) => {
      const temp = path.join(dir, "tmp");
      await Deno.mkdir(temp);
      const dest = path.join(dir, 'it\'s a "file" $x');
      await uploadFile(local, bytes("first\n"), dest, transfer({}, temp));
      assertEquals(await Deno.readTextFile(dest), "first\n");
      await Deno.chmod(dest, 0o600);
      await uploadFile(local, bytes("second\n"), dest, transfer({}, temp));
      assertEquals(await Deno.readTextFile(dest), "second\n");
      assertEquals((await ownerOf(dest))[1], 0o600);
      // Nothing is left beside the target, nor in the temporary folder.
      assertEquals(await leftovers(dir, "tmp", path.basename(dest)), []);
      assertEquals(await leftovers(temp), []);
    });
  });
});

Deno.test("@local putFile with a relative target follows _chdir", async () => {
  await withLocal(async (local) => {
    await withTempDir(async (dir) => {
      await uploadFile(local, bytes("here\n"), "rel.txt", transfer({ _chdir: dir }));
      assertEquals(await Deno.readTextFile(path.join(dir, "rel.txt")), "here\n");
    });
  });
});

Deno.test("@local putFile leaves the target as it was when the temporary file cannot be written", async () => {
  await withLocal(async (local) => {
    await withTempDir(async (dir) => {
      const dest = path.join(dir, "target");
      await Deno.writeTextFile(dest, "old\n");
      const error = await assertRejects(
        () => uploadFile(local, bytes("new\n"), dest, transfer({}, path.join(dir, "missing"))),
        /Could not upload .*target: /,
      );
      check(error instanceof CommandError);
      assertEquals(await Deno.readTextFile(dest), "old\n");
      assertEquals(await leftovers(dir, "target"), []);
    });
  });
});

Deno.test("@local putFile leaves the target as it was when it cannot be put in place", async () => {
  await withLocal(async (local) => {
    await withTempDir(async (dir) => {
      const temp = path.join(dir, "tmp");
      await Deno.mkdir(temp);
      // A folder is refused, not written into.
      await Deno.mkdir(path.join(dir, "folder"));
      await assertRejects(
        () => uploadFile(local, bytes("x"), path.join(dir, "folder"), transfer({}, temp)),
        /folder: is a directory/,
      );
      assertEquals(await leftovers(path.join(dir, "folder")), []);
      // A missing parent folder.
      await assertRejects(
        () => uploadFile(local, bytes("x"), path.join(dir, "no/such/file"), transfer({}, temp)),
        /Directory nonexistent|No such file or directory/,
      );
      assertEquals(await leftovers(dir, "tmp", "folder"), []);
      assertEquals(await leftovers(temp), []);
    });
  });
});

Deno.test("@local putFile replaces a file at once: readers see the old or the new, never a part", async () => {
  await withLocal(async (local) => {
    await withTempDir(async (dir) => {
      const dest = path.join(dir, "big");
      const stop = path.join(dir, "stop");
      const versions = [bytes("a".repeat(8 << 20)), bytes("b".repeat(8 << 20))];
      await Deno.writeFile(dest, versions[0]);
      // A separate reader keeps checksumming the target while it is replaced.
      const reader = new Deno.Command("sh", {
        args: ["-c", 'while [ ! -e "$2" ]; do cksum < "$1"; done', "sh", dest, stop],
        stdout: "piped",
      }).spawn();
      try {
        for (let i = 1; i <= 6; i++) {
          await uploadFile(local, versions[i % 2], dest, transfer({}, dir));
        }
      } finally {
        await Deno.writeTextFile(stop, "");
      }
      const sums = new Set(text((await reader.output()).stdout).trim().split("\n"));
      const expected = new Set<string>();
      for (const version of versions) {
        await Deno.writeFile(path.join(dir, "copy"), version);
        const out = await new Deno.Command("sh", {
          args: ["-c", 'cksum < "$1"', "sh", path.join(dir, "copy")],
        }).output();
        expected.add(text(out.stdout).trim());
      }
      check(sums.size >= 1, "the reader read nothing");
      for (const sum of sums) check(expected.has(sum), `a reader saw a partial file: ${sum}`);
    });
  });
});

rootTest("@local putFile with sudo to a root-owned folder lands owned by root", async () => {
  await withLocal(async (local) => {
    await withTempDir(async (dir) => {
      const dest = path.join(dir, "root-owned");
      await uploadFile(local, bytes("as root\n"), dest, transfer({ _sudo: true }));
      assertEquals(await Deno.readTextFile(dest), "as root\n");
      assertEquals((await ownerOf(dest))[0], 0);
      // A user who may not write there fails, and the target stays.
      await assertRejects(
        () =>
          uploadFile(local, bytes("no\n"), dest, transfer({ _sudo: true, _sudoUser: "nobody" })),
        /Permission denied/,
      );
      assertEquals(await Deno.readTextFile(dest), "as root\n");
      assertEquals(await leftovers(dir, "root-owned"), []);
    });
  });
});

rootTest("@local putFile as another user (sudo -u, su) is owned by that user", async (t) => {
  const cases: [string, Partial<ConnectorArguments>][] = [
    ["sudo -u nobody", { _sudo: true, _sudoUser: "nobody" }],
    ["su nobody", { _suUser: "nobody", _suShell: "/bin/sh" }],
  ];
  await withLocal(async (local) => {
    for (const [name, extra] of cases) {
      await t.step(name, async () => {
        await withTempDir(async (dir) => {
          await Deno.chown(dir, NOBODY_UID, NOBODY_UID);
          const dest = path.join(dir, "theirs");
          await uploadFile(local, bytes("for nobody\n"), dest, transfer(extra));
          assertEquals(await Deno.readTextFile(dest), "for nobody\n");
          assertEquals((await ownerOf(dest))[0], NOBODY_UID);
        });
      });
    }
  });
});

rootTest("@local putFile over a file of another owner keeps its owner and mode", async () => {
  await withLocal(async (local) => {
    await withTempDir(async (dir) => {
      const dest = path.join(dir, "config");
      await Deno.writeTextFile(dest, "old\n");
      await Deno.chown(dest, NOBODY_UID, NOBODY_UID);
      await Deno.chmod(dest, 0o640);
      await uploadFile(local, bytes("new\n"), dest, transfer({ _sudo: true }));
      assertEquals(await Deno.readTextFile(dest), "new\n");
      assertEquals(await ownerOf(dest), [NOBODY_UID, 0o640]);
    });
  });
});

Deno.test("@local getFile returns the exact bytes of a file", async () => {
  await withLocal(async (local) => {
    await withTempDir(async (dir) => {
      const all = new Uint8Array(256 * 64).map((_, i) => i % 256);
      const src = path.join(dir, "binary $(x) 'y'");
      await Deno.writeFile(src, all);
      assertEquals(await downloadFile(local, src, transfer()), all);
      assertEquals(await downloadFile(local, "binary $(x) 'y'", transfer({ _chdir: dir })), all);
      assertEquals(await downloadFile(local, src, transfer({ _getPty: true, _stdin: "x" })), all);
      const error = await assertRejects(
        () => downloadFile(local, path.join(dir, "missing"), transfer()),
        /Could not read .*missing: .*No such file or directory/,
      );
      check(error instanceof CommandError);
    });
  });
});

rootTest("@local getFile reads as the sudo user: root's private file only with sudo", async () => {
  await withLocal(async (local) => {
    await withTempDir(async (dir) => {
      const src = path.join(dir, "secret");
      await Deno.writeTextFile(src, "s3cret\n", { mode: 0o600 });
      await Deno.chmod(src, 0o600);
      assertEquals(text(await downloadFile(local, src, transfer({ _sudo: true }))), "s3cret\n");
      await assertRejects(
        () => downloadFile(local, src, transfer({ _sudo: true, _sudoUser: "nobody" })),
        /Permission denied/,
      );
    });
  });
});

Deno.test("@local putFile and getFile round-trip hostile names and contents", async () => {
  const names = ["it's", '"q"', "$(id)", "`id`", "new\nline", "back\\slash", "Šablony ☃", "-n"];
  await withLocal(async (local) => {
    await withTempDir(async (dir) => {
      for (const name of names) {
        const dest = path.join(dir, name);
        const content = bytes(`${name}\r\n\0${name}`);
        await uploadFile(local, content, dest, transfer({}, dir));
        assertEquals(await Deno.readFile(dest), content);
        assertEquals(await downloadFile(local, dest, transfer()), content);
      }
      check(!(await exists("/tmp/tsinfra-pwned")));
      assertMatch((await leftovers(dir, ...names)).join(","), /^$/);
    });
  });
});

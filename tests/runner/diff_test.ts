/**
 * `--diff`'s unified diffs are those of GNU `diff -u` (the real tool, run on the same
 * files), hunk for hunk, on a large file with a few changes and on small edge cases.
 */
import { assertEquals } from "../_assert.ts";
import { unifiedDiff } from "../../src/runner/diff.ts";

/** The hunks of `diff -u` on two texts: everything after its two header lines. */
async function gnuHunks(before: string, after: string): Promise<string> {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/a`, before);
    await Deno.writeTextFile(`${dir}/b`, after);
    const output = await new Deno.Command("diff", { args: ["-u", `${dir}/a`, `${dir}/b`] })
      .output();
    const text = new TextDecoder().decode(output.stdout);
    // `--diff` shows text lines: the "\ No newline at end of file" notes are left out.
    return text.split("\n").slice(2).join("\n").replace(/^\\ No newline at end of file\n/gm, "");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function ourHunks(before: string, after: string): string {
  return unifiedDiff(before, after, "/f").split("\n").slice(2).join("\n");
}

Deno.test("a 100,000-line file with five changed lines gives diff -u's five hunks", async () => {
  const lines = Array.from({ length: 100_000 }, (_, i) => `setting_${i} = value ${i * 7}`);
  const changed = [...lines];
  for (const at of [0, 25_000, 50_000, 50_004, 99_999]) changed[at] = `setting_${at} = changed`;
  changed.splice(75_000, 0, "inserted = true");
  const before = lines.join("\n") + "\n";
  const after = changed.join("\n") + "\n";
  const ours = ourHunks(before, after);
  assertEquals(ours, await gnuHunks(before, after));
  assertEquals(ours.split("\n").filter((l) => l.startsWith("@@")).length, 5);
});

Deno.test("removed lines come before added ones, as diff -u prints them, in small cases too", async () => {
  for (
    const [before, after] of [
      ["a\nb\nc\n", "a\nB\nc\n"],
      ["a\nb\nc\n", "x\ny\n"],
      ["", "new\n"],
      ["old\n", ""],
      ["a\nb", "a\nc"],
      ["1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", "1\n2\n3\nfour\n5\n6\n7\n8\nnine\n10\n"],
    ]
  ) {
    assertEquals(ourHunks(before, after), await gnuHunks(before, after), JSON.stringify(before));
  }
});

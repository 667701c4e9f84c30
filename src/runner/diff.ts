/**
 * Unified diffs for `--diff`, from npm `diff` (Myers' algorithm: fast on files of
 * hundreds of thousands of lines), printed as `diff -u` prints them.
 *
 * @module
 */
import { structuredPatch } from "../deps.ts";

/**
 * The unified diff turning `before` into `after`, or "" when they are equal.
 *
 * @example
 * ```ts
 * import { unifiedDiff } from "./diff.ts";
 * const diff = unifiedDiff("a\nb\n", "a\nc\n", "/etc/x");
 * if (diff !== "--- /etc/x\n+++ /etc/x\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n") throw new Error(diff);
 * ```
 */
export function unifiedDiff(before: string, after: string, name: string, context = 3): string {
  if (before === after) return "";
  const patch = structuredPatch(name, name, before, after, undefined, undefined, { context });
  let out = `--- ${name}\n+++ ${name}\n`;
  for (const hunk of patch.hunks) {
    out += `@@ -${range(hunk.oldStart, hunk.oldLines)} +${
      range(hunk.newStart, hunk.newLines)
    } @@\n`;
    for (const line of hunk.lines) {
      if (line.startsWith("\\")) continue; // "\ No newline at end of file"
      out += line + "\n";
    }
  }
  return out;
}

/** A hunk's range as `diff -u` writes it: `START` for one line, `START,COUNT` otherwise,
 * and an empty range starts at the line before it (`0,0` for an empty file). */
function range(start: number, count: number): string {
  if (count === 1) return String(start);
  return `${count === 0 ? start - 1 : start},${count}`;
}

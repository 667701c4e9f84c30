/**
 * A small unified diff for `--diff`: line based, with three lines of context.
 *
 * @module
 */

function lcsTable(a: string[], b: string[]): Uint32Array[] {
  const table = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      table[i][j] = a[i] === b[j]
        ? table[i + 1][j + 1] + 1
        : Math.max(table[i + 1][j], table[i][j + 1]);
    }
  }
  return table;
}

/**
 * The unified diff turning `before` into `after`, or "" when they are equal.
 *
 * @example
 * ```ts
 * import { unifiedDiff } from "./diff.ts";
 * unifiedDiff("a\nb\n", "a\nc\n", "/etc/x");
 * // "--- /etc/x\n+++ /etc/x\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n"
 * ```
 */
export function unifiedDiff(before: string, after: string, name: string, context = 3): string {
  if (before === after) return "";
  const a = before === "" ? [] : before.replace(/\n$/, "").split("\n");
  const b = after === "" ? [] : after.replace(/\n$/, "").split("\n");
  if (a.length * b.length > 4_000_000) {
    return `--- ${name}\n+++ ${name}\n(files too large to diff: ${a.length} and ${b.length} lines)\n`;
  }
  const table = lcsTable(a, b);
  type Line = { tag: " " | "-" | "+"; text: string; ai: number; bi: number };
  const lines: Line[] = [];
  let i = 0, j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      lines.push({ tag: " ", text: a[i], ai: i++, bi: j++ });
    } else if (j < b.length && (i >= a.length || table[i][j + 1] >= table[i + 1][j])) {
      lines.push({ tag: "+", text: b[j], ai: i, bi: j++ });
    } else {
      lines.push({ tag: "-", text: a[i], ai: i++, bi: j });
    }
  }
  let out = `--- ${name}\n+++ ${name}\n`;
  let k = 0;
  while (k < lines.length) {
    if (lines[k].tag === " ") {
      k++;
      continue;
    }
    let start = Math.max(0, k - context);
    let end = k;
    while (end < lines.length) {
      if (lines[end].tag !== " ") {
        end++;
        continue;
      }
      let run = 0;
      while (end + run < lines.length && lines[end + run].tag === " ") run++;
      if (end + run >= lines.length || run > context * 2) {
        end = Math.min(lines.length, end + context);
        break;
      }
      end += run;
    }
    const hunk = lines.slice(start, end);
    const aCount = hunk.filter((l) => l.tag !== "+").length;
    const bCount = hunk.filter((l) => l.tag !== "-").length;
    const aStart = hunk[0].ai + (aCount ? 1 : 0);
    const bStart = hunk[0].bi + (bCount ? 1 : 0);
    out += `@@ -${aStart},${aCount} +${bStart},${bCount} @@\n`;
    for (const l of hunk) out += `${l.tag}${l.text}\n`;
    k = end;
    start = end;
  }
  return out;
}

/**
 * The `--diff` figure of `deno task bench`: a 100,000-line file with five lines changed,
 * diffed as `--diff` prints it (median of 5). Prints one JSON line.
 *
 *   deno run -A scripts/bench/diff_large.ts [LINES]
 *
 * @module
 */
import { unifiedDiff } from "../../src/runner/diff.ts";

const lines = Number(Deno.args[0] ?? 100_000);
const before = Array.from({ length: lines }, (_, i) => `setting_${i} = value ${i * 7}`);
const after = [...before];
for (const at of [10, lines / 4, lines / 2, (3 * lines) / 4, lines - 10]) {
  after[Math.floor(at)] = `setting_${Math.floor(at)} = changed`;
}
const a = before.join("\n") + "\n";
const b = after.join("\n") + "\n";
const times: number[] = [];
let hunks = 0;
for (let i = 0; i < 5; i++) {
  const started = performance.now();
  const diff = unifiedDiff(a, b, "/etc/big.conf");
  times.push(performance.now() - started);
  hunks = diff.split("\n").filter((l) => l.startsWith("@@")).length;
}
times.sort((x, y) => x - y);
console.log(JSON.stringify({ lines, changed: 5, hunks, medianMs: Math.round(times[2]) }));

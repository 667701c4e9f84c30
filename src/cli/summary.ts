/**
 * The blocks printed between phases: proposed changes after prepare, the dry-run
 * listing, and the results table at the end.
 *
 * @module
 */
import type { RunReport } from "../runner/report.ts";
import type { Output } from "./output.ts";

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => "    " + r.map((c, i) => c.padEnd(widths[i])).join("   ").trimEnd());
}

/**
 * Prints what prepare found: per host, operations and how many will change, then the
 * operations that will change (every operation with --dry or -v), with their diffs
 * when --diff was given, so that the approval prompt follows what it approves.
 */
export function printProposedChanges(
  out: Output,
  report: RunReport,
  verbosity: number,
  dry: boolean,
) {
  const s = out.style;
  out.heading(dry ? "Proposed changes (dry run):" : "Proposed changes:");
  for (const [name, host] of Object.entries(report.hosts)) {
    const change = host.operations.filter((o) => o.status === "willChange").length;
    out.line(
      `    [${s.bold(name)}]   Operations: ${host.operations.length}   Change: ${
        change ? s.green(String(change)) : "0"
      }   No change: ${host.operations.length - change - host.stats.errors}${
        host.error ? `   ${s.red("Error: " + host.error)}` : ""
      }`,
    );
    for (const op of host.operations) {
      if (!dry && verbosity < 1 && op.status === "noChange") continue;
      const mark = op.deferred
        ? s.yellow(`decided at run time, after the operations before it (${op.deferred})`)
        : op.status === "willChange"
        ? s.green(op.conditional ? "will change if its _if condition holds" : "will change")
        : op.status === "error"
        ? s.red(`error: ${op.error}`)
        : s.dim(`no change${op.noopReason ? `: ${op.noopReason}` : ""}`);
      out.line(`        ${op.name} ${s.dim(`(${op.callSite})`)}: ${mark}`);
      if (verbosity >= 1) { for (const c of op.commands) out.line(s.dim(`            >>> ${c}`)); }
      for (const diff of op.diffs ?? []) {
        for (const l of diff.replace(/\n$/, "").split("\n")) {
          out.line(
            "            " +
              (l.startsWith("+") && !l.startsWith("+++")
                ? s.green(l)
                : l.startsWith("-") && !l.startsWith("---")
                ? s.red(l)
                : l),
          );
        }
      }
    }
  }
}

/** Prints the results table: per host, operations, changed, no change, errors. */
export function printResults(out: Output, report: RunReport) {
  const s = out.style;
  out.heading("Results:");
  const rows = [["Host", "Operations", "Changed", "No change", "Errors"]];
  for (const [name, host] of Object.entries(report.hosts)) {
    rows.push([
      name,
      String(host.stats.operations),
      String(host.stats.changed),
      String(host.stats.noChange),
      String(host.stats.errors),
    ]);
  }
  const lines = table(rows);
  out.line(s.bold(lines[0]));
  for (const l of lines.slice(1)) out.line(l);
  for (const [name, host] of Object.entries(report.hosts)) {
    if (host.error) out.line(s.red(`    [${name}] failed: ${host.error}`));
  }
  if (report.stopped) out.line(s.red(`    Run stopped: ${report.stopped}`));
}

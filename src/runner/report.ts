/**
 * The run's result as one JSON document (`--json`), also the source of the final
 * results table. Passwords and masked values never appear: commands are stored masked.
 *
 * @module
 */
import type { PrepareResult } from "./prepare.ts";
import type { ExecuteResult } from "./execute.ts";
import type { Host } from "../core/host.ts";

/** One operation on one host. */
export interface OperationReport {
  name: string;
  id: string;
  callSite: string;
  changed: boolean;
  success: boolean;
  status: "changed" | "noChange" | "error" | "skipped" | "willChange";
  commands: string[];
  stdout: string;
  stderr: string;
  error: string | null;
  noopReason?: string;
  diffs?: string[];
  /** In a dry run: the operation has an `_if` condition, read only at execution. */
  conditional?: boolean;
}

/** Counters of one host. */
export interface HostStatsReport {
  operations: number;
  changed: number;
  noChange: number;
  errors: number;
  roundTrips: number;
}

/** One host. */
export interface HostReport {
  success: boolean;
  error: string | null;
  operations: OperationReport[];
  stats: HostStatsReport;
}

/** The whole run. */
export interface RunReport {
  version: 1;
  dry: boolean;
  success: boolean;
  hosts: Record<string, HostReport>;
  totals: { hosts: number; operations: number; changed: number; noChange: number; errors: number };
  /** Set when `--fail-percent` stopped the run. */
  stopped?: string;
}

/** Builds the report of a run (or of a dry run, from prepare alone). */
export function buildReport(
  hosts: Host[],
  connectFailed: Map<string, string>,
  prepare: PrepareResult | undefined,
  execute: ExecuteResult | undefined,
): RunReport {
  const report: RunReport = {
    version: 1,
    dry: !execute,
    success: true,
    hosts: {},
    totals: { hosts: hosts.length, operations: 0, changed: 0, noChange: 0, errors: 0 },
  };
  if (execute?.stopped) report.stopped = execute.stopped;
  for (const host of hosts) {
    const operations: OperationReport[] = [];
    const plan = prepare?.plans.get(host.name);
    const prepared = prepare?.prepared.get(host.name);
    const outcomes = execute?.outcomes.get(host.name);
    for (const op of plan?.operations ?? []) {
      const before = prepared?.get(op.id);
      const after = outcomes?.get(op.id);
      if (after) {
        operations.push({
          name: op.name,
          id: op.id,
          callSite: op.callSite,
          changed: after.changed,
          success: after.success,
          status: after.status,
          commands: after.commands,
          stdout: after.stdout,
          stderr: after.stderr,
          error: after.error,
          ...(after.noopReason ? { noopReason: after.noopReason } : {}),
        });
      } else if (before && !execute) {
        operations.push({
          name: op.name,
          id: op.id,
          callSite: op.callSite,
          changed: before.willChange,
          success: !before.error,
          status: before.error ? "error" : before.willChange ? "willChange" : "noChange",
          commands: before.commands,
          stdout: "",
          stderr: "",
          error: before.error ?? null,
          ...(before.noopReason ? { noopReason: before.noopReason } : {}),
          ...(before.diffs.length ? { diffs: before.diffs.filter(Boolean) } : {}),
          ...(op.globals._if !== undefined ? { conditional: true } : {}),
        });
      } else if (before?.error) {
        operations.push({
          name: op.name,
          id: op.id,
          callSite: op.callSite,
          changed: false,
          success: false,
          status: "error",
          commands: before.commands,
          stdout: "",
          stderr: "",
          error: before.error,
        });
      }
    }
    const error = connectFailed.get(host.name) ?? execute?.failed.get(host.name) ??
      prepare?.failed.get(host.name) ?? null;
    const stats: HostStatsReport = {
      operations: operations.length,
      changed: operations.filter((o) => o.changed).length,
      noChange: operations.filter((o) => !o.changed && o.success).length,
      errors: operations.filter((o) => !o.success).length,
      roundTrips: host.stats.roundTrips,
    };
    const success = error === null;
    report.hosts[host.name] = { success, error, operations, stats };
    report.success &&= success;
    report.totals.operations += stats.operations;
    report.totals.changed += stats.changed;
    report.totals.noChange += stats.noChange;
    report.totals.errors += stats.errors;
  }
  if (report.stopped) report.success = false;
  return report;
}

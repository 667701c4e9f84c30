/**
 * The run's result as one JSON document (`--json`), also the source of the final
 * results table. Passwords and masked values never appear: commands are stored masked.
 *
 * @module
 */
import type {
  HostCounters,
  HostPrepared,
  OperationOutcome,
  OperationSummary,
  PlainFailure,
} from "./protocol.ts";

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
  /** The error as data: its class, message, and the failed command and exit status. */
  failure?: PlainFailure;
  noopReason?: string;
  diffs?: string[];
  /** In a dry run: the operation has an `_if` condition, read only at execution. */
  conditional?: boolean;
  /**
   * In a dry run: decided at run time, because a fact it needs cannot be read until
   * earlier operations ran (the reason).
   */
  deferred?: string;
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
  /** What the connector said on closing: the image a container was committed to. */
  note?: string;
  /** In a merged sharded run: the host's shard sent no report, so it did not run. */
  status?: "not-run";
  /** Taken over from that attempt's report by `--resume` (the host was not run again). */
  resumedFrom?: number;
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
  /** Wall time of each phase of the run, in milliseconds. */
  timings?: PhaseTimings;
}

/** Where a run's time went, phase by phase (milliseconds, wall time). */
export interface PhaseTimings {
  /** Opening every host's connection (in parallel). */
  connectMs: number;
  /** Running the deploy code and every operation's generator against facts. */
  prepareMs: number;
  /** Executing the operations (0 for a dry run). */
  executeMs: number;
  /** Closing connections and collecting counters. */
  disconnectMs: number;
}

/** Everything the report is built from: plain data from the shards. */
export interface ReportInput {
  /** Hosts of the run, in inventory order. */
  hosts: string[];
  connectFailed: Map<string, string>;
  prepared: Map<string, HostPrepared>;
  /** Absent for a dry run. */
  outcomes?: Map<string, Map<string, OperationOutcome>>;
  /** Hosts that failed during execution, with the reason. */
  failed?: Map<string, string>;
  counters: Record<string, HostCounters>;
  stopped?: string;
  timings?: PhaseTimings;
}

function fromOutcome(op: OperationSummary, after: OperationOutcome): OperationReport {
  return {
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
    ...(after.failure ? { failure: after.failure } : {}),
    ...(after.noopReason ? { noopReason: after.noopReason } : {}),
  };
}

function fromPrepare(op: OperationSummary, dry: boolean): OperationReport {
  return {
    name: op.name,
    id: op.id,
    callSite: op.callSite,
    changed: dry ? op.willChange && !op.error : false,
    success: !op.error,
    status: op.error ? "error" : op.willChange ? "willChange" : "noChange",
    commands: op.commands,
    stdout: "",
    stderr: "",
    error: op.error ?? null,
    ...(op.noopReason ? { noopReason: op.noopReason } : {}),
    ...(op.diffs.length ? { diffs: op.diffs } : {}),
    ...(op.conditional ? { conditional: true } : {}),
    ...(op.deferred ? { deferred: op.deferred } : {}),
  };
}

/** The totals of a report's hosts (the shard run and merge recount them as hosts move). */
export function totalsOf(hosts: Readonly<Record<string, HostReport>>): RunReport["totals"] {
  const totals = { hosts: 0, operations: 0, changed: 0, noChange: 0, errors: 0 };
  for (const { stats } of Object.values(hosts)) {
    totals.hosts += 1;
    totals.operations += stats.operations;
    totals.changed += stats.changed;
    totals.noChange += stats.noChange;
    totals.errors += stats.errors;
  }
  return totals;
}

/** Builds the report of a run, or of a dry run (no outcomes). */
export function buildReport(input: ReportInput): RunReport {
  const dry = !input.outcomes;
  const report: RunReport = {
    version: 1,
    dry,
    success: true,
    hosts: {},
    totals: { hosts: 0, operations: 0, changed: 0, noChange: 0, errors: 0 },
  };
  if (input.stopped) report.stopped = input.stopped;
  if (input.timings) report.timings = input.timings;
  for (const name of input.hosts) {
    const prepared = input.prepared.get(name);
    const outcomes = input.outcomes?.get(name);
    const operations: OperationReport[] = [];
    for (const op of prepared?.operations ?? []) {
      const after = outcomes?.get(op.id);
      if (after) operations.push(fromOutcome(op, after));
      else if (dry || op.error) operations.push(fromPrepare(op, dry));
    }
    const error = input.connectFailed.get(name) ?? input.failed?.get(name) ?? prepared?.error ??
      null;
    const stats: HostStatsReport = {
      operations: operations.length,
      changed: operations.filter((o) => o.changed && o.success).length,
      noChange: operations.filter((o) => !o.changed && o.success).length,
      errors: operations.filter((o) => !o.success).length,
      roundTrips: input.counters[name]?.roundTrips ?? 0,
    };
    const success = error === null;
    report.hosts[name] = { success, error, operations, stats };
    const note = input.counters[name]?.note;
    if (note) report.hosts[name].note = note;
    report.success &&= success;
  }
  report.totals = totalsOf(report.hosts);
  if (report.stopped) report.success = false;
  return report;
}

/**
 * Reports of a sharded run and their merge. A shard writes the `--json` report of its
 * hosts plus the run it belongs to and which shard and attempt it was; `tsinfra merge`
 * folds any number of such reports (or of merged reports) into one report of the
 * one-controller shape.
 *
 * The merge is a function of the set of shard reports: for each shard the highest
 * attempt wins (equal attempts: the smallest canonical text, so the choice never
 * depends on order). Hence it is commutative, associative and idempotent, and reports
 * can be merged in a tree. The hosts of shards that sent no report are marked
 * `status: "not-run"`; such placeholders never win over a real report later.
 *
 * @module
 */
import { z } from "../deps.ts";
import { ArgumentError } from "../core/errors.ts";
import type { ManifestDigests, ShardManifest } from "./manifest.ts";
import { type HostReport, type PhaseTimings, type RunReport, totalsOf } from "./report.ts";

/** What a report says about one shard it covers. */
export interface ShardCoverage {
  attempt: number;
  timings?: PhaseTimings;
  stopped?: string;
}

/** The run a report belongs to. */
export interface RunIdentity {
  id: string;
  digests: ManifestDigests;
  /** The number of shards in the run. */
  shards: number;
}

/** A report of one shard, or of several merged: a `--json` report plus the run. */
export interface ShardedReport extends RunReport {
  run: RunIdentity;
  /** Shard index (1-based, as a string key) -> what this report holds of it. */
  shards: Record<string, ShardCoverage>;
  /** Set on the report of a single shard. */
  shard?: { index: number; of: number };
  /** Set on the report of a single shard: which attempt wrote it (1 for the first). */
  attempt?: number;
}

const timings = z.object({
  connectMs: z.number(),
  prepareMs: z.number(),
  executeMs: z.number(),
  disconnectMs: z.number(),
});

const failure = z.object({
  class: z.string(),
  message: z.string(),
  command: z.string().optional(),
  exitCode: z.number().optional(),
  timedOut: z.boolean().optional(),
}).passthrough();

const operation = z.object({
  name: z.string(),
  id: z.string(),
  callSite: z.string(),
  changed: z.boolean(),
  success: z.boolean(),
  status: z.enum(["changed", "noChange", "error", "skipped", "willChange"]),
  commands: z.array(z.string()),
  stdout: z.string(),
  stderr: z.string(),
  error: z.string().nullable(),
  failure: failure.optional(),
  noopReason: z.string().optional(),
  diffs: z.array(z.string()).optional(),
  conditional: z.boolean().optional(),
  deferred: z.string().optional(),
});

const host = z.object({
  success: z.boolean(),
  error: z.string().nullable(),
  operations: z.array(operation),
  stats: z.object({
    operations: z.number(),
    changed: z.number(),
    noChange: z.number(),
    errors: z.number(),
    roundTrips: z.number(),
  }),
  note: z.string().optional(),
  status: z.literal("not-run").optional(),
  resumedFrom: z.number().int().positive().optional(),
});

const digests = z.object({
  deploy: z.record(z.string(), z.string()),
  inventory: z.string(),
  lockfile: z.string().nullable(),
});

const shardedReport = z.object({
  version: z.literal(1),
  dry: z.boolean(),
  success: z.boolean(),
  hosts: z.record(z.string(), host),
  totals: z.object({
    hosts: z.number(),
    operations: z.number(),
    changed: z.number(),
    noChange: z.number(),
    errors: z.number(),
  }),
  stopped: z.string().optional(),
  timings: timings.optional(),
  run: z.object({ id: z.string(), digests, shards: z.number().int().positive() }),
  shards: z.record(
    z.string().regex(/^[1-9][0-9]*$/),
    z.object({
      attempt: z.number().int().positive(),
      timings: timings.optional(),
      stopped: z.string().optional(),
    }),
  ),
  shard: z.object({ index: z.number().int().positive(), of: z.number().int().positive() })
    .optional(),
  attempt: z.number().int().positive().optional(),
});

/**
 * Checks that `value` is a report of a sharded run (`source` names it in errors).
 *
 * @throws {ArgumentError} naming the report and the first field that is wrong
 */
export function parseShardedReport(value: unknown, source: string): ShardedReport {
  const result = shardedReport.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue.path.length ? issue.path.join(".") : "(top level)";
    throw new ArgumentError(`${source}: not a tsinfra shard report: ${where}: ${issue.message}`);
  }
  return result.data as ShardedReport;
}

/**
 * Reads a report file (`source` names it in errors).
 *
 * @throws {ArgumentError} when it cannot be read, is not JSON or not a shard report
 */
export async function readShardedReport(file: string, source = file): Promise<ShardedReport> {
  let value: unknown;
  try {
    value = JSON.parse(await Deno.readTextFile(file));
  } catch (error) {
    throw new ArgumentError(`${source}: cannot be read as JSON (${(error as Error).message})`);
  }
  return parseShardedReport(value, source);
}

/** The file name of a shard's report: `report-RUN-2of4-a1.json`. */
export function reportFileName(runId: string, index: number, of: number, attempt: number): string {
  return `report-${runId}-${index}of${of}-a${attempt}.json`;
}

/** Reads `report-RUN-IofN-aA.json` back into its parts, or undefined. */
export function parseReportFileName(
  name: string,
): { runId: string; index: number; of: number; attempt: number } | undefined {
  const match = /^report-(.+)-(\d+)of(\d+)-a(\d+)\.json$/.exec(name);
  if (!match) return undefined;
  return { runId: match[1], index: +match[2], of: +match[3], attempt: +match[4] };
}

function sameDigests(a: ManifestDigests, b: ManifestDigests): boolean {
  return canonical(a) === canonical(b);
}

/** JSON with object keys sorted: equal values give equal text. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)));
    }
    return v;
  });
}

/**
 * Checks that a report belongs to this manifest's run and holds exactly the hosts of
 * the shards it claims.
 *
 * @throws {ArgumentError} naming the report and what does not match
 */
export function checkReportAgainst(
  manifest: ShardManifest,
  report: ShardedReport,
  source: string,
): void {
  if (report.run.id !== manifest.runId) {
    throw new ArgumentError(
      `${source}: belongs to run ${report.run.id}, not to this manifest's run ${manifest.runId}`,
    );
  }
  if (!sameDigests(report.run.digests, manifest.digests)) {
    throw new ArgumentError(
      `${source}: its run read other files than the manifest's (the digests differ): it is not a report of this plan`,
    );
  }
  if (report.run.shards !== manifest.shards.length) {
    throw new ArgumentError(
      `${source}: says the run has ${report.run.shards} shards, the manifest ${manifest.shards.length}`,
    );
  }
  const expected = new Set<string>();
  for (const key of Object.keys(report.shards)) {
    const shard = manifest.shards[Number(key) - 1];
    if (!shard) {
      throw new ArgumentError(
        `${source}: holds shard ${key}, but the run has ${manifest.shards.length}`,
      );
    }
    for (const name of shard.hosts) expected.add(name);
  }
  for (const name of expected) {
    if (!report.hosts[name]) {
      throw new ArgumentError(`${source}: lacks host ${name} of a shard it holds`);
    }
  }
  for (const name of Object.keys(report.hosts)) {
    if (!expected.has(name) && report.hosts[name].status !== "not-run") {
      throw new ArgumentError(`${source}: holds host ${name}, which is in none of its shards`);
    }
  }
}

/** A host of a shard that sent no report. */
function notRunHost(index: number, of: number): HostReport {
  return {
    success: false,
    error: `not run: shard ${index} of ${of} sent no report`,
    operations: [],
    stats: { operations: 0, changed: 0, noChange: 0, errors: 0, roundTrips: 0 },
    status: "not-run",
  };
}

/** The result of a merge. */
export interface MergeResult {
  report: ShardedReport;
  /** Indexes of the shards no report covered. */
  missing: number[];
  /** Hosts that did not succeed (not-run ones included). */
  failedHosts: string[];
}

/**
 * Merges reports of one run into one report, in the manifest's host order.
 *
 * @param reports each report with a name for errors (its file)
 * @throws {ArgumentError} when a report is of another run, or dry and real runs mix
 */
export function mergeReports(
  manifest: ShardManifest,
  reports: readonly { report: ShardedReport; source: string }[],
): MergeResult {
  const of = manifest.shards.length;
  const dryValues = new Set(reports.map((r) => r.report.dry));
  if (dryValues.size > 1) {
    throw new ArgumentError("The reports mix dry runs and real runs: merge one kind at a time");
  }
  // For each shard, the winning report: highest attempt, then smallest canonical text.
  const chosen = new Map<number, { coverage: ShardCoverage; hosts: Record<string, HostReport> }>();
  for (const { report, source } of reports) {
    checkReportAgainst(manifest, report, source);
    for (const [key, coverage] of Object.entries(report.shards)) {
      const index = Number(key);
      const hosts = Object.fromEntries(
        manifest.shards[index - 1].hosts.map((name) => [name, report.hosts[name]]),
      );
      const current = chosen.get(index);
      const candidate = { coverage, hosts };
      if (
        !current || coverage.attempt > current.coverage.attempt ||
        (coverage.attempt === current.coverage.attempt &&
          canonical(candidate) < canonical(current))
      ) {
        chosen.set(index, candidate);
      }
    }
  }
  const shardOf = new Map<string, number>();
  for (const shard of manifest.shards) {
    for (const name of shard.hosts) shardOf.set(name, shard.index);
  }
  const report: ShardedReport = {
    version: 1,
    dry: reports[0]?.report.dry ?? false,
    success: true,
    hosts: {},
    totals: { hosts: 0, operations: 0, changed: 0, noChange: 0, errors: 0 },
    run: { id: manifest.runId, digests: manifest.digests, shards: of },
    shards: {},
  };
  const failedHosts: string[] = [];
  for (const name of manifest.hosts) {
    const index = shardOf.get(name)!;
    const entry = chosen.get(index)?.hosts[name] ?? notRunHost(index, of);
    report.hosts[name] = entry;
    report.success &&= entry.success;
    if (!entry.success) failedHosts.push(name);
  }
  report.totals = totalsOf(report.hosts);
  const missing: number[] = [];
  const phases: PhaseTimings[] = [];
  for (let index = 1; index <= of; index++) {
    const winner = chosen.get(index);
    if (!winner) {
      missing.push(index);
      continue;
    }
    report.shards[String(index)] = winner.coverage;
    if (winner.coverage.timings) phases.push(winner.coverage.timings);
    if (winner.coverage.stopped && !report.stopped) report.stopped = winner.coverage.stopped;
  }
  if (phases.length) {
    report.timings = {
      connectMs: Math.max(...phases.map((t) => t.connectMs)),
      prepareMs: Math.max(...phases.map((t) => t.prepareMs)),
      executeMs: Math.max(...phases.map((t) => t.executeMs)),
      disconnectMs: Math.max(...phases.map((t) => t.disconnectMs)),
    };
  }
  if (report.stopped || missing.length) report.success = false;
  return { report, missing, failedHosts };
}

/** Makes a shard's `--json` report into a shard report of the run. */
export function shardReportOf(
  manifest: ShardManifest,
  index: number,
  attempt: number,
  base: RunReport,
): ShardedReport {
  const coverage: ShardCoverage = { attempt };
  if (base.timings) coverage.timings = base.timings;
  if (base.stopped) coverage.stopped = base.stopped;
  return {
    ...base,
    run: { id: manifest.runId, digests: manifest.digests, shards: manifest.shards.length },
    shards: { [String(index)]: coverage },
    shard: { index, of: manifest.shards.length },
    attempt,
  };
}

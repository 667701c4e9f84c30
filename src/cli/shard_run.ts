/**
 * `tsinfra --manifest M --shard i/n|auto [--report-dir DIR] [--resume REPORT]`: runs one
 * shard of a planned run, as a Kubernetes Indexed Job's pod or a CI matrix job would.
 *
 * Exit status: 0 every host of the shard succeeded; 1 the shard ran to its end and some
 * hosts failed (its report is complete: do not retry blindly); 2 bad input (the files
 * changed since the plan, a wrong shard number): nothing was run; 3 the controller or
 * its machine failed (retryable); 130 interrupted.
 *
 * @module
 */
import * as nodePath from "node:path";
import { Command } from "../deps.ts";
import { VERSION } from "../version.ts";
import { ArgumentError, EXIT, TsinfraError } from "../core/errors.ts";
import { EventBus } from "../core/events.ts";
import { runDeploy } from "../runner/run.ts";
import { BUILTIN_CATALOGUE } from "../catalogue.ts";
import { deployDirOf } from "../runner/session.ts";
import { type HostReport, type RunReport, totalsOf } from "../runner/report.ts";
import {
  computeDigests,
  digestChanges,
  readManifest,
  type ShardManifest,
  writeFileAtomic,
} from "../runner/manifest.ts";
import {
  checkReportAgainst,
  parseReportFileName,
  readShardedReport,
  reportFileName,
  shardReportOf,
} from "../runner/shard_report.ts";
import { mapUserLocations } from "../loader/source_map.ts";
import { Output } from "./output.ts";
import { printResults } from "./summary.ts";
import { interruptSignal } from "./interrupt.ts";
import { specOf } from "./deploy.ts";
import { parseCommand, parseData, wholeNumber } from "./program.ts";

const encoder = new TextEncoder();
const writeStdout = (text: string) => Deno.stdout.writeSync(encoder.encode(text));
const writeStderr = (text: string) => Deno.stderr.writeSync(encoder.encode(text));

interface ShardFlags {
  manifest: string;
  shard: string;
  reportDir?: string;
  resume?: string;
  attempt?: number;
  key?: string;
  keyPassword?: string;
  password?: string;
  sudoPassword?: string;
  workers?: number;
  verbose: number;
  quiet: boolean;
  json: boolean;
  debug: boolean;
}

function shardProgram(): Command {
  return new Command("tsinfra")
    .usage("--manifest FILE --shard i/n|auto [--report-dir DIR] [options]")
    .description(
      "Run one shard of a planned run (tsinfra plan).\n\n" +
        "--shard auto reads JOB_COMPLETION_INDEX (Kubernetes, 0-based; TSINFRA_SHARD_TOTAL is\n" +
        "checked when set) or CI_NODE_INDEX and CI_NODE_TOTAL (GitLab, 1-based).\n\n" +
        "Exit status: 0 success, 1 some hosts failed (the report is complete), 2 bad input,\n" +
        "3 controller or infrastructure failure (retry), 130 interrupted.",
    )
    .requiredOption("--manifest <file>", "the manifest written by tsinfra plan")
    .requiredOption("--shard <i/n|auto>", "which shard to run, 1-based (2/4), or auto")
    .option("--report-dir <dir>", "write report-RUN-IofN-aA.json here (atomically)")
    .option("--resume <report>", "skip the hosts this earlier report of the shard marks successful")
    .option(
      "--attempt <n>",
      "attempt number (default: TSINFRA_ATTEMPT, else one more than the reports in --report-dir)",
      wholeNumber("--attempt", 1),
    )
    .option("--key <file>", "SSH private key file (over the plan's)")
    .option("--key-password <password>", "password of the SSH key")
    .option("--password <password>", "SSH password")
    .option("--sudo-password <password>", "sudo's password")
    .option("--workers <n>", "worker threads", wholeNumber("--workers", 0))
    .option("-v, --verbose", "more output", (_: string, n: number) => n + 1, 0)
    .option("-q, --quiet", "print only errors and the results", false)
    .option("--json", "write the shard's report to stdout", false)
    .option("--debug", "print stack traces of errors", false)
    .exitOverride()
    .configureOutput({ writeOut: writeStdout, writeErr: writeStderr });
}

/** The 1-based shard index `--shard` names, checked against the manifest. */
export function resolveShard(
  spec: string,
  total: number,
  env: (name: string) => string | undefined,
): number {
  let index: number;
  let claimed: number | undefined;
  let source: string;
  if (spec === "auto") {
    const k8s = env("JOB_COMPLETION_INDEX");
    const gitlab = env("CI_NODE_INDEX");
    if (k8s !== undefined && k8s !== "") {
      index = Number(k8s) + 1;
      const given = env("TSINFRA_SHARD_TOTAL");
      claimed = given ? Number(given) : undefined;
      source = "JOB_COMPLETION_INDEX";
    } else if (gitlab !== undefined && gitlab !== "") {
      index = Number(gitlab);
      claimed = Number(env("CI_NODE_TOTAL"));
      source = "CI_NODE_INDEX/CI_NODE_TOTAL";
    } else {
      throw new ArgumentError(
        "--shard auto found neither JOB_COMPLETION_INDEX (Kubernetes) nor CI_NODE_INDEX (GitLab): give --shard i/n",
      );
    }
  } else {
    const match = /^(\d+)\/(\d+)$/.exec(spec);
    if (!match) {
      throw new ArgumentError(`--shard takes i/n (1-based, e.g. 2/4) or auto, got ${spec}`);
    }
    index = Number(match[1]);
    claimed = Number(match[2]);
    source = "--shard";
  }
  if (claimed !== undefined && claimed !== total) {
    throw new ArgumentError(`${source} says ${claimed} shards, but the manifest has ${total}`);
  }
  if (!Number.isInteger(index) || index < 1 || index > total) {
    throw new ArgumentError(
      `${source} gives shard ${index}, but the manifest has shards 1 to ${total}`,
    );
  }
  return index;
}

/** One more than the highest attempt of this shard already in the report folder. */
function nextAttempt(dir: string | undefined, runId: string, index: number): number {
  if (!dir) return 1;
  let highest = 0;
  try {
    for (const entry of Deno.readDirSync(dir)) {
      const parts = parseReportFileName(entry.name);
      if (parts && parts.runId === runId && parts.index === index) {
        highest = Math.max(highest, parts.attempt);
      }
    }
  } catch {
    return 1;
  }
  return highest + 1;
}

/** Hosts of the shard that an earlier report marks successful, with that attempt. */
async function resumedHosts(
  manifest: ShardManifest,
  index: number,
  file: string,
): Promise<Map<string, HostReport>> {
  const report = await readShardedReport(file, `--resume ${file}`);
  checkReportAgainst(manifest, report, `--resume ${file}`);
  const coverage = report.shards[String(index)];
  if (!coverage) throw new ArgumentError(`--resume ${file}: holds no report of shard ${index}`);
  const done = new Map<string, HostReport>();
  for (const name of manifest.shards[index - 1].hosts) {
    const host = report.hosts[name];
    if (host.success && host.status !== "not-run") {
      done.set(name, { ...host, resumedFrom: host.resumedFrom ?? coverage.attempt });
    }
  }
  return done;
}

/** The shard's hosts in shard order: those run now and those taken over by --resume. */
function shardHostsReport(order: string[], run: RunReport, resumed: Map<string, HostReport>) {
  const report: RunReport = {
    ...run,
    success: !run.stopped,
    hosts: {},
    totals: { hosts: 0, operations: 0, changed: 0, noChange: 0, errors: 0 },
  };
  for (const name of order) {
    const host = resumed.get(name) ?? run.hosts[name];
    if (!host) continue;
    report.hosts[name] = host;
    report.success &&= host.success;
  }
  report.totals = totalsOf(report.hosts);
  return report;
}

async function runShard(flags: ShardFlags, out: Output): Promise<number> {
  const manifestFile = nodePath.resolve(flags.manifest);
  const manifest = await readManifest(manifestFile);
  if (manifest.tsinfraVersion !== VERSION) {
    throw new ArgumentError(
      `--manifest ${flags.manifest} was planned with tsinfra ${manifest.tsinfraVersion}, this is ${VERSION}: run every shard with the version that planned it`,
    );
  }
  const index = resolveShard(flags.shard, manifest.shards.length, (n) => Deno.env.get(n));
  const base = nodePath.dirname(manifestFile);
  const cwd = nodePath.resolve(base, manifest.cwd);
  const local = (p: string | undefined) => p === undefined ? undefined : nodePath.resolve(base, p);
  const inventory = manifest.inventoryIsFile ? local(manifest.inventory)! : manifest.inventory;
  const isFiles = manifest.operations.every((o) => /\.(ts|js|mjs|tsx)$/.test(o));
  const operations = isFiles ? manifest.operations.map((o) => local(o)!) : manifest.operations;
  const spec = await specOf(operations, cwd);
  const deployFiles = spec.kind === "files" ? spec.files : [];
  const deployDir = deployDirOf(deployFiles, cwd);
  const options = manifest.options;
  const now = computeDigests({
    base,
    inventory,
    inventoryIsFile: manifest.inventoryIsFile,
    deployFiles,
    deployDir,
    configFile: local(options.config),
    groupDataDir: local(options.groupData),
  });
  const changes = digestChanges(manifest.digests, now);
  if (changes.length) {
    throw new ArgumentError(
      `The run changed since it was planned (${changes.join("; ")}): nothing was run; plan again`,
    );
  }
  const attempt = flags.attempt ??
    (Deno.env.get("TSINFRA_ATTEMPT")
      ? wholeNumber("TSINFRA_ATTEMPT", 1)(Deno.env.get("TSINFRA_ATTEMPT")!)
      : nextAttempt(flags.reportDir, manifest.runId, index));
  const shardHosts = manifest.shards[index - 1].hosts;
  const resumed = flags.resume
    ? await resumedHosts(manifest, index, flags.resume)
    : new Map<string, HostReport>();
  const toRun = shardHosts.filter((h) => !resumed.has(h));
  out.line(
    `Shard ${index} of ${manifest.shards.length} of run ${manifest.runId}, attempt ${attempt}: ` +
      `${toRun.length} hosts to run${resumed.size ? `, ${resumed.size} done earlier` : ""}`,
  );

  let run: RunReport = {
    version: 1,
    dry: false,
    success: true,
    hosts: {},
    totals: { hosts: 0, operations: 0, changed: 0, noChange: 0, errors: 0 },
  };
  const signal = interruptSignal();
  if (toRun.length) {
    const events = new EventBus();
    if (!flags.json) events.on(out.handle);
    const data: Record<string, unknown> = parseData(options.data);
    if (options.user) data.sshUser = options.user;
    if (options.port) data.sshPort = options.port;
    const key = flags.key ? nodePath.resolve(flags.key) : local(options.key);
    if (key) data.sshKey = key;
    if (flags.keyPassword) data.sshKeyPassword = flags.keyPassword;
    if (flags.password) data.sshPassword = flags.password;
    const result = await runDeploy({
      inventory,
      spec,
      catalogue: BUILTIN_CATALOGUE,
      connectorModule: local(options.connectors),
      deployDir,
      cwd,
      data,
      hosts: toRun,
      argumentDefaults: {
        ...(options.sudo ? { _sudo: true } : {}),
        ...(options.sudoUser ? { _sudoUser: options.sudoUser } : {}),
        ...(options.su ? { _suUser: options.su } : {}),
        ...(options.shellExecutable ? { _shellExecutable: options.shellExecutable } : {}),
        ...(flags.sudoPassword ? { _sudoPassword: flags.sudoPassword } : {}),
      },
      configFile: local(options.config),
      groupDataDir: local(options.groupData),
      workers: flags.workers,
      events,
      parallel: options.parallel,
      serial: options.serial,
      noWait: !options.wait,
      failPercent: options.failPercent,
      signal,
      approve: () => Promise.resolve(true),
    });
    run = result.report;
  }
  const report = shardReportOf(
    manifest,
    index,
    attempt,
    shardHostsReport(shardHosts, run, resumed),
  );
  if (flags.reportDir) {
    const dir = nodePath.resolve(flags.reportDir);
    const file = nodePath.join(
      dir,
      reportFileName(manifest.runId, index, manifest.shards.length, attempt),
    );
    try {
      await Deno.mkdir(dir, { recursive: true });
      await writeFileAtomic(file, JSON.stringify(report, null, 2) + "\n");
    } catch (error) {
      writeStderr(
        `tsinfra: error: cannot write the shard's report ${file}: ${(error as Error).message}\n`,
      );
      return EXIT.INFRASTRUCTURE;
    }
    out.line(`Report: ${file}`);
  }
  if (!flags.json) printResults(out, report);
  else writeStdout(JSON.stringify(report, null, 2) + "\n");
  if (signal.aborted) return EXIT.INTERRUPTED;
  return report.success ? EXIT.SUCCESS : EXIT.HOST_FAILED;
}

/** `tsinfra --manifest M --shard i/n ...`; returns the exit status. */
export async function shardRunVerb(argv: string[]): Promise<number> {
  const program = shardProgram();
  const ended = parseCommand(program, argv);
  if (ended !== undefined) return ended;
  const flags = program.opts<ShardFlags>();
  const out = new Output({
    verbosity: flags.verbose,
    write: flags.json ? writeStderr : writeStdout,
    progress: false,
    colours: flags.json ? Deno.stderr.isTerminal() : Deno.stdout.isTerminal(),
    streaming: flags.verbose >= 3,
    quiet: flags.quiet,
  });
  try {
    return await runShard(flags, out);
  } catch (error) {
    out.close();
    const known = error instanceof TsinfraError;
    const message = mapUserLocations(error instanceof Error ? error.message : String(error));
    writeStderr(
      known
        ? `tsinfra: error: ${message}\n`
        : `tsinfra: controller failure (retryable, exit 3): ${message}\n`,
    );
    if (flags.debug && error instanceof Error && error.stack) writeStderr(error.stack + "\n");
    return known ? error.exitCode : EXIT.INFRASTRUCTURE;
  } finally {
    out.close();
  }
}

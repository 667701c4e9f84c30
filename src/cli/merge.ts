/**
 * `tsinfra merge MANIFEST REPORTS... [--fail-percent P] [-o report.json]`: one report of
 * a sharded run, in the shape of a one-controller `--json` report. A folder among
 * REPORTS stands for the `report-*.json` files in it; merged reports can be merged
 * again (in a tree).
 *
 * Exit status: 0 every host succeeded (or at most P% failed); 1 more hosts failed;
 * 2 bad input (a report of another run, an unreadable file); 3 a shard sent no report.
 *
 * @module
 */
import * as nodePath from "node:path";
import { Command } from "../deps.ts";
import { ArgumentError, EXIT } from "../core/errors.ts";
import { readManifest, writeFileAtomic } from "../runner/manifest.ts";
import { parseCommand } from "./program.ts";
import { mergeReports, readShardedReport } from "../runner/shard_report.ts";

const encoder = new TextEncoder();
const writeStdout = (text: string) => Deno.stdout.writeSync(encoder.encode(text));
const writeStderr = (text: string) => Deno.stderr.writeSync(encoder.encode(text));

interface MergeFlags {
  output?: string;
  failPercent?: number;
}

function percent(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 100) {
    throw new ArgumentError(`--fail-percent takes a number from 0 to 100, got ${value}`);
  }
  return n;
}

/** The report files REPORTS names: files as given, folders by their `report-*.json`. */
function reportFiles(paths: string[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    let info: Deno.FileInfo;
    try {
      info = Deno.statSync(path);
    } catch {
      throw new ArgumentError(`merge: no such report file or folder: ${path}`);
    }
    if (!info.isDirectory) {
      files.push(path);
      continue;
    }
    files.push(
      ...[...Deno.readDirSync(path)]
        .filter((e) => e.isFile && /^report-.*\.json$/.test(e.name))
        .map((e) => nodePath.join(path, e.name))
        .sort(),
    );
  }
  return files;
}

/** `tsinfra merge ...`; returns the exit status. */
export async function mergeVerb(argv: string[]): Promise<number> {
  const program = new Command("tsinfra merge")
    .usage("MANIFEST REPORTS... [--fail-percent P] [-o FILE]")
    .description(
      "Merge the reports of a sharded run into one report (the --json shape).\n\n" +
        "Exit status: 0 success, 1 hosts failed (over --fail-percent), 2 bad input,\n" +
        "3 a shard sent no report (its hosts are marked not-run).",
    )
    .argument("<manifest>", "the run's manifest")
    .argument("<reports...>", "shard reports, merged reports, or folders of them")
    .option("--fail-percent <p>", "succeed when at most P% of the hosts failed", percent)
    .option("-o, --output <file>", "write the merged report here (default: stdout)")
    .exitOverride()
    .configureOutput({ writeOut: writeStdout, writeErr: writeStderr });
  const ended = parseCommand(program, argv);
  if (ended !== undefined) return ended;
  const [manifestFile, paths] = program.processedArgs as [string, string[]];
  const flags = program.opts<MergeFlags>();
  const manifest = await readManifest(manifestFile);
  const files = reportFiles(paths);
  const reports = await Promise.all(
    files.map(async (file) => ({ report: await readShardedReport(file), source: file })),
  );
  const { report, missing, failedHosts } = mergeReports(manifest, reports);
  const text = JSON.stringify(report, null, 2) + "\n";
  if (flags.output) await writeFileAtomic(nodePath.resolve(flags.output), text);
  else writeStdout(text);
  const of = manifest.shards.length;
  const hosts = manifest.hosts.length;
  const failedShare = hosts ? (100 * failedHosts.length) / hosts : 0;
  writeStderr(
    `Merged ${files.length} reports of run ${manifest.runId}: ${
      of - missing.length
    } of ${of} shards, ` +
      `${hosts - failedHosts.length} of ${hosts} hosts succeeded` +
      (missing.length ? `; no report from shard ${missing.join(", ")}` : "") + "\n",
  );
  if (missing.length) return EXIT.INFRASTRUCTURE;
  if (failedHosts.length && failedShare > (flags.failPercent ?? 0)) return EXIT.HOST_FAILED;
  return EXIT.SUCCESS;
}

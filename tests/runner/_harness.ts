/**
 * Runs deploys through the real engine against the local machine, for tests: every
 * host of the inventory is the local shell (LocalConnector), each with its own data.
 *
 * @module
 */
import * as path from "node:path";
import "../../src/operations/mod.ts";
import "../../src/facts/mod.ts";
import { type EngineEvent, EventBus } from "../../src/core/events.ts";
import { LocalConnector } from "../../src/connectors/local.ts";
import { connectHosts, openSession } from "../../src/runner/session.ts";
import { type DeploySource, prepareHosts } from "../../src/runner/prepare.ts";
import { executeOperations, type ExecuteOptions } from "../../src/runner/execute.ts";
import { buildReport, type RunReport } from "../../src/runner/report.ts";
import { DiskFiles } from "../../src/core/local_files.ts";

/** A temporary folder with files, removed afterwards even when the test fails. */
export async function withProject(
  files: Record<string, string>,
  fn: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "tsinfra-test-" }));
  try {
    for (const [name, text] of Object.entries(files)) {
      const full = path.join(dir, name);
      await Deno.mkdir(path.dirname(full), { recursive: true });
      await Deno.writeTextFile(full, text.replaceAll("$DIR", dir));
    }
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Options of {@linkcode runLocal}. */
export interface RunLocalOptions
  extends Partial<Omit<ExecuteOptions, "inventory" | "prepare" | "local" | "events">> {
  /** Inventory file or inline list (every host runs locally). @default {"@local"} */
  inventory?: string;
  /** Deploy files relative to `dir`. */
  deploy: string[];
  dry?: boolean;
  data?: Record<string, unknown>;
  limit?: string[];
}

/** Runs a deploy against local hosts; returns the report and every event. */
export async function runLocal(
  dir: string,
  options: RunLocalOptions,
): Promise<{ report: RunReport; events: EngineEvent[] }> {
  const events = new EventBus();
  const seen: EngineEvent[] = [];
  events.on((e) => seen.push(e));
  const files = options.deploy.map((f) => path.join(dir, f));
  const session = await openSession({
    inventory: options.inventory
      ? (options.inventory.endsWith(".ts") ? path.join(dir, options.inventory) : options.inventory)
      : "@local",
    deployDir: path.dirname(files[0]),
    data: options.data,
    limit: options.limit,
    connectorFor: () => new LocalConnector(),
    events,
  });
  const failed = await connectHosts(session.hosts, events);
  const source: DeploySource = { kind: "files", files };
  const local = new DiskFiles(dir);
  const prepare = await prepareHosts({
    hosts: session.hosts,
    inventory: session.inventory,
    source,
    cwd: dir,
    local,
  });
  if (options.dry) {
    return { report: buildReport(session.hosts, failed, prepare, undefined), events: seen };
  }
  const execute = await executeOperations({
    ...options,
    inventory: session.inventory,
    prepare,
    local,
    events,
  });
  await Promise.all(session.hosts.map((h) => h.disconnect()));
  return { report: buildReport(session.hosts, failed, prepare, execute), events: seen };
}

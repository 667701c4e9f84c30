/**
 * Runs deploys through the real engine against the local machine, for tests. Hosts of
 * an inventory reach the local shell through host data `connector: "@local"`.
 *
 * @module
 */
import * as path from "node:path";
import { BUILTIN_CATALOGUE } from "../../src/catalogue.ts";
import { type EngineEvent, EventBus } from "../../src/core/events.ts";
import { runDeploy, type RunOptions } from "../../src/runner/run.ts";
import type { RunReport } from "../../src/runner/report.ts";

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
  extends Partial<Omit<RunOptions, "inventory" | "spec" | "events">> {
  /** Inventory file (relative to the project) or inline list. @default {"@local"} */
  inventory?: string;
  /** Deploy files relative to the project. */
  deploy: string[];
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
  const inventory = options.inventory?.endsWith(".ts")
    ? path.join(dir, options.inventory)
    : options.inventory ?? "@local";
  const { report } = await runDeploy({
    workers: 0,
    catalogue: BUILTIN_CATALOGUE,
    ...options,
    inventory,
    spec: { kind: "files", files },
    deployDir: path.dirname(files[0]),
    cwd: dir,
    events,
  });
  return { report, events: seen };
}

/**
 * The frozen plan of a sharded run (`tsinfra plan ... -o manifest.json`): which hosts
 * each shard runs, the options of the run, and digests of everything the run reads, so
 * that each shard (on another machine, later) runs exactly what was planned.
 *
 * Paths in a manifest are relative to the manifest's own folder, with `/` separators:
 * a CI runner or a pod that checks the repository out elsewhere finds the same files.
 * Shard indexes are 1-based everywhere a user sees them (`--shard 2/4`,
 * `report-RUN-2of4-a1.json`), as GitLab's `CI_NODE_INDEX`; Kubernetes'
 * `JOB_COMPLETION_INDEX` is 0-based and is read as index + 1.
 *
 * @module
 */
import * as nodePath from "node:path";
import { createHash } from "node:crypto";
import { z } from "../deps.ts";
import { ArgumentError } from "../core/errors.ts";

/** The manifest's schema version; a manifest of another version is refused. */
export const MANIFEST_SCHEMA_VERSION = 1;

/** One shard: its 1-based index and its hosts (sorted by name). */
export interface ManifestShard {
  index: number;
  hosts: string[];
}

/** sha256 digests (hex) of what the run reads, checked by every shard before it runs. */
export interface ManifestDigests {
  /** Deploy file (relative path) -> digest. Empty for one operation or exec. */
  deploy: Record<string, string>;
  /** The inventory file's digest; for an inline inventory, the digest of its text. */
  inventory: string;
  /** `deno.lock` beside the deploy, or null when there is none. */
  lockfile: string | null;
}

/** The run options a manifest freezes (the CLI flags that change what runs). */
export interface ManifestOptions {
  /** `--data key=value` pairs, as given. */
  data: string[];
  limit: string[];
  sudo: boolean;
  sudoUser?: string;
  su?: string;
  shellExecutable?: string;
  user?: string;
  port?: number;
  key?: string;
  parallel?: number;
  serial: boolean;
  wait: boolean;
  failPercent?: number;
  config?: string;
  groupData?: string;
  /** The connector module (`--connectors`), relative to the manifest. */
  connectors?: string;
}

/** A frozen plan of a sharded run. */
export interface ShardManifest {
  schemaVersion: typeof MANIFEST_SCHEMA_VERSION;
  /** Random id naming this plan; every report of the run carries it. */
  runId: string;
  tsinfraVersion: string;
  createdAt: string;
  /** The folder the plan was made in (relative paths of the deploy resolve there). */
  cwd: string;
  /** The inventory as given: a path relative to the manifest, or inline hosts. */
  inventory: string;
  /** Whether `inventory` is a file (else inline hosts such as `@local`). */
  inventoryIsFile: boolean;
  /** The OPERATIONS words; deploy files relative to the manifest. */
  operations: string[];
  digests: ManifestDigests;
  options: ManifestOptions;
  /** Groups whose hosts are kept in one shard (`--shard-key`). */
  shardKey: string[];
  /** Every host of the run, in inventory order (the merged report's order). */
  hosts: string[];
  shards: ManifestShard[];
}

const manifestSchema = z.object({
  schemaVersion: z.literal(MANIFEST_SCHEMA_VERSION),
  runId: z.string().regex(/^[A-Za-z0-9._-]+$/),
  tsinfraVersion: z.string(),
  createdAt: z.string(),
  cwd: z.string(),
  inventory: z.string(),
  inventoryIsFile: z.boolean(),
  operations: z.array(z.string()).min(1),
  digests: z.object({
    deploy: z.record(z.string(), z.string()),
    inventory: z.string(),
    lockfile: z.string().nullable(),
  }),
  options: z.object({
    data: z.array(z.string()),
    limit: z.array(z.string()),
    sudo: z.boolean(),
    sudoUser: z.string().optional(),
    su: z.string().optional(),
    shellExecutable: z.string().optional(),
    user: z.string().optional(),
    port: z.number().optional(),
    key: z.string().optional(),
    parallel: z.number().optional(),
    serial: z.boolean(),
    wait: z.boolean(),
    failPercent: z.number().optional(),
    config: z.string().optional(),
    groupData: z.string().optional(),
    connectors: z.string().optional(),
  }),
  shardKey: z.array(z.string()),
  hosts: z.array(z.string()),
  shards: z.array(
    z.object({ index: z.number().int().positive(), hosts: z.array(z.string()) }),
  ).min(1),
});

/**
 * Reads and checks a manifest file.
 *
 * @throws {ArgumentError} naming the file and the first thing wrong with it
 */
export async function readManifest(file: string): Promise<ShardManifest> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (error) {
    throw new ArgumentError(`--manifest ${file}: cannot be read (${(error as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ArgumentError(`--manifest ${file}: not JSON (${(error as Error).message})`);
  }
  const version = (value as { schemaVersion?: unknown })?.schemaVersion;
  if (version !== undefined && version !== MANIFEST_SCHEMA_VERSION) {
    throw new ArgumentError(
      `--manifest ${file}: schema version ${version}, this tsinfra reads version ${MANIFEST_SCHEMA_VERSION}: plan again with this version`,
    );
  }
  const parsed = manifestSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ArgumentError(
      `--manifest ${file}: not a tsinfra manifest: ${
        issue.path.join(".") || "(top level)"
      }: ${issue.message}`,
    );
  }
  const manifest = parsed.data as ShardManifest;
  const seen = new Set<string>();
  manifest.shards.forEach((shard, i) => {
    if (shard.index !== i + 1) {
      throw new ArgumentError(`--manifest ${file}: shard ${i + 1} has index ${shard.index}`);
    }
    for (const host of shard.hosts) {
      if (seen.has(host)) {
        throw new ArgumentError(`--manifest ${file}: host ${host} is in two shards`);
      }
      seen.add(host);
    }
  });
  if (seen.size !== manifest.hosts.length || manifest.hosts.some((h) => !seen.has(h))) {
    throw new ArgumentError(`--manifest ${file}: its shards do not hold exactly its hosts`);
  }
  return manifest;
}

/** Writes `text` to `file` whole or not at all: a temp file beside it, then a rename. */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const dir = nodePath.dirname(file);
  const temp = nodePath.join(dir, `.${nodePath.basename(file)}.${crypto.randomUUID()}.tmp`);
  try {
    await Deno.writeTextFile(temp, text);
    await Deno.rename(temp, file);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
}

/** A path relative to `base`, with `/` separators (as stored in a manifest). */
export function relativeTo(base: string, file: string): string {
  return nodePath.relative(base, file).split(nodePath.sep).join("/") || ".";
}

function sha256(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["'](\.{1,2}\/[^"'\n]+)["']/g;

/** The deploy files and every local module they import (by relative path), recursively. */
export function localModules(files: readonly string[]): string[] {
  const found = new Set<string>();
  const visit = (file: string) => {
    if (found.has(file)) return;
    let text: string;
    try {
      text = Deno.readTextFileSync(file);
    } catch {
      return;
    }
    found.add(file);
    if (!/\.(m?[jt]sx?)$/.test(file)) return;
    for (const match of text.matchAll(RELATIVE_IMPORT)) {
      visit(nodePath.resolve(nodePath.dirname(file), match[1]));
    }
  };
  for (const file of files) visit(nodePath.resolve(file));
  return [...found];
}

function filesIn(dir: string): string[] {
  try {
    return [...Deno.readDirSync(dir)].filter((e) => e.isFile).map((e) => nodePath.join(dir, e.name))
      .sort();
  } catch {
    return [];
  }
}

/** Where a run's inputs are, to digest them. */
export interface DigestInputs {
  /** Folder the manifest is in: digest keys are relative to it. */
  base: string;
  /** The inventory as given: a file path (absolute) or inline text. */
  inventory: string;
  inventoryIsFile: boolean;
  /** Deploy files, absolute. */
  deployFiles: string[];
  deployDir: string;
  configFile?: string;
  groupDataDir?: string;
}

/**
 * sha256 digests of what a run reads: the deploy files and the local modules they
 * import, config.ts, the group_data files, the inventory (and its local modules) and
 * `deno.lock` beside the deploy.
 */
export function computeDigests(inputs: DigestInputs): ManifestDigests {
  const deploy: Record<string, string> = {};
  const add = (file: string) => {
    try {
      deploy[relativeTo(inputs.base, file)] = sha256(Deno.readFileSync(file));
    } catch {
      // Absent optional files (config.ts, group_data) are simply not part of the run.
    }
  };
  for (const file of localModules(inputs.deployFiles)) add(file);
  add(inputs.configFile ?? nodePath.join(inputs.deployDir, "config.ts"));
  const dataDirs = [inputs.deployDir];
  if (inputs.inventoryIsFile) dataDirs.unshift(nodePath.dirname(inputs.inventory));
  if (inputs.groupDataDir) dataDirs.push(inputs.groupDataDir);
  for (const dir of new Set(dataDirs)) {
    for (const file of filesIn(nodePath.join(dir, "group_data"))) add(file);
  }
  if (inputs.groupDataDir) { for (const file of filesIn(inputs.groupDataDir)) add(file); }
  let inventory: string;
  if (inputs.inventoryIsFile) {
    const parts = localModules([inputs.inventory]).map((f) =>
      `${relativeTo(inputs.base, f)}:${sha256(Deno.readFileSync(f))}`
    );
    inventory = sha256(parts.join("\n"));
  } else {
    inventory = sha256(inputs.inventory);
  }
  let lockfile: string | null = null;
  try {
    lockfile = sha256(Deno.readFileSync(nodePath.join(inputs.deployDir, "deno.lock")));
  } catch {
    lockfile = null;
  }
  return { deploy, inventory, lockfile };
}

/**
 * What changed between the planned digests and the files now: one line per file.
 * Empty when nothing did.
 */
export function digestChanges(planned: ManifestDigests, now: ManifestDigests): string[] {
  const changes: string[] = [];
  for (const file of new Set([...Object.keys(planned.deploy), ...Object.keys(now.deploy)])) {
    if (!(file in now.deploy)) changes.push(`${file} is gone`);
    else if (!(file in planned.deploy)) changes.push(`${file} is new`);
    else if (planned.deploy[file] !== now.deploy[file]) changes.push(`${file} changed`);
  }
  if (planned.inventory !== now.inventory) changes.push("the inventory changed");
  if (planned.lockfile !== now.lockfile) changes.push("deno.lock changed");
  return changes;
}

/**
 * Places in deploy code that need every host of the run in one controller: `_runOnce`
 * (once per run, not per shard) and facts read from another host than the current one.
 * Each as `file:line: what`.
 */
export function shardUnsafeUses(files: readonly string[]): string[] {
  const found: string[] = [];
  for (const file of localModules(files)) {
    if (!/\.(m?[jt]sx?)$/.test(file)) continue;
    const lines = Deno.readTextFileSync(file).split("\n");
    lines.forEach((line, i) => {
      const code = line.replace(/\/\/.*$/, "");
      const where = `${file}:${i + 1}`;
      if (/\b_?runOnce\b/.test(code)) {
        found.push(`${where}: _runOnce runs once per run, and each shard would run it once`);
      }
      for (const match of code.matchAll(/(\w*)\s*\??\.\s*getFact\s*\(/g)) {
        if (match[1] !== "host") {
          found.push(
            `${where}: reads facts of another host (${
              match[0].trim()
            }), which may be in another shard`,
          );
        }
      }
    });
  }
  return found;
}

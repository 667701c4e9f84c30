/**
 * Builds the `ctx` an operation's generator receives on a real host.
 *
 * @module
 */
import { createHash, randomBytes } from "node:crypto";
import type { OperationContext } from "../core/operation.ts";
import type { GlobalArguments, GlobalArgumentsInput } from "../core/arguments.ts";
import { GLOBAL_ARGUMENT_DEFAULTS } from "../core/arguments.ts";
import type { Host } from "../core/host.ts";
import type { Inventory } from "../core/inventory.ts";
import type { LocalFiles } from "../core/local_files.ts";

/** The resolved global arguments of an operation on a host. */
export function resolveGlobals(host: Host, globals: GlobalArgumentsInput): GlobalArguments {
  const merged: Record<string, unknown> = { ...GLOBAL_ARGUMENT_DEFAULTS };
  for (const source of [host.defaults, globals]) {
    for (const [key, value] of Object.entries(source)) {
      if (value !== undefined) merged[key] = value;
    }
  }
  return merged as unknown as GlobalArguments;
}

/** A `YYYY-MM-DD-HH-MM-SS` timestamp, as pyinfra names backups. */
export function backupTimestamp(date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}-${
    p(date.getHours())
  }-${p(date.getMinutes())}-${p(date.getSeconds())}`;
}

/** An operation context plus the noop reason and private files it collected. */
export interface ContextHandle {
  ctx: OperationContext;
  noopReason(): string | undefined;
  /**
   * The names `ctx.privateTempFilename()` gave, in order, growing as the generator asks:
   * the operation's run creates them before its next command and removes them at its end.
   */
  readonly privateTempFiles: readonly string[];
}

/** Creates the context of one run of an operation's generator on a host. */
export function createOperationContext(
  host: Host,
  inventory: Inventory,
  globals: GlobalArgumentsInput,
  local: LocalFiles,
): ContextHandle {
  let reason: string | undefined;
  const privateTempFiles: string[] = [];
  const resolved = resolveGlobals(host, globals);
  const tempDir = resolved._tempDir ?? (host.data._tempDir as string | undefined) ?? "/tmp";
  const ctx: OperationContext = {
    host: {
      name: host.name,
      data: host.data,
      groups: host.groups,
      getFact: (fact, args) => host.getFact(fact, args, globals),
      prefetch: (fact, args) => {
        host.getFact(fact, args, globals).catch(() => {});
      },
    },
    globals: resolved,
    local,
    noop(text) {
      reason = text;
    },
    tempFilename(seed) {
      const basis = seed ?? `${Date.now()}-${Math.random()}`;
      return `${tempDir}/tsinfra-${createHash("sha1").update(basis).digest("hex")}`;
    },
    privateTempFilename() {
      // 160 random bits, shaped as tempFilename's names (tsinfra- and 40 hex digits).
      const name = `${tempDir}/tsinfra-${randomBytes(20).toString("hex")}`;
      privateTempFiles.push(name);
      return name;
    },
    timestamp: () => backupTimestamp(),
    templateGlobals: { host, inventory },
  };
  return { ctx, noopReason: () => reason, privateTempFiles };
}

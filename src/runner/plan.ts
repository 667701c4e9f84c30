/**
 * A host's plan: the operations its deploy code registered, in call order, each with
 * its call site, arguments and `OperationMeta`.
 *
 * @module
 */
import type { PreparedOperation } from "./prepare.ts";
import type { FactPrefetch } from "../core/host.ts";
import * as nodePath from "node:path";
import { createHash } from "node:crypto";
import type { DeployContext, DeployScope } from "../core/context.ts";
import { runInDeploy } from "../core/context.ts";
import type { Operation } from "../core/operation.ts";
import type { GlobalArgumentsInput } from "../core/arguments.ts";
import {
  callSiteKey,
  captureCallSite,
  formatFrame,
  type Frame,
  innermost,
} from "../core/call_site.ts";
import { OperationMeta } from "../core/meta.ts";
import type { Host } from "../core/host.ts";
import type { Inventory } from "../core/inventory.ts";
import { userFileOf } from "../loader/source_map.ts";
import type { ModuleLoader } from "../loader/module_loader.ts";

/** One operation registered on one host. */
export interface PlannedOperation {
  /** Stable across hosts: the same call site and occurrence give the same id. */
  id: string;
  /** The call-site key and occurrence, for ordering. */
  key: string;
  frames: Frame[];
  /** `deploy.ts:12:1`, relative to the working folder. */
  callSite: string;
  /** Shown name: the `name` argument or the operation and its first argument. */
  name: string;
  operation: Operation<unknown>;
  args: Record<string, unknown>;
  globals: GlobalArgumentsInput;
  meta: OperationMeta;
  /** The facts its generator read while it was prepared (read ahead of its execution). */
  factReads?: FactPrefetch[];
  /** Its preparation, started when it was registered (see `HostPlan.onOperation`). */
  preparing?: Promise<PreparedOperation>;
}

function summarise(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value.join(", ");
  return "";
}

/** The default display name of an operation: `files.directory (/tmp/x)`. */
export function defaultOperationName(
  operation: Operation<unknown>,
  args: Record<string, unknown>,
): string {
  // The argument that names what the operation acts on: the remote path when there is one.
  const key = ["dest", "path"].find((k) => operation.argNames.includes(k)) ?? operation.argNames[0];
  const first = key ? summarise(args[key]) : "";
  const short = first.length > 60 ? first.slice(0, 57) + "..." : first;
  return short
    ? `${operation.operationName} (${short.replaceAll("\n", " ")})`
    : operation.operationName;
}

/** The registration context of one host: deploy code calls land here. */
export class HostPlan implements DeployContext {
  readonly operations: PlannedOperation[] = [];
  readonly #occurrences = new Map<string, number>();
  readonly scope: DeployScope;
  /**
   * Called for each operation as it is registered: prepare starts it at once, so the
   * facts it reads join the batch of whatever the deploy code awaits next.
   */
  onOperation?: (planned: PlannedOperation) => void;

  constructor(
    readonly host: Host,
    readonly inventory: Inventory,
    readonly loader: ModuleLoader,
    readonly cwd: string,
    data: Readonly<Record<string, unknown>> = host.data,
    private readonly includeCounter = { value: 0 },
    private readonly parent?: HostPlan,
  ) {
    this.scope = {
      host,
      inventory,
      data,
      include: (path, extra) => this.#include(path, extra),
    };
  }

  /** Where new operations go: the root plan, also for includes. */
  get #root(): HostPlan {
    return this.parent ? this.parent.#root : this;
  }

  addOperation(operation: Operation<unknown>, input: Record<string, unknown>): OperationMeta {
    const frames = captureCallSite(userFileOf);
    const site = innermost(frames);
    const callSite = site ? formatFrame(site, this.cwd) : "command line";
    const split = operation.splitArguments(input, callSite);
    const args = split.args as Record<string, unknown>;
    const globals = split.globals;
    for (const name of operation.localPathArgs) {
      const value = args[name];
      if (
        typeof value === "string" && (value.startsWith("./") || value.startsWith("../")) && site
      ) {
        args[name] = nodePath.resolve(nodePath.dirname(site.file), value);
      } else if (typeof value === "string") {
        args[name] = nodePath.resolve(this.cwd, value);
      }
    }
    const root = this.#root;
    const base = callSiteKey(frames) || `cli:${operation.operationName}`;
    const occurrence = root.#occurrences.get(base) ?? 0;
    root.#occurrences.set(base, occurrence + 1);
    const key = `${base}#${occurrence}`;
    const id = createHash("sha1").update(key).digest("hex").slice(0, 12);
    const name = globals.name ?? defaultOperationName(operation, args);
    const meta = new OperationMeta(name, this.host.name);
    const planned: PlannedOperation = {
      id,
      key,
      frames,
      callSite,
      name,
      operation,
      args,
      globals,
      meta,
    };
    root.operations.push(planned);
    root.onOperation?.(planned);
    return meta;
  }

  async #include(path: string, extra: Record<string, unknown> = {}): Promise<void> {
    const full = nodePath.resolve(this.cwd, path);
    const child = new HostPlan(
      this.host,
      this.inventory,
      this.loader,
      this.cwd,
      { ...this.scope.data, ...extra },
      this.includeCounter,
      this,
    );
    const counter = ++this.includeCounter.value;
    await runInDeploy(child, () => this.loader.import(full, `include-${counter}`));
  }

  /** Runs a deploy file for this host. */
  async runFile(path: string): Promise<void> {
    await runInDeploy(this, () => this.loader.import(path));
  }

  /** Runs deploy code given as a function (ad-hoc operations, API mode). */
  async runFunction(fn: () => unknown): Promise<void> {
    await runInDeploy(this, fn);
  }
}

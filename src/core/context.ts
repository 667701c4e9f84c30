/**
 * The deploy-code boundary: while a host's deploy code runs, an `AsyncLocalStorage`
 * holds that host's registration context, so `files.file({...})` knows its host.
 * Operations themselves never read it: they get an explicit `ctx`.
 *
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Operation } from "./operation.ts";
import type { OperationMeta } from "./meta.ts";
import { TsinfraError } from "./errors.ts";
import type { Host } from "./host.ts";
import type { Inventory } from "./inventory.ts";

/** What deploy code sees through the `host`, `inventory` and `local` exports. */
export interface DeployScope {
  readonly host: Host;
  readonly inventory: Inventory;
  /** The host's data, with the data of the enclosing `local.include` calls on top. */
  readonly data: Readonly<Record<string, unknown>>;
  /** Runs another deploy file for this host (pyinfra's `local.include`). */
  include(path: string, data?: Record<string, unknown>): Promise<void>;
}

/** What deploy code is running against: implemented by the engine. */
export interface DeployContext {
  /** Registers a call to an operation on the current host. */
  addOperation(operation: Operation<unknown>, input: Record<string, unknown>): OperationMeta;
  /** The host, inventory and data of this deploy context. */
  readonly scope: DeployScope;
}

const storage = new AsyncLocalStorage<DeployContext>();

/** Runs `fn` with `context` as the current deploy context. */
export function runInDeploy<T>(context: DeployContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** The current deploy context, or an error naming what was called outside one. */
export function currentDeploy(what: string): DeployContext {
  const context = storage.getStore();
  if (!context) {
    throw new TsinfraError(
      `${what} was called outside a deploy: operations run only inside deploy code loaded by tsinfra`,
    );
  }
  return context;
}

/** The current deploy context, if any. */
export function maybeCurrentDeploy(): DeployContext | undefined {
  return storage.getStore();
}

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

/** What deploy code is running against: implemented by the engine. */
export interface DeployContext {
  /** Registers a call to an operation on the current host. */
  addOperation(operation: Operation<unknown>, input: Record<string, unknown>): OperationMeta;
  /** Identifies the deploy context's host, inventory and data for the public proxies. */
  readonly scope: unknown;
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

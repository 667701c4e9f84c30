/**
 * Messages between the coordinator and a worker.
 *
 * @module
 */
import type { EngineEvent } from "../core/events.ts";
import type { GlobalArgumentsInput } from "../core/arguments.ts";
import type { PlainError } from "./protocol.ts";
import * as errors from "../core/errors.ts";

/**
 * Every error class of `core/errors.ts`, by name: read from the module's exports, so a
 * class added there crosses the worker boundary without being listed again here.
 */
const ERROR_CLASSES: ReadonlyMap<string, new (message: string) => errors.TsinfraError> = new Map(
  Object.values(errors).flatMap((value) =>
    typeof value === "function" &&
      (value === errors.TsinfraError || value.prototype instanceof errors.TsinfraError)
      ? [[value.name, value as new (message: string) => errors.TsinfraError] as const]
      : []
  ),
);

/** An error as it crosses the worker boundary: its class name and message. */
export function plainError(error: unknown): PlainError {
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: "Error", message: String(error) };
}

/**
 * Rebuilds an error that crossed a worker boundary, keeping its class (and so its exit
 * status) when it is one of `core/errors.ts`.
 *
 * @example
 * ```ts
 * import { revive } from "./worker_protocol.ts";
 * import { OperationValueError } from "../core/errors.ts";
 * revive({ name: "OperationValueError", message: "bad" }) instanceof OperationValueError; // true
 * ```
 */
export function revive(error: PlainError): Error {
  const Class = ERROR_CLASSES.get(error.name);
  if (Class) return new Class(error.message);
  const plain = new Error(error.message);
  plain.name = error.name;
  return plain;
}

/**
 * Messages are sent in batches: everything one side has to say in a turn of its event
 * loop goes as one array, in order (one structured clone and one wake-up, not one per
 * event or call).
 */
export type Batch<T> = T[];

/** From the coordinator to a worker. */
export type CoordinatorMessage =
  | { type: "call"; id: number; method: string; params: unknown[] }
  | { type: "factResponse"; rid: number; value?: unknown; error?: PlainError };

/** From a worker to the coordinator. */
export type WorkerMessage =
  | { type: "result"; id: number; value: unknown }
  | { type: "error"; id: number; error: PlainError }
  | { type: "event"; event: EngineEvent }
  | {
    type: "factRequest";
    rid: number;
    host: string;
    factName: string;
    args: Record<string, unknown>;
    globals: GlobalArgumentsInput;
  };

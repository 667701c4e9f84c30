/**
 * Messages between the coordinator and a worker.
 *
 * @module
 */
import type { EngineEvent } from "../core/events.ts";
import type { GlobalArgumentsInput } from "../core/arguments.ts";
import type { PlainError } from "./protocol.ts";

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

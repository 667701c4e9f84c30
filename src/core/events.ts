/**
 * Typed events: the engine reports what happens through these, and only `src/cli`
 * draws them (pyinfra's API printing to the terminal is what we avoid).
 *
 * @module
 */

/** The engine's phases, in order. */
export type Phase = "config" | "inventory" | "connect" | "prepare" | "execute" | "done";

/** Everything the engine reports. */
export type EngineEvent =
  | { type: "phase"; phase: Phase }
  | { type: "connected"; host: string }
  | { type: "connectFailed"; host: string; error: string }
  | {
    type: "factLoaded";
    host: string;
    fact: string;
    args: string;
    command: string;
    output?: string;
  }
  | { type: "operationStart"; opId: string; name: string; hosts: string[] }
  | {
    type: "operationResult";
    host: string;
    opId: string;
    name: string;
    status: "changed" | "noChange" | "error" | "skipped";
    noopReason?: string;
    error?: string;
    ignored?: boolean;
  }
  | { type: "operationEnd"; opId: string }
  | { type: "command"; host: string; command: string }
  | { type: "commandOutput"; host: string; stream: "stdout" | "stderr"; text: string }
  | {
    type: "commandResult";
    host: string;
    command: string;
    exitCode: number;
    stdout: string;
    stderr: string;
  }
  | { type: "hostFailed"; host: string; error: string }
  | { type: "warning"; host?: string; message: string }
  | { type: "note"; host: string; message: string };

/** Receives engine events. */
export type EventListener = (event: EngineEvent) => void;

/** A minimal synchronous event bus. */
export class EventBus {
  #listeners: EventListener[] = [];

  on(listener: EventListener): () => void {
    this.#listeners.push(listener);
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  emit(event: EngineEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  /** Whether anyone listens, so callers can skip building costly events. */
  get active(): boolean {
    return this.#listeners.length > 0;
  }
}

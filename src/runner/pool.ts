/**
 * Shards as the coordinator sees them: in-process (`LocalShard`) or in a Deno worker
 * (`WorkerShard`). Both implement `ShardHandle`, so the run is the same either way.
 *
 * @module
 */
import type { EventBus } from "../core/events.ts";
import type { DisconnectOptions } from "../core/connector.ts";
import type { GlobalArgumentsInput } from "../core/arguments.ts";
import { TsinfraError } from "../core/errors.ts";
import type { ShardHandle } from "./coordinator.ts";
import type { FactRouter, ShardEngine } from "./shard.ts";
import type { HostCounters, HostPrepared, OperationOutcome, ShardInit } from "./protocol.ts";
import { setImmediate } from "node:timers";
import {
  type Batch,
  type CoordinatorMessage,
  plainError,
  revive,
  type WorkerMessage,
} from "./worker_protocol.ts";

/** A shard running in this thread. */
export class LocalShard implements ShardHandle {
  constructor(readonly engine: ShardEngine, readonly hosts: readonly string[]) {}
  connect() {
    return this.engine.connect();
  }
  prepare() {
    return this.engine.prepare();
  }
  run(host: string, opId: string) {
    return this.engine.run(host, opId);
  }
  skip(host: string, opId: string, outcome: OperationOutcome) {
    this.engine.skip(host, opId, outcome);
    return Promise.resolve();
  }
  readFact(
    host: string,
    factName: string,
    args: Record<string, unknown>,
    globals: GlobalArgumentsInput,
  ) {
    return this.engine.readFact(host, factName, args, globals);
  }
  cancel() {
    return this.engine.cancel();
  }
  finish(options: DisconnectOptions = {}) {
    return this.engine.finish(options);
  }
  close() {
    return Promise.resolve();
  }
}

export { revive } from "./worker_protocol.ts";

/** A shard in a Deno worker. */
export class WorkerShard implements ShardHandle {
  readonly hosts: readonly string[];
  #worker: Worker;
  #next = 0;
  #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #ready: Promise<unknown>;
  #outbox: Batch<CoordinatorMessage> = [];

  constructor(init: ShardInit, events: EventBus, route: FactRouter) {
    this.hosts = init.hosts;
    // A static URL, so `deno compile --include src/runner/worker.ts` embeds it.
    this.#worker = new Worker(new URL("./worker.ts", import.meta.url).href, { type: "module" });
    this.#worker.onmessage = (message: MessageEvent<Batch<WorkerMessage>>) => {
      for (const data of message.data) this.#receive(data, events, route);
    };
    this.#worker.onerror = (event) => {
      event.preventDefault();
      const error = new TsinfraError(`A worker failed: ${event.message}`);
      for (const pending of this.#pending.values()) pending.reject(error);
      this.#pending.clear();
    };
    this.#ready = this.#call("init", [init]);
  }

  #receive(data: WorkerMessage, events: EventBus, route: FactRouter): void {
    if (data.type === "event") events.emit(data.event);
    else if (data.type === "factRequest") {
      route(data.host, data.factName, data.args, data.globals).then(
        (value) => this.#send({ type: "factResponse", rid: data.rid, value }),
        (error: unknown) =>
          this.#send({ type: "factResponse", rid: data.rid, error: plainError(error) }),
      );
    } else {
      const pending = this.#pending.get(data.id);
      this.#pending.delete(data.id);
      if (data.type === "result") pending?.resolve(data.value);
      else pending?.reject(revive(data.error));
    }
  }

  /** Queues a message; the queue goes to the worker as one batch in the next turn. */
  #send(message: CoordinatorMessage): void {
    if (!this.#outbox.length) setImmediate(() => this.#flush());
    this.#outbox.push(message);
  }

  #flush(): void {
    const batch = this.#outbox;
    this.#outbox = [];
    this.#worker.postMessage(batch);
  }

  #call(method: string, params: unknown[]): Promise<unknown> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#send({ type: "call", id, method, params });
    });
  }

  async #after<T>(method: string, params: unknown[]): Promise<T> {
    await this.#ready;
    return await this.#call(method, params) as T;
  }

  connect() {
    return this.#after<Record<string, string>>("connect", []);
  }
  prepare() {
    return this.#after<HostPrepared[]>("prepare", []);
  }
  run(host: string, opId: string) {
    return this.#after<OperationOutcome>("run", [host, opId]);
  }
  async skip(host: string, opId: string, outcome: OperationOutcome) {
    await this.#after("skip", [host, opId, outcome]);
  }
  readFact(
    host: string,
    factName: string,
    args: Record<string, unknown>,
    globals: GlobalArgumentsInput,
  ) {
    return this.#after<unknown>("readFact", [host, factName, args, globals]);
  }
  async cancel() {
    await this.#after("cancel", []);
  }
  finish(options: DisconnectOptions = {}) {
    return this.#after<Record<string, HostCounters>>("finish", [options]);
  }
  close() {
    this.#worker.terminate();
    return Promise.resolve();
  }
}

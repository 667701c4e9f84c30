/**
 * The worker entry: one shard of hosts, driven by the coordinator in the main thread
 * through plain messages. Loads the built-in catalogue itself (and the connector module
 * the run names, as the coordinator does).
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { BUILTIN_CATALOGUE } from "../catalogue.ts";
import { EventBus } from "../core/events.ts";
import type { DisconnectOptions } from "../core/connector.ts";
import { ShardEngine } from "./shard.ts";
import type { ShardInit } from "./protocol.ts";
import { setImmediate } from "node:timers";
import {
  type Batch,
  type CoordinatorMessage,
  plainError,
  revive,
  type WorkerMessage,
} from "./worker_protocol.ts";

let engine: ShardEngine | undefined;
let nextRequest = 0;
const pendingFacts = new Map<
  number,
  { resolve: (v: unknown) => void; reject: (e: Error) => void }
>();

let outbox: Batch<WorkerMessage> = [];

/** Queues a message; the queue goes to the coordinator as one batch in the next turn. */
function post(message: WorkerMessage): void {
  if (!outbox.length) setImmediate(flush);
  outbox.push(message);
}

function flush(): void {
  const batch = outbox;
  outbox = [];
  self.postMessage(batch);
}

async function call(method: string, params: unknown[]): Promise<unknown> {
  if (method === "init") {
    const events = new EventBus();
    events.on((event) => post({ type: "event", event }));
    engine = new ShardEngine(params[0] as ShardInit, events, {
      catalogue: BUILTIN_CATALOGUE,
      router: (host, factName, args, globals) => {
        const rid = nextRequest++;
        post({ type: "factRequest", rid, host, factName, args, globals });
        return new Promise((resolve, reject) => pendingFacts.set(rid, { resolve, reject }));
      },
    });
    await engine.open();
    return null;
  }
  if (!engine) throw new Error("worker not initialised");
  switch (method) {
    case "connect":
      return await engine.connect();
    case "prepare":
      return await engine.prepare();
    case "run":
      return await engine.run(params[0] as string, params[1] as string);
    case "skip":
      return engine.skip(params[0] as string, params[1] as string, params[2] as never);
    case "readFact":
      return await engine.readFact(
        params[0] as string,
        params[1] as string,
        params[2] as Record<string, unknown>,
        params[3] as Record<string, unknown>,
      );
    case "cancel":
      return await engine.cancel();
    case "finish":
      return await engine.finish(params[0] as DisconnectOptions);
    default:
      throw new Error(`unknown worker method ${method}`);
  }
}

self.onmessage = (message: MessageEvent<Batch<CoordinatorMessage>>) => {
  for (const data of message.data) receive(data);
};

async function receive(data: CoordinatorMessage): Promise<void> {
  if (data.type === "factResponse") {
    const pending = pendingFacts.get(data.rid);
    pendingFacts.delete(data.rid);
    if (data.error) pending?.reject(revive(data.error));
    else pending?.resolve(data.value);
    return;
  }
  try {
    const value = await call(data.method, data.params);
    post({ type: "result", id: data.id, value });
  } catch (error) {
    post({ type: "error", id: data.id, error: plainError(error) });
  }
}

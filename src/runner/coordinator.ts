/**
 * The coordinator: drives the shards through connect, prepare, the global ordering,
 * approval and execution, operation by operation (or host by host with `noWait`), and
 * builds the report. It sees only plain data, so shards may live in workers.
 *
 * @module
 */
import type { EventBus } from "../core/events.ts";
import type { DisconnectOptions } from "../core/connector.ts";
import type { GlobalArgumentsInput } from "../core/arguments.ts";
import { mergeOrders, type OrderItem } from "../core/ordering.ts";
import { buildReport, type PhaseTimings, type RunReport } from "./report.ts";
import {
  type HostCounters,
  type HostPrepared,
  type OperationOutcome,
  type OperationSummary,
  skippedOutcome,
} from "./protocol.ts";

/** A shard as the coordinator drives it (in-process or in a worker). */
export interface ShardHandle {
  /** The hosts it owns. */
  readonly hosts: readonly string[];
  connect(): Promise<Record<string, string>>;
  prepare(): Promise<HostPrepared[]>;
  run(host: string, opId: string): Promise<OperationOutcome>;
  skip(host: string, opId: string, outcome: OperationOutcome): Promise<void>;
  readFact(
    host: string,
    factName: string,
    args: Record<string, unknown>,
    globals: GlobalArgumentsInput,
  ): Promise<unknown>;
  /** Stops the commands its hosts run now (Ctrl-C). */
  cancel(): Promise<void>;
  /** Disconnects its hosts; with `discard`, nothing the run made is kept. */
  finish(options?: DisconnectOptions): Promise<Record<string, HostCounters>>;
  /** Releases the shard (ends its worker). */
  close(): Promise<void>;
}

/** Options of {@linkcode coordinate}. */
export interface CoordinateOptions {
  shards: ShardHandle[];
  /** Hosts of the run, in inventory order. */
  hosts: string[];
  events: EventBus;
  /** Stop after prepare. @default {false} */
  dry?: boolean;
  /** Called with the prepare report when something will change; false stops the run. */
  approve?: (report: RunReport) => Promise<boolean>;
  /** Called with the prepare report, before approval (the CLI prints it). */
  onPrepared?: (report: RunReport) => void;
  parallel?: number;
  serial?: boolean;
  noWait?: boolean;
  failPercent?: number;
  /**
   * Stops the run (Ctrl-C): no operation starts after it, running commands are
   * stopped where the connector can, nothing is kept from a container started from an
   * image, and the report says what ran on each host.
   */
  signal?: AbortSignal;
}

/** The `stopped` text of an interrupted run. */
export const INTERRUPTED = "interrupted (Ctrl-C): no operation started after it";

/** The outcome of {@linkcode coordinate}. */
export interface CoordinateResult {
  report: RunReport;
  /** False when approval was refused: nothing ran. */
  approved: boolean;
}

async function runLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) await fn(items[next++]);
  });
  await Promise.all(lanes);
}

/** Orders every host's operations into one sequence (ties broken by call site). */
export function orderOperations(hosts: string[], prepared: Map<string, HostPrepared>): OrderItem[] {
  const fileRank = new Map<string, number>();
  const sortKey = (op: OperationSummary) => {
    const key: number[] = [];
    for (const frame of op.frames) {
      if (!fileRank.has(frame.file)) fileRank.set(frame.file, fileRank.size);
      key.push(fileRank.get(frame.file)!, frame.line, frame.column);
    }
    key.push(Number(op.key.slice(op.key.lastIndexOf("#") + 1)));
    return key;
  };
  return mergeOrders(
    hosts.map((h) =>
      (prepared.get(h)?.operations ?? []).map((op) => ({
        id: op.id,
        sortKey: sortKey(op),
        where: op.callSite,
      }))
    ),
  );
}

/** Runs a deploy across the shards. */
export async function coordinate(options: CoordinateOptions): Promise<CoordinateResult> {
  const { shards, events } = options;
  const ownerOf = new Map<string, ShardHandle>();
  for (const shard of shards) for (const host of shard.hosts) ownerOf.set(host, shard);
  const timings: PhaseTimings = { connectMs: 0, prepareMs: 0, executeMs: 0, disconnectMs: 0 };
  let mark = performance.now();
  const lap = (phase: keyof PhaseTimings) => {
    const now = performance.now();
    timings[phase] = Math.round(now - mark);
    mark = now;
  };
  const signal = options.signal;
  const finishAll = async () => {
    await cancelling;
    mark = performance.now();
    const counters: Record<string, HostCounters> = {};
    // A dry or interrupted run keeps nothing (no image committed from a container).
    const finish = { discard: Boolean(options.dry || signal?.aborted) };
    for (const part of await Promise.all(shards.map((s) => s.finish(finish)))) {
      Object.assign(counters, part);
    }
    lap("disconnectMs");
    return counters;
  };

  let stopped: string | undefined;
  // Hosts are disconnected only after their commands were stopped (the stopping must
  // not kill what disconnecting starts, such as removing a container).
  let cancelling: Promise<unknown> = Promise.resolve();
  const onAbort = () => {
    stopped ??= INTERRUPTED;
    cancelling = Promise.all(shards.map((shard) => shard.cancel().catch(() => {})));
  };
  if (signal?.aborted) stopped = INTERRUPTED;
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    return await coordinateRun();
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }

  async function coordinateRun(): Promise<CoordinateResult> {
    // Connecting and preparing overlap: each shard runs the deploy code while its hosts'
    // connections open. connectMs and prepareMs both count from the start of this phase.
    events.emit({ type: "phase", phase: "connect" });
    const connectFailed = new Map<string, string>();
    const connecting = Promise.all(shards.map((s) => s.connect())).then((parts) => {
      for (const part of parts) {
        for (const [host, error] of Object.entries(part)) connectFailed.set(host, error);
      }
      timings.connectMs = Math.round(performance.now() - mark);
    });
    const prepared = new Map<string, HostPrepared>();
    try {
      const preparing = Promise.all(shards.map((s) => s.prepare()));
      // Deploy code may fail (a throw, a bad argument) while the connections still open:
      // the rejection is taken below, after `connecting`, never left unhandled meanwhile.
      preparing.catch(() => {});
      await connecting;
      events.emit({ type: "phase", phase: "prepare" });
      for (const part of await preparing) {
        for (const host of part) prepared.set(host.host, host);
      }
    } catch (error) {
      await connecting.catch(() => {});
      await finishAll().catch(() => {});
      throw error;
    }
    let order: OrderItem[];
    try {
      order = orderOperations(options.hosts, prepared);
    } catch (error) {
      await finishAll().catch(() => {});
      throw error;
    }
    timings.prepareMs = Math.round(performance.now() - mark);
    mark = performance.now();
    const planReport = () =>
      buildReport({ hosts: options.hosts, connectFailed, prepared, counters: {} });
    const plan = planReport();
    if (stopped) {
      // Interrupted before anything ran.
      const counters = await finishAll();
      const report = buildReport({
        hosts: options.hosts,
        connectFailed,
        prepared,
        counters,
        stopped,
        timings,
      });
      return { report, approved: false };
    }
    options.onPrepared?.(plan);
    if (options.dry) {
      const counters = await finishAll();
      return {
        report: buildReport({ hosts: options.hosts, connectFailed, prepared, counters, timings }),
        approved: true,
      };
    }
    const changes = Object.values(plan.hosts).some((h) =>
      h.operations.some((o) => o.status === "willChange")
    );
    let approved = true;
    try {
      if (changes && options.approve) {
        // Ctrl-C at the prompt is a "no".
        const declined = new Promise<boolean>((resolve) => {
          if (signal?.aborted) resolve(false);
          signal?.addEventListener("abort", () => resolve(false), { once: true });
        });
        approved = await Promise.race([options.approve(plan), declined]);
      }
    } catch (error) {
      await finishAll().catch(() => {});
      throw error;
    }
    if (!approved) {
      const counters = await finishAll();
      return {
        report: buildReport({ hosts: options.hosts, connectFailed, prepared, counters, timings }),
        approved: false,
      };
    }

    events.emit({ type: "phase", phase: "execute" });
    mark = performance.now();
    const failed = new Map<string, string>();
    for (const [host, p] of prepared) if (p.error) failed.set(host, p.error);
    const outcomes = new Map<string, Map<string, OperationOutcome>>(
      options.hosts.map((h) => [h, new Map()]),
    );
    const summaries = new Map<string, Map<string, OperationSummary>>(
      [...prepared].map(([h, p]) => [h, new Map(p.operations.map((o) => [o.id, o]))]),
    );
    const ranOnce = new Set<string>();
    const liveHosts = options.hosts.filter((h) => !connectFailed.has(h));

    const runOne = async (host: string, opId: string) => {
      if (failed.has(host) || stopped) return;
      const op = summaries.get(host)?.get(opId);
      if (!op) return;
      const shard = ownerOf.get(host)!;
      let outcome: OperationOutcome;
      if (op.runOnce && ranOnce.has(opId)) {
        outcome = skippedOutcome("_runOnce: ran on another host");
        await shard.skip(host, opId, outcome);
      } else {
        if (op.runOnce) ranOnce.add(opId);
        outcome = await shard.run(host, opId);
      }
      outcomes.get(host)!.set(opId, outcome);
      events.emit({
        type: "operationResult",
        host,
        opId,
        name: op.name,
        status: outcome.status,
        noopReason: outcome.noopReason,
        error: outcome.error ?? undefined,
        ignored: outcome.ignored,
      });
      if (outcome.status === "error" && !outcome.ignored) {
        const reason = `${op.name} at ${op.callSite}: ${outcome.error}`;
        failed.set(host, reason);
        events.emit({ type: "hostFailed", host, error: reason });
      }
    };
    const checkFailPercent = () => {
      if (options.failPercent === undefined || stopped || !liveHosts.length) return;
      const failedCount = failed.size + connectFailed.size;
      const total = options.hosts.length;
      const percent = (failedCount / total) * 100;
      if (percent > options.failPercent) {
        stopped = `${failedCount} of ${total} hosts failed (${
          percent.toFixed(0)
        }%), over --fail-percent ${options.failPercent}`;
      }
    };

    if (options.noWait) {
      await Promise.all(liveHosts.map(async (host) => {
        for (const item of order) {
          await runOne(host, item.id);
          checkFailPercent();
        }
      }));
    } else {
      for (const item of order) {
        if (stopped) break;
        const withOp = liveHosts.filter((h) => summaries.get(h)?.has(item.id) && !failed.has(h));
        if (!withOp.length) continue;
        const first = summaries.get(withOp[0])!.get(item.id)!;
        events.emit({ type: "operationStart", opId: item.id, name: first.name, hosts: withOp });
        const limit = options.serial || first.serial
          ? 1
          : first.parallel ?? options.parallel ?? withOp.length;
        await runLimited(withOp, limit, (host) => runOne(host, item.id));
        events.emit({ type: "operationEnd", opId: item.id });
        checkFailPercent();
      }
    }
    lap("executeMs");
    const counters = await finishAll();
    return {
      report: buildReport({
        hosts: options.hosts,
        connectFailed,
        prepared,
        outcomes,
        failed,
        counters,
        stopped,
        timings,
      }),
      approved: true,
    };
  }
}

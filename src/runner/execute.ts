/**
 * Execute: operation by operation in the global order, every host that has it runs it
 * (in parallel, bounded by `--parallel`; `_serial` host by host; `_runOnce` on the first
 * host only). Each generator runs again and each command runs as it is yielded.
 *
 * @module
 */
import * as nodePath from "node:path";
import {
  describeCommand,
  DownloadCommand,
  FunctionCommand,
  type OperationCommand,
  StringCommand,
  toCommand,
  UploadCommand,
} from "../core/command.ts";
import type { Condition, GlobalArguments } from "../core/arguments.ts";
import type { Host } from "../core/host.ts";
import { splitLines } from "../core/host.ts";
import type { Inventory } from "../core/inventory.ts";
import type { LocalFiles } from "../core/local_files.ts";
import type { EventBus } from "../core/events.ts";
import type { PlannedOperation } from "./plan.ts";
import type { PrepareResult } from "./prepare.ts";
import { createOperationContext } from "./operation_context.ts";

/** What happened to one operation on one host. */
export interface OperationOutcome {
  status: "changed" | "noChange" | "error" | "skipped";
  changed: boolean;
  success: boolean;
  /** Commands that ran, masked. */
  commands: string[];
  stdout: string;
  stderr: string;
  error: string | null;
  noopReason?: string;
  /** The operation failed but `_ignoreErrors` kept the host going. */
  ignored?: boolean;
}

/** Options of {@linkcode executeOperations}. */
export interface ExecuteOptions {
  inventory: Inventory;
  prepare: PrepareResult;
  local: LocalFiles;
  events: EventBus;
  /** At most this many hosts run an operation at once. */
  parallel?: number;
  /** Run every operation host by host. @default {false} */
  serial?: boolean;
  /** Do not wait for every host between operations. @default {false} */
  noWait?: boolean;
  /** Stop the run when more than this percentage of hosts failed. */
  failPercent?: number;
  /** Stream command output as it arrives (for -vvv). @default {false} */
  streamOutput?: boolean;
}

/** The outcome of execution. */
export interface ExecuteResult {
  outcomes: Map<string, Map<string, OperationOutcome>>;
  /** Failed hosts, with the reason. */
  failed: Map<string, string>;
  /** Set when `failPercent` stopped the run. */
  stopped?: string;
}

function conditionHolds(condition: Condition | Condition[] | undefined): boolean {
  if (condition === undefined) return true;
  const list = Array.isArray(condition) ? condition : [condition];
  return list.every((c) => (typeof c === "function" ? c() : c));
}

async function runLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) await fn(items[next++]);
  });
  await Promise.all(workers);
}

const sleep = (seconds: number) => new Promise((r) => setTimeout(r, seconds * 1000));

class OperationRun {
  readonly commands: string[] = [];
  stdout = "";
  stderr = "";
  changed = false;

  constructor(
    readonly host: Host,
    readonly planned: PlannedOperation,
    readonly globals: GlobalArguments,
    readonly local: LocalFiles,
    readonly options: ExecuteOptions,
  ) {}

  /** Runs one command; returns an error message, or undefined on success. */
  async run(yielded: OperationCommand): Promise<string | undefined> {
    const command = toCommand(yielded);
    const description = describeCommand(command);
    this.commands.push(description);
    this.changed = true;
    const events = this.options.events;
    events.emit({ type: "command", host: this.host.name, command: description });
    try {
      if (command instanceof StringCommand) return await this.#shell(command, description);
      const args = this.host.connectorArguments({
        ...this.planned.globals,
        ...command.connectorArgs,
      });
      if (command instanceof UploadCommand) {
        const content = "path" in command.src
          ? this.local.readBytes(command.src.path)
          : typeof command.src.content === "string"
          ? new TextEncoder().encode(command.src.content)
          : command.src.content;
        await this.host.putFile(content, command.dest, args, this.globals._tempDir);
      } else if (command instanceof DownloadCommand) {
        const bytes = await this.host.getFile(command.src, args, this.globals._tempDir);
        const dest = this.local.resolve(command.dest);
        await Deno.mkdir(nodePath.dirname(dest), { recursive: true });
        const temp = `${dest}.tsinfra-${crypto.randomUUID()}`;
        await Deno.writeFile(temp, bytes);
        await Deno.rename(temp, dest);
      } else if (command instanceof FunctionCommand) {
        await command.fn({
          hostName: this.host.name,
          run: async (c) => {
            const cmd = typeof c === "string" ? new StringCommand([c]) : c;
            return await this.host.run(cmd, this.host.connectorArguments(this.planned.globals));
          },
        });
      }
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    } finally {
      this.host.invalidateFacts();
    }
  }

  async #shell(command: StringCommand, description: string): Promise<string | undefined> {
    const args = this.host.connectorArguments({
      ...this.planned.globals,
      ...command.connectorArgs,
    });
    const events = this.options.events;
    const sink = this.options.streamOutput
      ? {
        stdout: (text: string) =>
          events.emit({ type: "commandOutput", host: this.host.name, stream: "stdout", text }),
        stderr: (text: string) =>
          events.emit({ type: "commandOutput", host: this.host.name, stream: "stderr", text }),
      }
      : undefined;
    let attempt = 0;
    while (true) {
      const output = await this.host.run(command, args, sink);
      events.emit({
        type: "commandResult",
        host: this.host.name,
        command: description,
        exitCode: output.exitCode,
        stdout: output.stdout,
        stderr: output.stderr,
      });
      const ok = !output.timedOut && args._successExitCodes.includes(output.exitCode);
      const retryWanted = this.globals._retryUntil?.({
        stdout: splitLines(output.stdout),
        stderr: splitLines(output.stderr),
      }) ?? false;
      if ((ok && !retryWanted) || attempt >= this.globals._retries) {
        this.stdout += output.stdout;
        this.stderr += output.stderr;
        if (ok && !retryWanted) return undefined;
        if (output.timedOut) return `Command timed out after ${args._timeout}s: ${description}`;
        const detail = output.stderr.trim().split("\n").slice(-3).join("\n");
        return `Command failed (exit status ${output.exitCode}): ${description}` +
          (detail ? `\n${detail}` : "");
      }
      attempt++;
      await sleep(this.globals._retryDelay);
    }
  }
}

/** Runs one operation on one host. */
async function executeOnHost(
  host: Host,
  planned: PlannedOperation,
  options: ExecuteOptions,
): Promise<OperationOutcome> {
  const { ctx, noopReason } = createOperationContext(
    host,
    options.inventory,
    planned.globals,
    options.local,
  );
  const globals = ctx.globals;
  const finish = (outcome: OperationOutcome): OperationOutcome => {
    planned.meta.setResult({
      changed: outcome.changed,
      success: outcome.success,
      stdout: outcome.stdout,
      stderr: outcome.stderr,
      error: outcome.error,
    });
    const callback = outcome.success ? globals._onSuccess : globals._onError;
    if (outcome.status !== "skipped") callback?.(host.name, planned.name);
    return outcome;
  };
  let conditionOk: boolean;
  try {
    conditionOk = conditionHolds(globals._if);
  } catch (error) {
    const message = `_if condition failed: ${error instanceof Error ? error.message : error}`;
    return finish(failure([], "", "", message, globals._ignoreErrors));
  }
  if (!conditionOk) {
    return finish({
      status: "skipped",
      changed: false,
      success: true,
      commands: [],
      stdout: "",
      stderr: "",
      error: null,
      noopReason: "_if condition is false",
    });
  }
  const run = new OperationRun(host, planned, globals, options.local, options);
  const args = host.connectorArguments(planned.globals);
  if (globals._precondition) {
    const output = await host.run(new StringCommand([globals._precondition]), args);
    if (output.exitCode !== 0) {
      return finish(
        failure(
          [],
          output.stdout,
          output.stderr,
          `Precondition failed: ${globals._precondition}`,
          globals._ignoreErrors,
        ),
      );
    }
  }
  let error: string | undefined;
  try {
    for await (const command of planned.operation.generate(planned.args, ctx)) {
      const failed = await run.run(command);
      if (failed) {
        error ??= failed;
        if (!globals._continueOnError) break;
      }
    }
  } catch (thrown) {
    error ??= thrown instanceof Error ? thrown.message : String(thrown);
  }
  if (!error && globals._postcondition) {
    const output = await host.run(new StringCommand([globals._postcondition]), args);
    if (output.exitCode !== 0) error = `Postcondition failed: ${globals._postcondition}`;
  }
  if (error) {
    return finish(
      failure(run.commands, run.stdout, run.stderr, error, globals._ignoreErrors, run.changed),
    );
  }
  return finish({
    status: run.changed ? "changed" : "noChange",
    changed: run.changed,
    success: true,
    commands: run.commands,
    stdout: run.stdout,
    stderr: run.stderr,
    error: null,
    noopReason: run.changed ? undefined : noopReason(),
  });
}

function failure(
  commands: string[],
  stdout: string,
  stderr: string,
  error: string,
  ignored: boolean,
  changed = false,
): OperationOutcome {
  return { status: "error", changed, success: false, commands, stdout, stderr, error, ignored };
}

/** Executes the prepared operations. */
export async function executeOperations(options: ExecuteOptions): Promise<ExecuteResult> {
  const { prepare, events } = options;
  const outcomes = new Map<string, Map<string, OperationOutcome>>();
  const failed = new Map<string, string>(prepare.failed);
  const hosts = [...prepare.plans.values()].map((p) => p.host);
  for (const host of hosts) outcomes.set(host.name, new Map());
  const byId = new Map(
    [...prepare.plans].map((
      [name, plan],
    ) => [name, new Map(plan.operations.map((op) => [op.id, op]))]),
  );
  const plannedOn = (hostName: string, opId: string) => byId.get(hostName)?.get(opId);
  const ranOnce = new Set<string>();
  let stopped: string | undefined;

  const runOne = async (host: Host, opId: string) => {
    if (failed.has(host.name) || stopped) return;
    const planned = plannedOn(host.name, opId);
    if (!planned) return;
    const runOnce = planned.globals._runOnce ?? host.defaults._runOnce;
    if (runOnce) {
      if (ranOnce.has(opId)) {
        const outcome: OperationOutcome = {
          status: "skipped",
          changed: false,
          success: true,
          commands: [],
          stdout: "",
          stderr: "",
          error: null,
          noopReason: "_runOnce: ran on another host",
        };
        planned.meta.setResult({ ...outcome });
        outcomes.get(host.name)!.set(opId, outcome);
        events.emit({
          type: "operationResult",
          host: host.name,
          opId,
          name: planned.name,
          status: "skipped",
          noopReason: outcome.noopReason,
        });
        return;
      }
      ranOnce.add(opId);
    }
    const outcome = await executeOnHost(host, planned, options);
    outcomes.get(host.name)!.set(opId, outcome);
    events.emit({
      type: "operationResult",
      host: host.name,
      opId,
      name: planned.name,
      status: outcome.status,
      noopReason: outcome.noopReason,
      error: outcome.error ?? undefined,
      ignored: outcome.ignored,
    });
    if (outcome.status === "error" && !outcome.ignored) {
      const reason = `${planned.name} at ${planned.callSite}: ${outcome.error}`;
      failed.set(host.name, reason);
      events.emit({ type: "hostFailed", host: host.name, error: reason });
    }
  };

  const checkFailPercent = () => {
    if (options.failPercent === undefined || stopped) return;
    const percent = (failed.size / hosts.length) * 100;
    if (percent > options.failPercent) {
      stopped = `${failed.size} of ${hosts.length} hosts failed (${
        percent.toFixed(0)
      }%), over --fail-percent ${options.failPercent}`;
    }
  };

  if (options.noWait) {
    await Promise.all(hosts.map(async (host) => {
      for (const item of prepare.order) {
        await runOne(host, item.id);
        checkFailPercent();
      }
    }));
    return { outcomes, failed, stopped };
  }

  for (const item of prepare.order) {
    if (stopped) break;
    const withOp = hosts.filter((h) => plannedOn(h.name, item.id) && !failed.has(h.name));
    if (!withOp.length) continue;
    const first = plannedOn(withOp[0].name, item.id)!;
    events.emit({
      type: "operationStart",
      opId: item.id,
      name: first.name,
      hosts: withOp.map((h) => h.name),
    });
    const serial = options.serial || first.globals._serial;
    const limit = serial ? 1 : first.globals._parallel ?? options.parallel ?? withOp.length;
    await runLimited(withOp, limit, (host) => runOne(host, item.id));
    events.emit({ type: "operationEnd", opId: item.id });
    checkFailPercent();
  }
  return { outcomes, failed, stopped };
}

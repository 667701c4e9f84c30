/**
 * Execute one operation on one host: `_if`, pre/postconditions, the generator run again
 * against fresh facts, each command run as it is yielded, retries, callbacks. The
 * coordinator decides which host runs what and when.
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
import type { CommandOutput } from "../core/connector.ts";
import type { FactPrefetch, Host } from "../core/host.ts";
import { splitLines } from "../core/host.ts";
import type { Inventory } from "../core/inventory.ts";
import type { LocalFiles } from "../core/local_files.ts";
import type { EventBus } from "../core/events.ts";
import type { PlannedOperation } from "./plan.ts";
import { failureOf, type OperationOutcome, type PlainFailure, skippedOutcome } from "./protocol.ts";
import type { Fact, FactArgs } from "../core/fact.ts";
import { newMarker } from "../core/fact_batch.ts";
import { createOperationContext } from "./operation_context.ts";

/** Options of {@linkcode executeOnHost}. */
export interface ExecuteOptions {
  inventory: Inventory;
  local: LocalFiles;
  events: EventBus;
  /** Stream command output as it arrives (for -vvv). @default {false} */
  streamOutput?: boolean;
  /** Facts the host's next operation will read: read along with this one's commands. */
  prefetch?: readonly FactPrefetch[];
}

function conditionHolds(condition: Condition | Condition[] | undefined): boolean {
  if (condition === undefined) return true;
  const list = Array.isArray(condition) ? condition : [condition];
  return list.every((c) => (typeof c === "function" ? c() : c));
}

const sleep = (seconds: number) => new Promise((r) => setTimeout(r, seconds * 1000));

class OperationRun {
  readonly commands: string[] = [];
  stdout = "";
  stderr = "";
  changed = false;
  /** Shell commands waiting to be sent together (see `#batchable`). */
  #pending: { command: StringCommand; description: string }[] = [];
  /** An upload waiting to go with the shell commands that follow it (chmod, chown). */
  #upload: { command: UploadCommand; description: string } | undefined;

  constructor(
    readonly host: Host,
    readonly planned: PlannedOperation,
    readonly globals: GlobalArguments,
    readonly local: LocalFiles,
    readonly options: ExecuteOptions,
  ) {}

  /**
   * Whether shell commands of this operation may share one round trip: only when each
   * runs with the same plain settings, so the results are those of running them apart.
   */
  #batchable(command: StringCommand | UploadCommand): boolean {
    const g = this.globals;
    return Object.keys(command.connectorArgs).length === 0 && g._retries === 0 && !g._retryUntil &&
      !g._continueOnError && g._timeout === undefined && g._stdin === undefined && !g._getPty &&
      g._successExitCodes.length === 1 && g._successExitCodes[0] === 0;
  }

  /**
   * Runs one command, or queues a shell command to go with the next ones; returns an
   * error message, or undefined on success. Queued commands run at `flush()`.
   */
  async run(yielded: OperationCommand): Promise<PlainFailure | undefined> {
    const command = toCommand(yielded);
    const description = describeCommand(command);
    this.changed = true;
    if (command instanceof StringCommand && this.#batchable(command)) {
      this.#pending.push({ command, description });
      return undefined;
    }
    const failed = await this.flush();
    if (failed) return failed;
    if (command instanceof UploadCommand && this.#batchable(command)) {
      // Sent with the shell commands that follow it, in the upload's own round trip.
      this.#upload = { command, description };
      return undefined;
    }
    this.commands.push(description);
    const events = this.options.events;
    events.emit({ type: "command", host: this.host.name, command: description });
    try {
      if (command instanceof StringCommand) return await this.#shell(command, description);
      const args = this.host.connectorArguments({
        ...this.planned.globals,
        ...command.connectorArgs,
      });
      if (command instanceof UploadCommand) {
        await this.host.putFile(
          this.#content(command),
          command.dest,
          args,
          this.globals._tempDir,
        );
      } else if (command instanceof DownloadCommand) {
        const bytes = await this.host.getFile(command.src, args, this.globals._tempDir);
        const dest = this.local.resolve(command.dest);
        await Deno.mkdir(nodePath.dirname(dest), { recursive: true });
        const temp = `${dest}.tsinfra-${crypto.randomUUID()}`;
        await Deno.writeFile(temp, bytes);
        await Deno.rename(temp, dest);
      } else if (command instanceof FunctionCommand) {
        const host = this.host;
        await command.fn({
          hostName: host.name,
          run: async (c) => {
            const cmd = typeof c === "string" ? new StringCommand([c]) : c;
            return await host.run(cmd, host.connectorArguments(this.planned.globals));
          },
          reconnect: () => host.reconnect(),
          removeSudoHelper: () => host.removeSudoHelper(),
          forgetSudoHelper: () => host.forgetSudoHelper(),
        });
      }
      return undefined;
    } catch (error) {
      return failureOf(error);
    } finally {
      this.host.invalidateFacts();
    }
  }

  /**
   * Sends the queued shell commands: one alone as usual, several as one script where each
   * runs in its own subshell and the first failure stops the rest and names itself.
   */
  async flush(): Promise<PlainFailure | undefined> {
    const pending = this.#pending;
    this.#pending = [];
    const upload = this.#upload;
    this.#upload = undefined;
    if (upload) return await this.#flushUpload(upload, pending);
    if (!pending.length) return undefined;
    const events = this.options.events;
    if (pending.length === 1) {
      this.commands.push(pending[0].description);
      events.emit({ type: "command", host: this.host.name, command: pending[0].description });
      try {
        return await this.#shell(pending[0].command, pending[0].description, this.options.prefetch);
      } finally {
        this.host.invalidateFacts();
      }
    }
    const marker = newMarker();
    for (const { description } of pending) {
      events.emit({ type: "command", host: this.host.name, command: description });
    }
    const args = this.host.connectorArguments(this.planned.globals);
    let output;
    try {
      output = await this.host.run(
        this.#batchScript(pending, marker),
        args,
        this.#sink(),
        this.options.prefetch,
      );
    } finally {
      this.host.invalidateFacts();
    }
    return this.#finishBatch(pending, output, marker);
  }

  /** The upload, then the shell commands after it, in one round trip where possible. */
  async #flushUpload(
    upload: { command: UploadCommand; description: string },
    pending: { command: StringCommand; description: string }[],
  ): Promise<PlainFailure | undefined> {
    const events = this.options.events;
    this.commands.push(upload.description);
    for (const { description } of [upload, ...pending]) {
      events.emit({ type: "command", host: this.host.name, command: description });
    }
    const marker = newMarker();
    const prefetch = this.options.prefetch ?? [];
    // With nothing to follow, `true` still carries the next operation's facts.
    const then = pending.length
      ? this.#batchScript(pending, marker)
      : prefetch.length
      ? new StringCommand(["true"])
      : undefined;
    const args = this.host.connectorArguments(this.planned.globals);
    let output;
    try {
      output = await this.host.putFile(
        this.#content(upload.command),
        upload.command.dest,
        args,
        this.globals._tempDir,
        then,
        prefetch,
      );
    } catch (error) {
      return failureOf(error);
    } finally {
      this.host.invalidateFacts();
    }
    if (!pending.length || !output) return undefined;
    return this.#finishBatch(pending, output, marker);
  }

  /**
   * One script running each command in its own subshell; the first failure stops the
   * rest and names itself on stderr.
   */
  #batchScript(
    pending: { command: StringCommand; description: string }[],
    marker: string,
  ): StringCommand {
    return new StringCommand(
      pending.map(({ command }, i) =>
        // The newline before ")" keeps a trailing here-document or comment inside the subshell.
        new StringCommand(
          ["( ", command, `\n) || { s=$?; echo ${marker}:${i}:$s >&2; exit $s; }`],
          {
            separator: "",
          },
        )
      ),
      { separator: "\n" },
    );
  }

  /** Records the outcome of a batch script; returns the failure, if any. */
  #finishBatch(
    pending: { command: StringCommand; description: string }[],
    output: CommandOutput,
    marker: string,
  ): PlainFailure | undefined {
    const failure = new RegExp(`(?:^|\n)${marker}:(\\d+):(\\d+)\n?`).exec(output.stderr);
    const stderr = failure
      ? output.stderr.replace(failure[0], failure.index === 0 ? "" : "\n")
      : output.stderr;
    const ran = failure ? Number(failure[1]) + 1 : pending.length;
    this.commands.push(...pending.slice(0, ran).map((p) => p.description));
    this.stdout += output.stdout;
    this.stderr += stderr;
    this.options.events.emit({
      type: "commandResult",
      host: this.host.name,
      command: pending.slice(0, ran).map((p) => p.description).join("; "),
      exitCode: output.exitCode,
      stdout: output.stdout,
      stderr,
    });
    if (!failure && output.exitCode === 0) return undefined;
    const command = pending[ran - 1].description;
    if (output.timedOut) {
      return {
        class: "CommandError",
        message: `Command timed out: ${command}`,
        command,
        timedOut: true,
      };
    }
    const detail = stderr.trim().split("\n").slice(-3).join("\n");
    const exitCode = failure ? Number(failure[2]) : output.exitCode;
    return {
      class: "CommandError",
      message: `Command failed (exit status ${exitCode}): ${command}` +
        (detail ? `\n${detail}` : ""),
      command,
      exitCode,
    };
  }

  /** An upload's bytes. */
  #content(command: UploadCommand): Uint8Array {
    return "path" in command.src
      ? this.local.readBytes(command.src.path)
      : typeof command.src.content === "string"
      ? new TextEncoder().encode(command.src.content)
      : command.src.content;
  }

  #sink() {
    const events = this.options.events;
    return this.options.streamOutput
      ? {
        stdout: (text: string) =>
          events.emit({ type: "commandOutput", host: this.host.name, stream: "stdout", text }),
        stderr: (text: string) =>
          events.emit({ type: "commandOutput", host: this.host.name, stream: "stderr", text }),
      }
      : undefined;
  }

  async #shell(
    command: StringCommand,
    description: string,
    prefetch?: readonly FactPrefetch[],
  ): Promise<PlainFailure | undefined> {
    const args = this.host.connectorArguments({
      ...this.planned.globals,
      ...command.connectorArgs,
    });
    const events = this.options.events;
    const sink = this.#sink();
    let attempt = 0;
    while (true) {
      const output = await this.host.run(command, args, sink, prefetch);
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
        if (output.timedOut) {
          return {
            class: "CommandError",
            message: `Command timed out after ${args._timeout}s: ${description}`,
            command: description,
            timedOut: true,
          };
        }
        const detail = output.stderr.trim().split("\n").slice(-3).join("\n");
        return {
          class: "CommandError",
          message: `Command failed (exit status ${output.exitCode}): ${description}` +
            (detail ? `\n${detail}` : ""),
          command: description,
          exitCode: output.exitCode,
        };
      }
      attempt++;
      await sleep(this.globals._retryDelay);
    }
  }
}

/** Runs one operation on one host: conditions, generator, commands, callbacks. */
export async function executeOnHost(
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
    const cause = failureOf(error);
    const message = `_if condition failed: ${cause.message}`;
    return finish(failure([], "", "", { ...cause, message }, globals._ignoreErrors));
  }
  if (!conditionOk) {
    return finish(skippedOutcome("_if condition is false"));
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
          {
            class: "CommandError",
            message: `Precondition failed: ${globals._precondition}`,
            command: globals._precondition,
            exitCode: output.exitCode,
          },
          globals._ignoreErrors,
        ),
      );
    }
  }
  let error: PlainFailure | undefined;
  try {
    // Queued commands must run before the generator reads a fact: it may depend on them.
    const flushingCtx = {
      ...ctx,
      host: {
        ...ctx.host,
        getFact: async <T, A extends FactArgs>(fact: Fact<T, A>, factArgs?: Partial<A>) => {
          const failed = await run.flush();
          if (failed) throw new CarriedFailure(failed);
          return await ctx.host.getFact(fact, factArgs);
        },
      },
    };
    for await (const command of planned.operation.generate(planned.args, flushingCtx)) {
      const failed = await run.run(command);
      if (failed) {
        error ??= failed;
        if (!globals._continueOnError) break;
      }
    }
    if (!error) error = await run.flush();
  } catch (thrown) {
    error ??= thrown instanceof CarriedFailure ? thrown.failure : failureOf(thrown);
  }
  if (!error && globals._postcondition) {
    const output = await host.run(new StringCommand([globals._postcondition]), args);
    if (output.exitCode !== 0) {
      error = {
        class: "CommandError",
        message: `Postcondition failed: ${globals._postcondition}`,
        command: globals._postcondition,
        exitCode: output.exitCode,
      };
    }
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
  error: PlainFailure,
  ignored: boolean,
  changed = false,
): OperationOutcome {
  return {
    status: "error",
    changed,
    success: false,
    commands,
    stdout,
    stderr,
    error: error.message,
    failure: error,
    ignored,
  };
}

/** A command's failure, carried through the generator when a fact read flushed it. */
class CarriedFailure extends Error {
  constructor(readonly failure: PlainFailure) {
    super(failure.message);
  }
}

/**
 * Running the commands an operation yields on one host (see {@linkcode OperationRun});
 * execute.ts decides whether and how the operation runs.
 *
 * @module
 */
import * as nodePath from "node:path";
import {
  checkYielded,
  describeCommand,
  DownloadCommand,
  FunctionCommand,
  type OperationCommand,
  StringCommand,
  UploadCommand,
} from "../core/command.ts";
import type { GlobalArguments } from "../core/arguments.ts";
import type { CommandOutput } from "../core/connector.ts";
import type { FactPrefetch, Host } from "../core/host.ts";
import { splitLines } from "../core/host.ts";
import type { Inventory } from "../core/inventory.ts";
import type { LocalFiles } from "../core/local_files.ts";
import type { EventBus } from "../core/events.ts";
import type { PlannedOperation } from "./plan.ts";
import { failureOf, type PlainFailure } from "./protocol.ts";
import { newMarker } from "../core/fact_batch.ts";

/** Options of executing an operation on a host (execute.ts's executeOnHost). */
export interface ExecuteOptions {
  inventory: Inventory;
  local: LocalFiles;
  events: EventBus;
  /** Stream command output as it arrives (for -vvv). @default {false} */
  streamOutput?: boolean;
  /** Facts the host's next operation will read: read along with this one's commands. */
  prefetch?: readonly FactPrefetch[];
}

/**
 * How a command failed: its exit status, or (-1, no status) that it did not finish, as
 * when the connection was lost or the run was interrupted (the reason follows).
 */
function failedHow(exitCode: number): string {
  return exitCode === -1 ? "Command did not finish" : `Command failed (exit status ${exitCode})`;
}

const sleep = (seconds: number) => new Promise((r) => setTimeout(r, seconds * 1000));

/**
 * The commands of one operation on one host as they are yielded: shell commands batched
 * into one round trip where that changes nothing, uploads with the commands after them,
 * function commands, retries, and the output and change they add up to.
 */
export class OperationRun {
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
    const command = checkYielded(yielded);
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
      message: `${failedHow(exitCode)}: ${command}` + (detail ? `\n${detail}` : ""),
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
          message: `${failedHow(output.exitCode)}: ${description}` +
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

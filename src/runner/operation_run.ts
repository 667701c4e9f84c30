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
  quote,
  StringCommand,
  UploadCommand,
} from "../core/command.ts";
import type { ConnectorArguments, GlobalArguments } from "../core/arguments.ts";
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
 * Creates private temporary files: empty, mode 600 (`umask 077`), and only when nothing
 * is at the name (`set -C`: the shell opens with O_EXCL, so it neither truncates an
 * existing file nor follows a planted link to create one). The shell's noclobber still
 * opens an existing FIFO or device, or a link to one: the checks after it refuse what is
 * not a regular file of its own. The name is random, so none of that happens unless
 * someone reads it from the process list and races the creation; then the operation
 * fails and nothing of it is written anywhere else.
 */
function createPrivateFiles(files: readonly string[]): StringCommand {
  return new StringCommand([
    "{ ( umask 077 && set -C",
    ...files.flatMap((file) => ["&& : >", quote(file)]),
    ")",
    ...files.flatMap((file) => ["&& [ -f", quote(file), "] && [ ! -h", quote(file), "]"]),
    "; } || { echo",
    quote(
      `Cannot create the private temporary file ${files.join(" ")}: ` +
        "the name is taken or the folder cannot be written",
    ),
    ">&2; false; }",
  ]);
}

/**
 * Removes private temporary files and whatever sed's in-place editing left beside one
 * (`FILE.TIMESTAMP`, when it failed before removing it). `rm -f` never follows a link.
 */
function removePrivateFiles(files: readonly string[]): StringCommand {
  return new StringCommand([
    "rm -f --",
    ...files.flatMap((file) => [quote(file), `${quote(file)}.*`]),
  ]);
}

/** `command`, then `removal` whatever the command's status, which stays the result. */
function withRemoval(command: StringCommand, removal: StringCommand): StringCommand {
  return new StringCommand(
    // A subshell, so that an `exit` of the command cannot skip the removal; the newline
    // keeps a trailing here-document or comment inside it.
    ["( ", command, "\n); __tsinfra_r=$?; ", removal, "; (exit $__tsinfra_r)"],
    { separator: "", connectorArgs: command.connectorArgs, secretInput: command.secretInput },
  );
}

/** `command`, run only once the private files are created (a failure names them). */
function withCreation(files: readonly string[], command: StringCommand): StringCommand {
  return new StringCommand([createPrivateFiles(files), " && {\n", command, "\n}"], {
    separator: "",
    connectorArgs: command.connectorArgs,
    secretInput: command.secretInput,
  });
}

/** Private temporary files created with the same connector arguments. */
interface PrivateFiles {
  files: readonly string[];
  connectorArgs: Partial<ConnectorArguments>;
}

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
  /** How many of `privateFiles` are created (or queued to be, with a command). */
  #privateCreated = 0;
  /** Private files created (or queued) and not removed yet. */
  #privateLeft: PrivateFiles[] = [];

  /**
   * @param privateFiles The names `ctx.privateTempFilename()` gave (growing as the
   * generator asks). Each is created just before the first command yielded after it was
   * named, with that command's connector arguments (so it belongs to the user commands
   * run as), and removed when the operation ends ({@linkcode finish} with the last
   * commands, {@linkcode removePrivateFiles} on every other path). A controller killed
   * in between leaves at worst that file, private (600) and holding what the operation
   * wrote to it (for server.crontab: empty or a copy of the crontab).
   */
  constructor(
    readonly host: Host,
    readonly planned: PlannedOperation,
    readonly globals: GlobalArguments,
    readonly local: LocalFiles,
    readonly options: ExecuteOptions,
    readonly privateFiles: readonly string[] = [],
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
    const fresh = this.privateFiles.slice(this.#privateCreated);
    if (command instanceof StringCommand && this.#batchable(command)) {
      if (fresh.length) {
        // Created in the command's own round trip, just before it.
        this.#privateCreated += fresh.length;
        this.#privateLeft.push({ files: fresh, connectorArgs: {} });
        this.#pending.push({ command: withCreation(fresh, command), description });
      } else this.#pending.push({ command, description });
      return undefined;
    }
    const failed = await this.flush();
    if (failed) return failed;
    if (fresh.length) {
      const refused = await this.#createPrivateFiles(fresh, command.connectorArgs);
      if (refused) return refused;
    }
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
    return await this.#flush();
  }

  /**
   * Sends the queued commands at the operation's end, as {@linkcode flush}, with the
   * removal of its private temporary files in the same round trip: the removal runs
   * whether the commands succeed or fail. Files it could not take along are left to
   * {@linkcode removePrivateFiles}.
   */
  async finish(): Promise<PlainFailure | undefined> {
    const plain = this.#privateLeft.filter((p) => Object.keys(p.connectorArgs).length === 0);
    if (!this.#pending.length || this.#upload || !plain.length) return await this.flush();
    return await this.#flush({
      command: removePrivateFiles(plain.flatMap((p) => p.files)),
      done: () => {
        this.#privateLeft = this.#privateLeft.filter((p) => !plain.includes(p));
      },
    });
  }

  /**
   * Removes the private temporary files still on the host, in a round trip of their own
   * (none when nothing is left): for when the operation ends, whatever happened. A
   * failure is returned, never thrown.
   */
  async removePrivateFiles(): Promise<PlainFailure | undefined> {
    let failure: PlainFailure | undefined;
    for (const left of this.#privateLeft) {
      const command = removePrivateFiles(left.files);
      try {
        const output = await this.host.run(
          command,
          this.host.connectorArguments({ ...this.planned.globals, ...left.connectorArgs }),
        );
        if (output.exitCode !== 0) {
          failure ??= {
            class: "CommandError",
            message: `Cannot remove a private temporary file: ${left.files.join(" ")}` +
              (output.stderr.trim() ? `\n${output.stderr.trim()}` : ""),
            command: command.masked(),
            exitCode: output.exitCode,
          };
        }
      } catch (error) {
        failure ??= failureOf(error);
      }
    }
    this.#privateLeft = [];
    return failure;
  }

  /** Creates private files in a round trip of their own (before a command that is not batched). */
  async #createPrivateFiles(
    files: readonly string[],
    connectorArgs: Partial<ConnectorArguments>,
  ): Promise<PlainFailure | undefined> {
    this.#privateCreated += files.length;
    // Listed first: were the round trip lost midway, the removal is still tried.
    this.#privateLeft.push({ files, connectorArgs });
    const command = createPrivateFiles(files);
    try {
      const output = await this.host.run(
        command,
        this.host.connectorArguments({ ...this.planned.globals, ...connectorArgs }),
      );
      if (output.exitCode === 0) return undefined;
      const detail = output.stderr.trim().split("\n").slice(-3).join("\n");
      return {
        class: "CommandError",
        message: `${failedHow(output.exitCode)}: ${command.masked()}` +
          (detail ? `\n${detail}` : ""),
        command: command.masked(),
        exitCode: output.exitCode,
      };
    } catch (error) {
      return failureOf(error);
    }
  }

  async #flush(
    removal?: { command: StringCommand; done: () => void },
  ): Promise<PlainFailure | undefined> {
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
        const command = removal
          ? withRemoval(pending[0].command, removal.command)
          : pending[0].command;
        const failed = await this.#shell(command, pending[0].description, this.options.prefetch);
        removal?.done();
        return failed;
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
      const script = this.#batchScript(pending, marker);
      output = await this.host.run(
        removal ? withRemoval(script, removal.command) : script,
        args,
        this.#sink(),
        this.options.prefetch,
      );
      removal?.done();
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

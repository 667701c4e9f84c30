/**
 * The connector interface: how the engine reaches a host. Connectors only move bytes
 * and run a finished shell string; sudo / su / doas / env / chdir / shell wrapping is
 * done once for all of them by `wrapCommand` in `wrap.ts`.
 *
 * @module
 */
import type { ConnectorArguments } from "./arguments.ts";
import type { StringCommand } from "./command.ts";

/** The result of one command on a host. */
export interface CommandOutput {
  /** Exit status; -1 when the command was stopped (timeout) or the connection dropped. */
  exitCode: number;
  stdout: string;
  stderr: string;
  /** True when `_timeout` stopped the command. */
  timedOut: boolean;
}

/** Where a connector reports command output as it arrives (for -vvv streaming). */
export interface OutputSink {
  stdout?(chunk: string): void;
  stderr?(chunk: string): void;
}

/** Options of one command run. */
export interface RunOptions {
  /** Connector arguments after defaults were applied. */
  args: ConnectorArguments;
  /** Receives output while it arrives. */
  sink?: OutputSink;
}

/** Options of an upload or download. */
export interface TransferOptions {
  args: ConnectorArguments;
  /** Folder for temporary files on the host. @default {"/tmp"} */
  tempDir?: string;
  /** Wraps a helper command (mv, cp) with the same sudo/su/askpass as the transfer. */
  wrap: (command: StringCommand) => StringCommand;
  /**
   * Shell to run right after the upload is in place, in the same round trip and with the
   * same wrapping (an operation's chmod/chown); `putFile` then returns its output.
   */
  then?: StringCommand;
}

/**
 * One host's connection. A connector instance belongs to one host; the engine calls
 * `connect` once and `disconnect` at the end.
 */
export interface Connector {
  /** Opens the connection; throws `ConnectError` with the reason. */
  connect(): Promise<void>;
  /**
   * Runs a command (wrapped with sudo/su/env/... by the shared wrapping code), honouring
   * `_timeout`, `_stdin`, `_getPty` and `_successExitCodes` is the caller's business.
   */
  runShellCommand(command: StringCommand, options: RunOptions): Promise<CommandOutput>;
  /**
   * Writes bytes to `dest` on the host, through a temporary file and a rename. With
   * `options.then`, runs it afterwards and returns its output; a connector that cannot
   * returns nothing and the engine runs `then` on its own.
   */
  putFile(
    content: Uint8Array,
    dest: string,
    options: TransferOptions,
  ): Promise<CommandOutput | void>;
  /** Reads a file from the host. */
  getFile(src: string, options: TransferOptions): Promise<Uint8Array>;
  /**
   * Closes the connection; may return a line to tell the user (e.g. a committed image).
   * With `discard`, nothing the run made is kept: a container started from an image is
   * removed without being committed (a dry run, an interrupted run).
   */
  disconnect(options?: DisconnectOptions): Promise<string | void>;
  /**
   * Stops the commands running now, where the transport can (Ctrl-C): they end with a
   * failure. Optional: process-based connectors are stopped with their processes.
   */
  cancel?(): void | Promise<void>;
}

/** Options of {@linkcode Connector.disconnect}. */
export interface DisconnectOptions {
  /** Keep nothing the run made (no committed image). @default {false} */
  discard?: boolean;
}

/** Creates a connector for a host from its inventory name and data. */
export type ConnectorFactory = (
  target: string,
  data: Readonly<Record<string, unknown>>,
) => Connector;

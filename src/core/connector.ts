/**
 * The connector interface: how the engine reaches a host. A connector is a transport: it
 * starts a finished shell string with the given standard input, terminal, abort signal
 * and output sink, and writes, reads and removes files. Everything else is done once for
 * all of them in core: sudo / su / doas / env / chdir / shell wrapping (`wrap.ts`), the
 * encoding of `_stdin` and `_timeout` (`run_command.ts`), and staged uploads and
 * elevated downloads (`transfer.ts`).
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

/** What a connector is given to start one command (see `runCommand` in run_command.ts). */
export interface RunOptions {
  /**
   * The exact text to write to the command's standard input, then closed (the secret
   * input first, then `_stdin` as pyinfra writes it). @default {no input: end of input at once}
   */
  stdin?: string;
  /** Run the command on a pseudo-terminal. @default {false} */
  pty?: boolean;
  /**
   * Stops the command when aborted (a `_timeout` fired): the connector ends it as its
   * transport can and resolves promptly, with exit status -1.
   */
  signal?: AbortSignal;
  /** Receives output while it arrives. */
  sink?: OutputSink;
}

/** Options of {@linkcode Connector.writeFile}. */
export interface WriteFileOptions {
  /** The new file's mode. @default {0o600} */
  mode?: number;
}

/** Options of an upload or download. */
export interface TransferOptions {
  args: ConnectorArguments;
  /** Folder for temporary files on the host. @default {"/tmp"} */
  tempDir?: string;
  /** Aborted by Ctrl-C: an upload whose bytes were on their way is not moved into place. */
  signal?: AbortSignal;
  /** Wraps a helper command (mv, cp) with the same sudo/su/askpass as the transfer. */
  wrap: (command: StringCommand) => StringCommand;
  /**
   * Shell to run right after the upload is in place, in the same round trip and with the
   * same wrapping (an operation's chmod/chown); `uploadFile` then returns its output.
   */
  then?: StringCommand;
}

/**
 * One host's connection: a transport. A connector instance belongs to one host; the
 * engine calls `connect` once and `disconnect` at the end.
 */
export interface Connector {
  /** How transfer errors name the host (`... on LABEL`); none for local ones. */
  readonly label?: string;
  /** The user the connector acts as, when known (it may read files made for it). */
  readonly user?: string;
  /** Opens the connection; throws `ConnectError` with the reason. */
  connect(): Promise<void>;
  /**
   * Starts a finished shell string (wrapped by the shared wrapping code) with the given
   * input, terminal, abort signal and sink, and resolves with its output. Never throws
   * because of the command; exit status -1 when it was stopped or the connection dropped.
   */
  runShellCommand(command: StringCommand, options: RunOptions): Promise<CommandOutput>;
  /**
   * Creates a new file at `path` (which does not exist: the name is new) with `content`,
   * readable as `options.mode` says (only by the connecting user by default). Throws with
   * the transport's reason; a partial file may then remain (see `removeFile`).
   */
  writeFile(path: string, content: Uint8Array, options?: WriteFileOptions): Promise<void>;
  /** Reads a file as the connecting user; throws with the transport's reason. */
  readFile(path: string): Promise<Uint8Array>;
  /** Removes a file the connecting user made; no error when it is gone already. */
  removeFile(path: string): Promise<void>;
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

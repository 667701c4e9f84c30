/**
 * `@local`: the machine tsinfra runs on. A command (already wrapped by `wrapCommand`)
 * runs as `sh -c COMMAND` through `Deno.Command`, in its own process group so that
 * `_timeout` stops it and everything it started (see `process.ts`).
 *
 * @module
 */
import * as nodePath from "node:path";
import { userInfo } from "node:os";
import type { ConnectorArguments } from "../core/arguments.ts";
import type {
  CommandOutput,
  Connector,
  ConnectorFactory,
  OutputSink,
  RunOptions,
  TransferOptions,
} from "../core/connector.ts";
import { sh, StringCommand } from "../core/command.ts";
import { CommandError, ConnectError } from "../core/errors.ts";
import { type ProcessOutput, runProcess } from "./process.ts";
import { stdinText, withSecretInput } from "../core/wrap.ts";
import { installCommand, installThen, readsAsOtherUser, splitInstallOutput } from "./move.ts";

/** Options of {@linkcode LocalConnector}. */
export interface LocalConnectorOptions {
  /** Receives warnings (e.g. `_getPty` without `script`). @default {console.warn} */
  warn?: (message: string) => void;
  /**
   * The `script` program (util-linux) that gives `_getPty` its terminal; `null` for
   * none. @default {"script" when it is on PATH}
   */
  script?: string | null;
}

/**
 * The `@local` connector.
 *
 * - `_stdin` is written to the command's standard input as every connector writes it
 *   (`stdinText`: each line ends with one newline); without it the input is empty.
 * - `_timeout` (seconds) stops the command and its children; the result has
 *   `timedOut: true` and exit code -1.
 * - `_getPty` runs the command under `script -qec` (util-linux) in a pseudo-terminal:
 *   stderr then arrives on stdout, and `\r\n` line ends are given back as `\n`. Without
 *   `script` the command runs without a terminal and a warning says so once.
 * - `disconnect` stops any command still running.
 *
 * @example
 * ```ts
 * import { LocalConnector } from "./local.ts";
 * import { StringCommand } from "../core/command.ts";
 * import { GLOBAL_ARGUMENT_DEFAULTS } from "../core/arguments.ts";
 * import { wrapCommand } from "../core/wrap.ts";
 * const local = new LocalConnector();
 * await local.connect();
 * const args = { ...GLOBAL_ARGUMENT_DEFAULTS, _env: { GREETING: "hello" } };
 * const out = await local.runShellCommand(
 *   wrapCommand(new StringCommand(['echo "$GREETING"']), args),
 *   { args },
 * );
 * out.stdout; // "hello\n"
 * await local.disconnect();
 * ```
 */
export class LocalConnector implements Connector {
  #warn: (message: string) => void;
  #script: string | null | undefined;
  #warnedPty = false;
  #stop = new AbortController();

  constructor(options: LocalConnectorOptions = {}) {
    this.#warn = options.warn ?? ((message) => console.warn(message));
    this.#script = options.script;
  }

  connect(): Promise<void> {
    this.#findScript();
    return Promise.resolve();
  }

  async runShellCommand(command: StringCommand, options: RunOptions): Promise<CommandOutput> {
    const { stdoutBytes: _, ...output } = await this.#exec(command, options.args, options.sink);
    return output;
  }

  /**
   * Writes `content` to a new file in the temporary folder (readable only by us, or
   * also by the user the upload runs as when that is another user), then puts it in
   * place at `dest` with the transfer's wrapping (see `installCommand`): the target
   * is replaced at once or not at all, and a sudo upload is owned by the sudo user.
   */
  async putFile(
    content: Uint8Array,
    dest: string,
    options: TransferOptions,
  ): Promise<CommandOutput | void> {
    const args = transferArguments(options.args);
    let temp: string;
    try {
      temp = await Deno.makeTempFile({
        dir: nodePath.resolve(options.tempDir ?? "/tmp"),
        prefix: "tsinfra-upload-",
      });
    } catch (error) {
      throw new CommandError(`Could not upload ${dest}: ${messageOf(error)}`);
    }
    try {
      await Deno.writeFile(temp, content);
      if (readsAsOtherUser(args, currentUser())) await Deno.chmod(temp, 0o644);
      const script = installThen(installCommand(temp, dest), options.then);
      const { stdoutBytes: _, ...raw } = await this.#exec(options.wrap(script), args);
      const { failed, output } = splitInstallOutput(raw, options.then);
      if (failed) throw new CommandError(`Could not upload ${dest}: ${failure(output)}`);
      if (options.then) return output;
    } catch (error) {
      if (error instanceof CommandError) throw error;
      throw new CommandError(`Could not upload ${dest}: ${messageOf(error)}`);
    } finally {
      await Deno.remove(temp).catch(() => {});
    }
  }

  /** Reads `src` with `cat`, wrapped as the transfer asks (so sudo can read root's files). */
  async getFile(src: string, options: TransferOptions): Promise<Uint8Array> {
    const args = transferArguments(options.args);
    const output = await this.#exec(options.wrap(sh`cat -- ${src}`), args);
    if (output.exitCode !== 0) {
      throw new CommandError(`Could not download ${src}: ${failure(output)}`);
    }
    return output.stdoutBytes;
  }

  /** Stops commands still running (after an interrupted run); nothing else to close. */
  disconnect(): Promise<void> {
    this.#stop.abort();
    this.#stop = new AbortController();
    return Promise.resolve();
  }

  async #exec(
    command: StringCommand,
    args: ConnectorArguments,
    sink?: OutputSink,
  ): Promise<ProcessOutput> {
    const stdin = stdinBytes(withSecretInput(command, stdinText(args._stdin)));
    const signal = this.#stop.signal;
    const script = args._getPty ? this.#pty() : null;
    if (script) {
      // script runs its command with $SHELL -c: make that sh, and give the command
      // back the caller's SHELL.
      const shell = Deno.env.get("SHELL");
      const restore = shell === undefined ? sh`unset SHELL; ` : sh`SHELL=${shell}; export SHELL; `;
      const output = await runProcess(
        [
          script,
          "-qec",
          new StringCommand([restore, command], { separator: "" }).raw(),
          "/dev/null",
        ],
        { stdin, timeout: args._timeout, sink, signal, env: { SHELL: "/bin/sh" } },
      );
      return { ...output, stdout: output.stdout.replaceAll("\r\n", "\n") };
    }
    return await runProcess(["sh", "-c", command.raw()], {
      stdin,
      timeout: args._timeout,
      sink,
      signal,
    });
  }

  #findScript(): string | null {
    if (this.#script === undefined) this.#script = onPath("script") ? "script" : null;
    return this.#script;
  }

  #pty(): string | null {
    const script = this.#findScript();
    if (!script && !this.#warnedPty) {
      this.#warnedPty = true;
      this.#warn(
        "@local: _getPty needs `script` (util-linux), which is not installed: " +
          "running commands without a terminal",
      );
    }
    return script;
  }
}

/**
 * The {@linkcode ConnectorFactory} of `@local`. There is one local machine, so a name
 * after it (`@local/name`) is refused, as pyinfra does.
 *
 * @example
 * ```ts
 * import { localConnectorFactory } from "./local.ts";
 * const connector = localConnectorFactory("@local", {});
 * ```
 */
export const localConnectorFactory: ConnectorFactory = (target) => {
  if (target.startsWith("@local/")) {
    throw new ConnectError(`${target}: @local takes no name; use @local`);
  }
  return new LocalConnector();
};

/** Transfers move bytes: no terminal (it would change them) and no standard input. */
function transferArguments(args: ConnectorArguments): ConnectorArguments {
  return { ...args, _getPty: false, _stdin: undefined };
}

function stdinBytes(text: string | undefined): Uint8Array | undefined {
  return text === undefined ? undefined : new TextEncoder().encode(text);
}

function failure(output: CommandOutput): string {
  if (output.timedOut) return "timed out";
  return output.stderr.trim() || `exit status ${output.exitCode}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function currentUser(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}

function onPath(program: string): boolean {
  return (Deno.env.get("PATH") ?? "").split(":").some((dir) => {
    try {
      return Deno.statSync(nodePath.join(dir || ".", program)).isFile;
    } catch {
      return false;
    }
  });
}

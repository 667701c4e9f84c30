/**
 * `@local`: the machine tsinfra runs on. A command (already wrapped by `wrapCommand`)
 * runs as `sh -c COMMAND` through `Deno.Command`, in its own process group so that
 * `_timeout` stops it and everything it started (see `process.ts`).
 *
 * @module
 */
import * as nodePath from "node:path";
import { userInfo } from "node:os";
import type {
  CommandOutput,
  Connector,
  ConnectorFactory,
  RunOptions,
  WriteFileOptions,
} from "../core/connector.ts";
import { sh, StringCommand } from "../core/command.ts";
import { ConnectError } from "../core/errors.ts";
import { runProcess } from "./process.ts";

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
 * - The input core encoded (`RunOptions.stdin`) is written to the command's standard
 *   input; without it the input is empty.
 * - An abort (core's `_timeout`) stops the command and its children: exit code -1.
 * - A terminal (`_getPty`) runs the command under `script -qec` (util-linux):
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
 * import { runCommand } from "../core/run_command.ts";
 * const local = new LocalConnector();
 * await local.connect();
 * const args = { ...GLOBAL_ARGUMENT_DEFAULTS, _env: { GREETING: "hello" } };
 * const out = await runCommand(
 *   local,
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

  /** The user tsinfra runs as. */
  get user(): string | undefined {
    return currentUser();
  }

  async runShellCommand(command: StringCommand, options: RunOptions): Promise<CommandOutput> {
    const stdin = options.stdin === undefined ? undefined : new TextEncoder().encode(options.stdin);
    const signal = options.signal
      ? AbortSignal.any([this.#stop.signal, options.signal])
      : this.#stop.signal;
    const { sink } = options;
    const script = options.pty ? this.#pty() : null;
    if (script) {
      // script runs its command with $SHELL -c: make that sh, and give the command
      // back the caller's SHELL.
      const shell = Deno.env.get("SHELL");
      const restore = shell === undefined ? sh`unset SHELL; ` : sh`SHELL=${shell}; export SHELL; `;
      const { stdoutBytes: _, ...output } = await runProcess(
        [
          script,
          "-qec",
          new StringCommand([restore, command], { separator: "" }).raw(),
          "/dev/null",
        ],
        { stdin, sink, signal, env: { SHELL: "/bin/sh" } },
      );
      return { ...output, stdout: output.stdout.replaceAll("\r\n", "\n") };
    }
    const { stdoutBytes: _, ...output } = await runProcess(["sh", "-c", command.raw()], {
      stdin,
      sink,
      signal,
    });
    return output;
  }

  /** Creates `path` (a new file) with `content` and `options.mode` (0600). */
  async writeFile(
    path: string,
    content: Uint8Array,
    options: WriteFileOptions = {},
  ): Promise<void> {
    const mode = options.mode ?? 0o600;
    await Deno.writeFile(path, content, { createNew: true, mode });
    // The process's umask may have taken bits away.
    if (mode !== 0o600) await Deno.chmod(path, mode);
  }

  readFile(path: string): Promise<Uint8Array> {
    return Deno.readFile(path);
  }

  async removeFile(path: string): Promise<void> {
    try {
      await Deno.remove(path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }

  /** Stops commands still running (after an interrupted run); nothing else to close. */
  disconnect(): Promise<void> {
    this.#stop.abort();
    this.#stop = new AbortController();
    return Promise.resolve();
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

/**
 * Running a wrapped command on a connector, the same way for every connector: `_stdin`
 * is encoded here (after the command's secret input), `_getPty` becomes the transport's
 * terminal, and `_timeout` is a timer here that aborts the command's signal. A connector
 * only starts the command and stops it when the signal says so.
 *
 * @module
 */
import type { ConnectorArguments } from "./arguments.ts";
import type { StringCommand } from "./command.ts";
import type { CommandOutput, Connector, OutputSink } from "./connector.ts";
import { stdinText, withSecretInput } from "./wrap.ts";

/** Options of {@linkcode runCommand}. */
export interface RunCommandOptions {
  /** Connector arguments after defaults were applied (`_stdin`, `_getPty`, `_timeout`). */
  args: ConnectorArguments;
  /** Receives output while it arrives. */
  sink?: OutputSink;
  /** Stops the command when aborted (exit status -1, not `timedOut`). */
  signal?: AbortSignal;
}

/**
 * Runs `command` (already wrapped by `wrapCommand`) on `connector`. Its standard input
 * is the secret input, then `_stdin` as pyinfra writes it (a newline only where a line
 * lacks one); with `_timeout`, the command is stopped after that many seconds and the
 * result has `timedOut: true` and exit status -1.
 *
 * @param connector the host's transport
 * @param command the wrapped command
 * @param options the arguments, sink and signal
 * @returns the command's output
 * @example
 * ```ts ignore
 * import { GLOBAL_ARGUMENT_DEFAULTS } from "./arguments.ts";
 * import { sh } from "./command.ts";
 * import { runCommand } from "./run_command.ts";
 * const args = { ...GLOBAL_ARGUMENT_DEFAULTS, _stdin: "a" };
 * const out = await runCommand(connector, sh`cat`, { args });
 * out.stdout; // "a\n"
 * ```
 */
export async function runCommand(
  connector: Connector,
  command: StringCommand,
  options: RunCommandOptions,
): Promise<CommandOutput> {
  const { args, sink } = options;
  const stdin = withSecretInput(command, stdinText(args._stdin));
  const pty = args._getPty === true;
  const timeout = args._timeout;
  if (timeout === undefined || !(timeout > 0)) {
    return await connector.runShellCommand(command, { stdin, pty, sink, signal: options.signal });
  }
  const controller = new AbortController();
  const outer = options.signal;
  const forward = () => controller.abort(outer?.reason);
  if (outer?.aborted) forward();
  outer?.addEventListener("abort", forward);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`timed out after ${timeout}s`));
  }, timeout * 1000);
  try {
    const output = await connector.runShellCommand(command, {
      stdin,
      pty,
      sink,
      signal: controller.signal,
    });
    return timedOut ? { ...output, exitCode: -1, timedOut: true } : output;
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener("abort", forward);
  }
}

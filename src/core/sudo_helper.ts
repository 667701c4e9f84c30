/**
 * sudo's password helper on a host: when a command needs sudo with a password, a small
 * askpass script is set up on the host once (pyinfra's flow), commands are wrapped to
 * use it, and it is removed when the host disconnects. The password itself never enters
 * a command line: it goes to the command's standard input (see wrap.ts).
 *
 * @module
 */
import type { Connector } from "./connector.ts";
import type { ConnectorArguments } from "./arguments.ts";
import type { StringCommand } from "./command.ts";
import { ConnectError } from "./errors.ts";
import { runCommand } from "./run_command.ts";
import { SUDO_ASKPASS_SETUP, sudoAskpassCleanup, sudoPasswordOf, wrapCommand } from "./wrap.ts";

/** Arguments with every elevation turned off: the helper is the connecting user's. */
function unelevated(args: ConnectorArguments): ConnectorArguments {
  return { ...args, _sudo: false, _suUser: undefined, _su: false, _doas: false };
}

/** One host's askpass helper: set up on first need, removed at the end. */
export class SudoHelper {
  #path: Promise<string> | undefined;

  /** @param hostName for messages */
  constructor(readonly hostName: string) {}

  /**
   * How to wrap commands run with `args`: plain wrapping, or, for sudo with a password,
   * wrapping that uses the helper (set up now if it is not yet).
   *
   * @param onRoundTrip counts the setup's round trip
   * @throws {ConnectError} when the helper cannot be set up
   */
  async wrapperFor(
    connector: Connector,
    args: ConnectorArguments,
    onRoundTrip: () => void,
  ): Promise<(command: StringCommand) => StringCommand> {
    if (!args._sudo || !sudoPasswordOf(args)) return (command) => wrapCommand(command, args);
    this.#path ??= (async () => {
      const output = await runCommand(
        connector,
        wrapCommand(SUDO_ASKPASS_SETUP, unelevated(args)),
        { args },
      );
      onRoundTrip();
      const path = output.stdout.trim();
      if (output.exitCode !== 0 || !path) {
        throw new ConnectError(
          `Could not set up sudo's password helper on ${this.hostName}: ${output.stderr.trim()}`,
        );
      }
      return path;
    })();
    const askpass = await this.#path;
    return (command) => wrapCommand(command, args, askpass);
  }

  /** Removes the helper from the host, if one was set up (as the connecting user). */
  async remove(connector: Connector | undefined, args: ConnectorArguments): Promise<void> {
    const pending = this.#path;
    this.#path = undefined;
    const path = await pending?.catch(() => undefined);
    if (!path || !connector) return;
    const plain = unelevated(args);
    await runCommand(connector, wrapCommand(sudoAskpassCleanup(path), plain), { args: plain })
      .catch(() => {});
  }

  /** Forgets the helper (the host lost it, e.g. on reconnect); the next sudo sets it up again. */
  forget(): void {
    this.#path = undefined;
  }
}

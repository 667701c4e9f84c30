/**
 * The last step of an upload, shared by connectors that stage files in the host's temp
 * folder: move the staged file into place with the transfer's sudo/su wrapping, removing
 * it when the move fails, so the target is either the old file or the whole new one.
 *
 * @module
 */
import type { Connector, TransferOptions } from "../core/connector.ts";
import { quote, StringCommand } from "../core/command.ts";
import { CommandError } from "../core/errors.ts";

/** Moves `temp` to `dest` on the host through `connector`. */
export async function moveIntoPlace(
  connector: Connector,
  temp: string,
  dest: string,
  options: TransferOptions,
): Promise<void> {
  const move = options.wrap(
    new StringCommand(["mv", quote(temp), quote(dest), "|| { rm -f", quote(temp), "; exit 1; }"]),
  );
  const moved = await connector.runShellCommand(move, {
    args: { ...options.args, _stdin: undefined },
  });
  if (moved.exitCode !== 0) {
    throw new CommandError(`Could not move upload into ${dest}: ${moved.stderr.trim()}`);
  }
}

/**
 * Stopping a remote command for Ctrl-C, shared by the connectors that start commands
 * through a transport (SSH, `docker exec`): each command runs with a token in its
 * environment, which every program it starts inherits; cancelling runs one more command
 * that finds the processes carrying the token and stops them (TERM, then KILL).
 *
 * @module
 */
import { quote, StringCommand } from "../core/command.ts";

/** The variable that carries a command's token. */
export const RUN_VARIABLE = "TSINFRA_RUN";

/** A new token for a command. */
export function runToken(): string {
  return crypto.randomUUID();
}

/**
 * The command that stops every process whose environment carries one of `tokens`
 * (those the running user may read: sudo's own process needs a signal of its own).
 *
 * @example
 * ```ts
 * import { stopByTokenCommand } from "./cancel.ts";
 * if (!stopByTokenCommand(["t1"]).raw().includes("TSINFRA_RUN=(t1)")) throw new Error();
 * ```
 */
export function stopByTokenCommand(tokens: readonly string[]): StringCommand {
  return new StringCommand([
    "pids=$(grep -lzE",
    quote(`^${RUN_VARIABLE}=(${tokens.join("|")})$`),
    "/proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3);",
    '[ -z "$pids" ] || { kill -TERM $pids 2>/dev/null; sleep 0.5; kill -KILL $pids 2>/dev/null; }; true',
  ]);
}

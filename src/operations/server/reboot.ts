/**
 * `server.reboot`: reboots the host and waits until it can be reached again.
 *
 * @module
 */
import { defineOperation, type Operation } from "../../core/operation.ts";
import { FunctionCommand, type FunctionCommandContext, StringCommand } from "../../core/command.ts";
import { OperationTypeError } from "../../core/errors.ts";

/** Options of {@linkcode reboot}. */
export interface RebootOptions {
  /** Seconds to wait after `reboot` before trying to reconnect. @default {10} */
  delay?: number;
  /** Seconds between reconnection attempts. @default {1} */
  interval?: number;
  /** Seconds after which the host counts as not back, and the operation fails. @default {300} */
  rebootTimeout?: number;
}

type RebootContext = FunctionCommandContext;

const sleep = (seconds: number) => new Promise((r) => setTimeout(r, seconds * 1000));

function checkNumber(name: string, value: unknown): void {
  if (value !== undefined && (typeof value !== "number" || !(value >= 0))) {
    throw new OperationTypeError(`server.reboot: ${name} must be a number of seconds >= 0`);
  }
}

/** Waits `delay`, then tries to reach the host every `interval` until `timeout`. */
export async function waitAndReconnect(
  context: RebootContext,
  delay: number,
  interval: number,
  timeout: number,
): Promise<void> {
  await sleep(delay);
  const maxRetries = Math.round(timeout / Math.max(interval, 0.001));
  for (let retries = 0;; retries++) {
    try {
      if (context.reconnect) await context.reconnect();
      if ((await context.run("true")).exitCode === 0) return;
    } catch {
      // still down: try again
    }
    if (retries > maxRetries) {
      throw new Error(`Server did not reboot in time (reboot_timeout=${timeout}s)`);
    }
    await sleep(interval);
  }
}

/**
 * Reboots the host and waits for it to come back. Not idempotent.
 *
 * @example
 * ```ts ignore
 * const kernel = apt.packages({ packages: ["linux-image-amd64"], latest: true, _sudo: true });
 * server.reboot({ delay: 60, rebootTimeout: 600, _if: kernel.didChange });
 * ```
 */
export const reboot: Operation<RebootOptions> = defineOperation<RebootOptions>("server.reboot", {
  argNames: ["delay", "interval", "rebootTimeout"],
  idempotent: false,
  summary: "Reboot the server and wait for reconnection.",
  validate(args) {
    checkNumber("delay", args.delay);
    checkNumber("interval", args.interval);
    checkNumber("rebootTimeout", args.rebootTimeout);
  },
  async *generator(args) {
    const delay = args.delay ?? 10;
    const interval = args.interval ?? 1;
    const timeout = args.rebootTimeout ?? 300;
    yield new FunctionCommand("remove_any_askpass_file", async (context: RebootContext) => {
      await context.removeSudoHelper?.();
    });
    // -1: the connection dropped while the command ran, as it may when the host goes down.
    yield new StringCommand(["reboot"], { connectorArgs: { _successExitCodes: [0, -1] } });
    yield new FunctionCommand(
      "wait_and_reconnect",
      (context: RebootContext) => waitAndReconnect(context, delay, interval, timeout),
    );
    yield new FunctionCommand("clean_sudo_info", (context: RebootContext) => {
      context.forgetSudoHelper?.();
    });
  },
});

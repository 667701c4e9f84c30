/**
 * Server operations: `server.shell`, `server.user`, `server.group`, ...
 * Names, arguments and commands follow pyinfra's `pyinfra.operations.server`.
 *
 * @module
 */
import { defineOperation } from "../core/operation.ts";

/** Options of {@linkcode shell}. */
export interface ShellOptions {
  /** One command or a list of commands, run in order. */
  commands: string | string[];
}

/**
 * Runs shell commands on the host. Not idempotent: it runs on every deploy.
 *
 * @example
 * ```ts ignore
 * server.shell({ commands: ["echo hello > /tmp/hello"] });
 * ```
 */
export const shell = defineOperation<ShellOptions>("server.shell", {
  argNames: ["commands"],
  idempotent: false,
  summary: "Run raw shell code on server during a deploy.",
  async *generator({ commands }) {
    for (const command of typeof commands === "string" ? [commands] : commands) {
      yield command;
    }
  },
});

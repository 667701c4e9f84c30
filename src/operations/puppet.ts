/**
 * Puppet operations: `puppet.agent`, with pyinfra's arguments and commands.
 *
 * @module
 */
import { sh } from "../core/command.ts";
import { defineOperation, type Operation } from "../core/operation.ts";

/** Options of {@linkcode agent}. */
export interface AgentOptions {
  /** The puppet server (`--server`). @default {null} */
  server?: string | null;
  /** Its port (`--masterport`). @default {null} */
  port?: number | null;
}

/**
 * Runs `puppet agent -t`. Not idempotent. Puppet exits 2 when it changed something:
 * pass `_successExitCodes: [0, 2]` to count that as success.
 *
 * @example
 * ```ts ignore
 * puppet.agent({ server: "puppet.internal", _successExitCodes: [0, 2] });
 * ```
 */
export const agent: Operation<AgentOptions> = defineOperation<AgentOptions>("puppet.agent", {
  argNames: ["server", "port"],
  idempotent: false,
  summary: "Run puppet agent.",
  async *generator({ server, port }) {
    const args: string[] = [];
    if (server) args.push(`--server=${server}`);
    if (port) args.push(`--masterport=${port}`);
    yield args.length ? sh`puppet agent -t ${args}` : sh`puppet agent -t`;
  },
});

/**
 * OpenRC operations: `openrc.service`, with pyinfra's arguments and commands.
 *
 * @module
 */
import { defineOperation, type Operation } from "../core/operation.ts";
import { sh } from "../core/command.ts";
import { OpenrcEnabled, OpenrcStatus } from "../facts/openrc.ts";
import { serviceControl, type ServiceStateOptions } from "./util/service.ts";

/** Options of {@linkcode service}. */
export interface ServiceOptions extends ServiceStateOptions {
  /** In the runlevel (`rc-update add`) or not (`rc-update del`). @default {null} */
  enabled?: boolean | null;
  /** The runlevel. @default {"default"} */
  runlevel?: string;
}

/**
 * Manages an OpenRC service.
 *
 * @example
 * ```ts ignore
 * openrc.service({ service: "nginx", running: true, enabled: true });
 * ```
 */
export const service: Operation<ServiceOptions> = defineOperation<ServiceOptions>(
  "openrc.service",
  {
    argNames: ["service", "running", "restarted", "reloaded", "command", "enabled", "runlevel"],
    summary: "Manage the state of OpenRC services.",
    async *generator(args, ctx) {
      const { service, runlevel = "default" } = args;
      yield* serviceControl(ctx, {
        name: service,
        statuses: await ctx.host.getFact(OpenrcStatus, { runlevel }),
        format: (name, action) => sh`rc-service ${name} ${action}`,
        running: args.running === undefined ? true : args.running,
        restarted: args.restarted,
        reloaded: args.reloaded,
        command: args.command,
      });
      if (typeof args.enabled !== "boolean") return;
      const enabled = (await ctx.host.getFact(OpenrcEnabled, { runlevel }))[service] ?? false;
      if (args.enabled && !enabled) yield sh`rc-update add ${service}`;
      if (!args.enabled && enabled) yield sh`rc-update del ${service}`;
    },
  },
);

/**
 * Upstart operations: `upstart.service`, with pyinfra's arguments and commands.
 *
 * @module
 */
import { defineOperation, type Operation } from "../core/operation.ts";
import { sh } from "../core/command.ts";
import { UpstartStatus } from "../facts/upstart.ts";
import { file } from "./files/file.ts";
import { putContent } from "./files/put.ts";
import { serviceControl, type ServiceStateOptions } from "./util/service.ts";

/** Options of {@linkcode service}. */
export interface ServiceOptions extends ServiceStateOptions {
  /** Start at boot (no `manual` override file) or not. @default {null} */
  enabled?: boolean | null;
}

/**
 * Manages an Upstart job.
 *
 * @example
 * ```ts ignore
 * upstart.service({ service: "myapp", running: true, enabled: true });
 * ```
 */
export const service: Operation<ServiceOptions> = defineOperation<ServiceOptions>(
  "upstart.service",
  {
    argNames: ["service", "running", "restarted", "reloaded", "command", "enabled"],
    summary: "Manage the state of upstart managed services.",
    async *generator(args, ctx) {
      const { service } = args;
      yield* serviceControl(ctx, {
        name: service,
        statuses: await ctx.host.getFact(UpstartStatus),
        format: (name, action) => sh`initctl ${action} ${name}`,
        running: args.running === undefined ? true : args.running,
        restarted: args.restarted,
        reloaded: args.reloaded,
        command: args.command,
      });
      const override = `/etc/init/${service}.override`;
      if (args.enabled === true) yield* file.generate({ path: override, present: false }, ctx);
      else if (args.enabled === false) yield* putContent("manual\n", override, {}, ctx);
    },
  },
);

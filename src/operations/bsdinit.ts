/**
 * BSD init operations: `bsdinit.service` (rc.d scripts, rc.conf.local), with pyinfra's
 * arguments and commands.
 *
 * @module
 */
import { sh } from "../core/command.ts";
import { defineOperation, type Operation } from "../core/operation.ts";
import { RcdStatus } from "../facts/bsdinit.ts";
import { line } from "./files/line.ts";
import { serviceControl, type ServiceStateOptions } from "./util/service.ts";

/** Options of {@linkcode service}. */
export interface ServiceOptions extends ServiceStateOptions {
  /** `NAME_enable="YES"` in /etc/rc.conf.local, or not. @default {null} */
  enabled?: boolean | null;
}

/**
 * Manages a BSD rc.d service.
 *
 * @example
 * ```ts ignore
 * bsdinit.service({ service: "nginx", running: true, enabled: true });
 * ```
 */
export const service: Operation<ServiceOptions> = defineOperation<ServiceOptions>(
  "bsdinit.service",
  {
    argNames: ["service", "running", "restarted", "reloaded", "command", "enabled"],
    summary: "Manage the state of BSD init services.",
    async *generator(args, ctx) {
      const { service } = args;
      yield* serviceControl(ctx, {
        name: service,
        statuses: await ctx.host.getFact(RcdStatus),
        format: (name, action) =>
          sh`test -e /etc/rc.d/${name} && /etc/rc.d/${name} ${action} || /usr/local/etc/rc.d/${name} ${action}`,
        running: args.running === undefined ? true : args.running,
        restarted: args.restarted,
        reloaded: args.reloaded,
        command: args.command,
      });
      if (typeof args.enabled === "boolean") {
        yield* line.generate({
          path: "/etc/rc.conf.local",
          line: `^${service}_enable=`,
          replace: `${service}_enable="YES"`,
          present: args.enabled,
        }, ctx);
      }
    },
  },
);

/**
 * launchd operations: `launchd.service`, with pyinfra's arguments and commands.
 *
 * @module
 */
import { defineOperation, type Operation } from "../core/operation.ts";
import { sh } from "../core/command.ts";
import { LaunchdStatus } from "../facts/launchd.ts";
import { serviceControl } from "./util/service.ts";

/** Options of {@linkcode service}. */
export interface ServiceOptions {
  /** The service label. */
  service: string;
  /** `true` running, `false` stopped, `null` left as it is. @default {true} */
  running?: boolean | null;
  /** Restart it (stop, then start) if it runs. @default {false} */
  restarted?: boolean;
  /** Any other `launchctl` action (kept for pyinfra's signature; not run). @default {null} */
  command?: string | null;
}

/**
 * Manages a launchd service (macOS).
 *
 * @example
 * ```ts ignore
 * launchd.service({ service: "com.example.agent", running: true });
 * ```
 */
export const service: Operation<ServiceOptions> = defineOperation<ServiceOptions>(
  "launchd.service",
  {
    argNames: ["service", "running", "restarted", "command"],
    summary: "Manage the state of launchd managed services.",
    async *generator(args, ctx) {
      const statuses = await ctx.host.getFact(LaunchdStatus);
      const wasRunning = statuses[args.service];
      yield* serviceControl(ctx, {
        name: args.service,
        statuses,
        format: (name, action) => sh`launchctl ${action} ${name}`,
        running: args.running === undefined ? true : args.running,
      });
      if (args.restarted && wasRunning) {
        yield sh`launchctl stop ${args.service}`;
        yield sh`launchctl start ${args.service}`;
      }
    },
  },
);

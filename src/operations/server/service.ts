/**
 * `server.service`: manages a service with whichever init system the host has, as
 * pyinfra's `server.service` picks it.
 *
 * @module
 */
import { defineOperation, type Operation } from "../../core/operation.ts";
import { OperationError } from "../../core/errors.ts";
import { Directory, Link } from "../../facts/files.ts";
import { Os, Which } from "../../facts/server.ts";
import { service as systemdService } from "../systemd.ts";
import { service as openrcService } from "../openrc.ts";
import { service as upstartService } from "../upstart.ts";
import { service as sysvinitService } from "../sysvinit.ts";
import { service as bsdinitService } from "../bsdinit.ts";

import type { ServiceStateOptions } from "../util/service.ts";

/** Options of {@linkcode service}. */
export interface ServiceOptions extends ServiceStateOptions {
  /** Start at boot, or not. @default {null} */
  enabled?: boolean | null;
}

/**
 * Manages a service through the host's init system: systemd, OpenRC, Upstart, SysV
 * init scripts or BSD rc.d, the first found.
 *
 * @example
 * ```ts ignore
 * server.service({ service: "nginx", running: true, enabled: true });
 * const site = files.put({ src: "./nginx-site.conf", dest: "/etc/nginx/sites-enabled/app" });
 * server.service({ service: "nginx", restarted: true, _if: site.didChange });
 * ```
 */
export const service: Operation<ServiceOptions> = defineOperation<ServiceOptions>(
  "server.service",
  {
    argNames: ["service", "running", "restarted", "reloaded", "command", "enabled"],
    summary: "Manage the state of services.",
    async *generator(args, ctx) {
      // Every candidate is asked for in the same turn, so all go to the host in one round
      // trip; each is awaited only when pyinfra's order of checks reaches it.
      const ask = <T>(read: Promise<T>): Promise<T> => {
        read.catch(() => {}); // a read never awaited must not be an unhandled rejection
        return read;
      };
      const which = (command: string) => ask(ctx.host.getFact(Which, { command }));
      const [systemctl, rcService, initctl, serviceCommand] = [
        which("systemctl"),
        which("rc-service"),
        which("initctl"),
        which("service"),
      ];
      const initdLink = ask(ctx.host.getFact(Link, { path: "/etc/init.d" }));
      const initdDir = ask(ctx.host.getFact(Directory, { path: "/etc/init.d" }));
      const os = ask(ctx.host.getFact(Os));
      const rcd = ask(ctx.host.getFact(Directory, { path: "/etc/rc.d" }));
      const options = {
        service: args.service,
        running: args.running === undefined ? true : args.running,
        restarted: args.restarted ?? false,
        reloaded: args.reloaded ?? false,
        command: args.command ?? null,
        enabled: args.enabled ?? null,
      };
      if (await systemctl) yield* systemdService.generate(options, ctx);
      else if (await rcService) yield* openrcService.generate(options, ctx);
      else if (await initctl) yield* upstartService.generate(options, ctx);
      else if ((await serviceCommand) || (await initdLink) || (await initdDir)) {
        yield* sysvinitService.generate(options, ctx);
      } else if ((await os) !== "Linux" && (await rcd)) {
        yield* bsdinitService.generate(options, ctx);
      } else {
        throw new OperationError(
          "No init system found (no systemctl, initctl, /etc/init.d or /etc/rc.d found)",
        );
      }
    },
  },
);

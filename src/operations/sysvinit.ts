/**
 * sysvinit operations: `sysvinit.service` (through /etc/init.d scripts) and
 * `sysvinit.enable` (rc.d links), with pyinfra's arguments and commands.
 *
 * @module
 */
import { defineOperation, type Operation } from "../core/operation.ts";
import { sh } from "../core/command.ts";
import { shellQuote } from "../core/quote.ts";
import { FindLinks } from "../facts/files.ts";
import { LinuxDistribution } from "../facts/server.ts";
import { InitdStatus } from "../facts/sysvinit.ts";
import { link } from "./files/link.ts";
import { serviceControl, type ServiceStateOptions } from "./util/service.ts";

/** Options of {@linkcode service}. */
export interface ServiceOptions extends ServiceStateOptions {
  /** Start at boot (`update-rc.d`, `chkconfig`, `rc-update`) or not. @default {null} */
  enabled?: boolean | null;
}

/**
 * Manages an init.d service: running or stopped, restarted or reloaded, started at boot.
 *
 * @example
 * ```ts ignore
 * sysvinit.service({ service: "nginx", running: true, enabled: true });
 * ```
 */
export const service: Operation<ServiceOptions> = defineOperation<ServiceOptions>(
  "sysvinit.service",
  {
    argNames: ["service", "running", "restarted", "reloaded", "enabled", "command"],
    summary: "Manage the state of SysV Init (/etc/init.d) services.",
    async *generator(args, ctx) {
      const name = args.service;
      yield* serviceControl(ctx, {
        name,
        statuses: await ctx.host.getFact(InitdStatus),
        format: (service, action) => sh`/etc/init.d/${service} ${action}`,
        running: args.running === undefined ? true : args.running,
        restarted: args.restarted,
        reloaded: args.reloaded,
        command: args.command,
      });
      if (typeof args.enabled !== "boolean") return;
      // The glob stays live (quote_path: false); the name is quoted within it.
      const links = await ctx.host.getFact(FindLinks, {
        path: `/etc/rc*.d/S*${shellQuote(name)}`,
        quote_path: false,
      });
      if (args.enabled && !links.length) {
        const distro = (await ctx.host.getFact(LinuxDistribution))?.name;
        if (distro === "Ubuntu" || distro === "Debian") yield sh`update-rc.d ${name} defaults`;
        else if (["CentOS", "Fedora", "Red Hat Enterprise Linux"].includes(distro ?? "")) {
          yield sh`chkconfig ${name} --add`;
          yield sh`chkconfig ${name} on`;
        } else if (distro === "Gentoo") yield sh`rc-update add ${name} default`;
      } else if (args.enabled === false) {
        for (const path of links) yield sh`rm -f ${path}`;
      }
    },
  },
);

/** Options of {@linkcode enable}. */
export interface EnableOptions {
  /** The script's name in /etc/init.d. */
  service: string;
  /** Start link priority (`S<NN>`). @default {20} */
  startPriority?: number;
  /** Stop link priority (`K<NN>`). @default {80} */
  stopPriority?: number;
  /** Runlevels that start it. @default {[2, 3, 4, 5]} */
  startLevels?: number[];
  /** Runlevels that stop it. @default {[0, 1, 6]} */
  stopLevels?: number[];
}

/**
 * Starts an init.d service at boot by hand-made rc.d links, for systems without
 * `update-rc.d` or `chkconfig`.
 *
 * @example
 * ```ts ignore
 * sysvinit.enable({ service: "myapp", startPriority: 50 });
 * ```
 */
export const enable: Operation<EnableOptions> = defineOperation<EnableOptions>("sysvinit.enable", {
  argNames: ["service", "startPriority", "stopPriority", "startLevels", "stopLevels"],
  summary: "Manually enable /etc/init.d scripts by creating /etc/rcX.d/Y links.",
  async *generator(args, ctx) {
    const { service, startPriority = 20, stopPriority = 80 } = args;
    const links = [
      ...(args.startLevels ?? [2, 3, 4, 5]).map((l) => `/etc/rc${l}.d/S${startPriority}${service}`),
      ...(args.stopLevels ?? [0, 1, 6]).map((l) => `/etc/rc${l}.d/K${stopPriority}${service}`),
    ];
    for (const path of links) {
      yield* link.generate({ path, target: `/etc/init.d/${service}` }, ctx);
    }
  },
});

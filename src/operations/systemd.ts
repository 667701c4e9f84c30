/**
 * systemd operations: `systemd.service` (start, stop, restart, reload, enable) and
 * `systemd.daemonReload`, with pyinfra's arguments and commands.
 *
 * @module
 */
import { defineOperation, type Operation } from "../core/operation.ts";
import { sh, StringCommand } from "../core/command.ts";
import { systemctlCommand, SystemdEnabled, SystemdStatus } from "../facts/systemd.ts";
import { serviceControl, type ServiceStateOptions } from "./util/service.ts";

/** Options of {@linkcode daemonReload}. */
export interface DaemonReloadOptions {
  /** The user's service manager (`systemctl --user`). @default {false} */
  userMode?: boolean;
  /** A container or host to talk to (`--machine`). @default {null} */
  machine?: string | null;
  /** With `machine`, the user there. @default {null} */
  userName?: string | null;
}

/**
 * Reloads systemd's unit files. Not idempotent: gate it with `_if`.
 *
 * @example
 * ```ts ignore
 * const unit = files.put({ src: "./app.service", dest: "/etc/systemd/system/app.service" });
 * systemd.daemonReload({ _if: unit.didChange });
 * ```
 */
export const daemonReload: Operation<DaemonReloadOptions> = defineOperation<DaemonReloadOptions>(
  "systemd.daemonReload",
  {
    argNames: ["userMode", "machine", "userName"],
    idempotent: false,
    summary: "Reload the systemd daemon to read unit file changes.",
    async *generator({ userMode = false, machine, userName }) {
      yield new StringCommand([systemctlCommand(userMode, machine, userName), "daemon-reload"]);
    },
  },
);

const UNIT_SUFFIXES = [
  ".service",
  ".socket",
  ".device",
  ".mount",
  ".automount",
  ".swap",
  ".target",
  ".path",
  ".timer",
  ".slice",
  ".scope",
];

/** Options of {@linkcode service}. */
export interface ServiceOptions extends ServiceStateOptions, DaemonReloadOptions {
  /** `true` enabled at boot, `false` disabled, `null` left as it is. @default {null} */
  enabled?: boolean | null;
  /** Reload unit files first. @default {false} */
  daemonReload?: boolean;
}

/**
 * Manages a systemd unit: running or stopped, restarted or reloaded, enabled or not.
 *
 * @example
 * ```ts ignore
 * systemd.service({ service: "nginx", running: true, enabled: true });
 * const site = files.put({ src: "./nginx-site.conf", dest: "/etc/nginx/sites-enabled/app" });
 * systemd.service({ service: "nginx", restarted: true, _if: site.didChange });
 * ```
 */
export const service: Operation<ServiceOptions> = defineOperation<ServiceOptions>(
  "systemd.service",
  {
    argNames: [
      "service",
      "running",
      "restarted",
      "reloaded",
      "command",
      "enabled",
      "daemonReload",
      "userMode",
      "machine",
      "userName",
    ],
    summary: "Manage the state of systemd managed units.",
    async *generator(args, ctx) {
      const { userMode = false, machine, userName } = args;
      const systemctl = systemctlCommand(userMode, machine, userName);
      const unit = UNIT_SUFFIXES.some((s) => args.service.endsWith(s))
        ? args.service
        : `${args.service}.service`;
      if (args.daemonReload) yield* daemonReload.generate({ userMode, machine, userName }, ctx);
      const factArgs = {
        user_mode: userMode,
        machine: machine ?? null,
        user_name: userName ?? null,
        services: [unit],
      };
      yield* serviceControl(ctx, {
        name: unit,
        statuses: await ctx.host.getFact(SystemdStatus, factArgs),
        format: (name, action) => sh`${systemctl} ${action} ${name}`,
        running: args.running === undefined ? true : args.running,
        restarted: args.restarted,
        reloaded: args.reloaded,
        command: args.command,
      });
      if (typeof args.enabled === "boolean") {
        const enabled = (await ctx.host.getFact(SystemdEnabled, factArgs))[unit] ?? false;
        if (!enabled && args.enabled) yield sh`${systemctl} enable ${unit}`;
        else if (enabled && !args.enabled) yield sh`${systemctl} disable ${unit}`;
      }
    },
  },
);

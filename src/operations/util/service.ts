/**
 * The start/stop/restart/reload logic every init system shares, as pyinfra's
 * `operations/util/service.py:handle_service_control`.
 *
 * @module
 */
import { raw, type RawPart, type StringCommand } from "../../core/command.ts";
import type { OperationContext } from "../../core/operation.ts";

/** What {@linkcode serviceControl} needs to know. */
export interface ServiceControlOptions {
  /** The service name. */
  name: string;
  /** Service name -> running (`null` when the init system cannot tell). */
  statuses: Readonly<Record<string, boolean | null | undefined>>;
  /**
   * Builds the command for an action with {@linkcode sh}, e.g.
   * `(name, action) => sh\`systemctl ${action} ${name}\``. The action comes as a
   * {@linkcode raw} part: it is shell text (`stop`, or the user's `command`, which
   * pyinfra passes on as it is).
   */
  format: (name: string, action: RawPart) => StringCommand;
  /** `true` to ensure running, `false` stopped, `null`/`undefined` to leave it. */
  running?: boolean | null;
  /** Restart when it is running. */
  restarted?: boolean;
  /** Reload when it is running. */
  reloaded?: boolean;
  /** Any other action, always run (shell text). */
  command?: string | null;
}

/**
 * Yields the init-system commands that bring a service to the wanted state.
 *
 * @example
 * ```ts ignore
 * yield* serviceControl(ctx, {
 *   name: "nginx",
 *   statuses: await ctx.host.getFact(SystemdStatus),
 *   format: (name, action) => sh`systemctl ${action} ${name}`,
 *   running: true,
 * });
 * ```
 */
export function* serviceControl(
  ctx: Pick<OperationContext, "noop">,
  options: ServiceControlOptions,
): Generator<StringCommand> {
  const { name, running, restarted, reloaded, command } = options;
  const format = (service: string, action: string) => options.format(service, raw(action));
  const status = Object.hasOwn(options.statuses, name) ? options.statuses[name] : undefined;
  if (running === false) {
    if (status) yield format(name, "stop");
    else ctx.noop(`service ${name} is stopped`);
  }
  if (running === true) {
    if (!status) yield format(name, "start");
    else ctx.noop(`service ${name} is running`);
  }
  if (restarted && status) yield format(name, "restart");
  if (reloaded && status) yield format(name, "reload");
  if (command) yield format(name, command);
}

/** The options every init system's `service` operation takes. */
export interface ServiceStateOptions {
  /** The service name. */
  service: string;
  /** `true` running, `false` stopped, `null` left as it is. @default {true} */
  running?: boolean | null;
  /** Restart it if it runs. @default {false} */
  restarted?: boolean;
  /** Reload it if it runs. @default {false} */
  reloaded?: boolean;
  /** Any other action of the init system, run every time. @default {null} */
  command?: string | null;
}

/**
 * systemd facts: which units are running (`systemd.SystemdStatus`) and enabled
 * (`systemd.SystemdEnabled`), from `systemctl show`.
 *
 * @module
 */
import { defineFact, type Fact } from "../core/fact.ts";
import { quote, StringCommand } from "../core/command.ts";

/** Arguments of the systemd facts (pyinfra's names). */
export interface SystemdFactArgs extends Record<string, unknown> {
  /** The user's service manager (`systemctl --user`). */
  user_mode?: boolean;
  /** A container or host to talk to (`--machine`). */
  machine?: string | null;
  /** With `machine`, the user there (`--machine=USER@MACHINE`). */
  user_name?: string | null;
  /** Only these units (`*` when absent). */
  services?: string | string[] | null;
}

const UNIT =
  /^[a-zA-Z0-9:\-_.\\@]+\.(?:service|socket|device|mount|automount|swap|target|path|timer|slice|scope)/;

/**
 * `systemctl` with `--user` / `--machine` as the arguments ask.
 *
 * @example
 * ```ts
 * import { systemctlCommand } from "./systemd.ts";
 * systemctlCommand(false, "box", "me").raw(); // "systemctl --machine=me@box"
 * ```
 */
export function systemctlCommand(
  userMode = false,
  machine?: string | null,
  userName?: string | null,
): StringCommand {
  const parts = [userMode ? "systemctl --user" : "systemctl"];
  if (machine !== undefined && machine !== null) {
    parts.push(userName ? `--machine=${userName}@${machine}` : `--machine=${machine}`);
  }
  return new StringCommand(parts);
}

function unitState(name: string, key: string, values: string[], summary: string) {
  return defineFact<Record<string, boolean>, SystemdFactArgs>({
    name,
    summary,
    argNames: ["user_mode", "machine", "user_name", "services"],
    requiresCommand: "systemctl",
    command: ({ user_mode, machine, user_name, services }) => {
      const units = services === undefined || services === null
        ? ["*"]
        : typeof services === "string"
        ? [services]
        : services;
      return new StringCommand([
        systemctlCommand(user_mode ?? false, machine, user_name),
        "show --all --property Id --property",
        key,
        ...units.map((u) => quote(u)),
      ]);
    },
    process: (lines) => {
      const units: Record<string, boolean> = {};
      let current: string | undefined;
      for (const raw of lines) {
        const line = raw.trim();
        const at = line.indexOf("=");
        if (at < 0) {
          current = undefined;
          continue;
        }
        const [k, v] = [line.slice(0, at), line.slice(at + 1)];
        if (k === "Id" && UNIT.test(v)) current = v;
        else if (k === key && current) units[current] = values.includes(v);
      }
      return units;
    },
    default: () => ({}),
  });
}

/**
 * Units and whether each is running (`running`, `waiting` or `exited`).
 *
 * @example
 * ```ts ignore
 * const status = await host.getFact(SystemdStatus, { services: ["nginx.service"] });
 * ```
 */
export const SystemdStatus: Fact<Record<string, boolean>, SystemdFactArgs> = unitState(
  "systemd.SystemdStatus",
  "SubState",
  ["running", "waiting", "exited"],
  "Returns a dict of name -> status for systemd managed services.",
);

/**
 * Units and whether each is enabled (`enabled` or `static`).
 *
 * @example
 * ```ts ignore
 * const enabled = await host.getFact(SystemdEnabled, { services: ["nginx.service"] });
 * ```
 */
export const SystemdEnabled: Fact<Record<string, boolean>, SystemdFactArgs> = unitState(
  "systemd.SystemdEnabled",
  "UnitFileState",
  ["enabled", "static"],
  "Returns a dict of name -> whether enabled for systemd managed services.",
);

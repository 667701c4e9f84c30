/**
 * Chooses a connector from an inventory name, as pyinfra does: `@local`, `@docker/...`,
 * `@ssh/host` or a plain host name (SSH).
 *
 * @module
 */
import type { Connector } from "../core/connector.ts";
import { ConnectError } from "../core/errors.ts";
import { LocalConnector } from "./local.ts";

/** Connector names tsinfra knows, and whether they are available in this version. */
const PLANNED = ["@ssh", "@docker", "@podman", "@chroot", "@dockerssh", "@terraform", "@vagrant"];

/**
 * The connector for a host of the inventory.
 *
 * @example
 * ```ts ignore
 * const connector = connectorFor("@local", {});
 * await connector.connect();
 * ```
 */
export function connectorFor(name: string, data: Readonly<Record<string, unknown>>): Connector {
  // Host data may choose the connector explicitly, e.g. ["web1", { connector: "@local" }].
  const chosen = typeof data.connector === "string" ? data.connector : name;
  if (chosen === "@local") return new LocalConnector();
  const kind = chosen.startsWith("@") ? chosen.split("/")[0] : "@ssh";
  if (PLANNED.includes(kind)) {
    throw new ConnectError(
      `${name}: the ${kind} connector is not available in this version of tsinfra; @local is`,
    );
  }
  throw new ConnectError(
    `${name}: unknown connector ${kind}; known: @local, ${PLANNED.join(", ")}`,
  );
}

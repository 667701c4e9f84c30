/**
 * Chooses a connector from an inventory name, as pyinfra does: `@local`, `@docker/...`,
 * `@ssh/host` or a plain host name (SSH).
 *
 * @module
 */
import type { Connector } from "../core/connector.ts";
import { ConnectError } from "../core/errors.ts";
import { LocalConnector } from "./local.ts";
import { SimulatedConnector } from "./simulated.ts";
import { DockerConnector } from "./docker.ts";
import { ChrootConnector } from "./chroot.ts";
import { SshConnector } from "./ssh.ts";

/** Connector names tsinfra knows, and whether they are available in this version. */
const PLANNED = ["@dockerssh", "@terraform", "@vagrant"];

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
  if (chosen.startsWith("@sim/")) return new SimulatedConnector(data);
  if (chosen.startsWith("@docker/") || chosen.startsWith("@podman/")) {
    const tool = chosen.startsWith("@docker/") ? "docker" : "podman";
    const target = chosen.slice(tool.length + 2);
    if (!target) {
      throw new ConnectError(
        `${name}: @${tool} needs an image or container, e.g. @${tool}/debian:12`,
      );
    }
    return new DockerConnector(tool, target);
  }
  if (chosen.startsWith("@chroot/")) return new ChrootConnector(chosen.slice("@chroot".length));
  const kind = chosen.startsWith("@") ? chosen.split("/")[0] : "@ssh";
  if (kind === "@ssh") {
    // "web1", "@ssh/web1", or data { connector: "@ssh" } on host "web1".
    const target = chosen === "@ssh" ? name : chosen.replace(/^@ssh\//, "");
    if (!target || target.startsWith("@")) {
      throw new ConnectError(`${name}: @ssh needs a host name, e.g. @ssh/web1`);
    }
    return new SshConnector(target, data);
  }
  if (PLANNED.includes(kind)) {
    throw new ConnectError(
      `${name}: the ${kind} connector is not available in this version of tsinfra; @local and @ssh are`,
    );
  }
  throw new ConnectError(
    `${name}: unknown connector ${kind}; known: @local, @ssh, ${PLANNED.join(", ")}`,
  );
}

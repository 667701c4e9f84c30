/**
 * Chooses a connector from an inventory name, as pyinfra does: `@local`, `@docker/...`,
 * `@podman/...`, `@dockerssh/HOST:IMAGE`, `@chroot/PATH`, `@ssh/host` or a plain host
 * name (SSH).
 *
 * @module
 */
import type { Connector } from "../core/connector.ts";
import { ArgumentError, ConnectError } from "../core/errors.ts";
import { LocalConnector } from "./local.ts";
import { SimulatedConnector } from "./simulated.ts";
import { DockerConnector } from "./docker.ts";
import { ChrootConnector } from "./chroot.ts";
import { SshConnector } from "./ssh.ts";
import { RemoteDockerHost } from "./docker_host.ts";

/** Connector names that only produce inventories (see `src/loader/inventory_connectors.ts`). */
const INVENTORY_ONLY = ["@terraform", "@vagrant"];
const KNOWN = ["@local", "@ssh", "@docker", "@podman", "@dockerssh", "@chroot"];

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
  if (chosen.startsWith("@dockerssh/")) {
    // @dockerssh/HOST:IMAGE: docker on HOST over SSH; the image may have its own ":tag".
    const rest = chosen.slice("@dockerssh/".length);
    const at = rest.indexOf(":");
    const [sshHost, image] = at < 0 ? [rest, ""] : [rest.slice(0, at), rest.slice(at + 1)];
    if (!sshHost || !image) {
      throw new ConnectError(
        `${name}: @dockerssh needs HOST:IMAGE, e.g. @dockerssh/web1:debian:12`,
      );
    }
    return new DockerConnector("docker", image, {
      host: new RemoteDockerHost(new SshConnector(sshHost, data), sshHost),
      label: chosen,
      imageOnly: true,
    });
  }
  const kind = chosen.startsWith("@") ? chosen.split("/")[0] : "@ssh";
  if (INVENTORY_ONLY.includes(kind) && typeof data.sshHostname === "string") {
    // A host listed by @terraform or @vagrant: SSH to the address it gave.
    return new SshConnector(data.sshHostname, data);
  }
  if (kind === "@ssh") {
    // "web1", "@ssh/web1", or data { connector: "@ssh" } on host "web1".
    const target = chosen === "@ssh" ? name : chosen.replace(/^@ssh\//, "");
    if (!target || target.startsWith("@")) {
      throw new ConnectError(`${name}: @ssh needs a host name, e.g. @ssh/web1`);
    }
    return new SshConnector(target, data);
  }
  if (INVENTORY_ONLY.includes(kind)) {
    throw new ConnectError(
      `${name}: ${kind} hosts come from the inventory argument (e.g. tsinfra ${kind}/NAME deploy.ts), which gives each an sshHostname`,
    );
  }
  throw new ConnectError(
    `${name}: unknown connector ${kind}; known: ${[...KNOWN, ...INVENTORY_ONLY].join(", ")}`,
  );
}

/**
 * Checks, before anything runs, that a host's connector can be built from its name and
 * data: a connector name without its target (`@docker/`), an unknown connector, or
 * host data its connector cannot use (`sshPort: "x"`) is an {@linkcode ArgumentError}
 * naming the host (exit 2), not a connection failure.
 *
 * @param name the host's inventory name
 * @param create makes the host's connector (`host.createConnector`, which keeps it)
 * @example
 * ```ts
 * import { checkHostConnector, connectorFor } from "./mod.ts";
 * checkHostConnector("@local", () => connectorFor("@local", {})); // fine
 * ```
 */
export function checkHostConnector(name: string, create: () => Connector): void {
  let connector: Connector;
  try {
    connector = create();
  } catch (error) {
    if (!(error instanceof ConnectError)) throw error;
    throw new ArgumentError(`Invalid host ${JSON.stringify(name)}: ${error.message}`);
  }
  if (connector instanceof SshConnector) connector.checkData();
}

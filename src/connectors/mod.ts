/**
 * Chooses a connector from an inventory name, as pyinfra does: `@local`, `@docker/...`,
 * `@podman/...`, `@dockerssh/HOST:IMAGE`, `@chroot/PATH`, `@ssh/host` or a plain host
 * name (SSH). Connectors come from a catalogue of factories by prefix: the built-in
 * ones, plus any given by a program (`run({ connectors })`) or a connector module
 * (`--connectors MODULE`, see `src/loader/connector_module.ts`).
 *
 * @module
 */
import type { Connector, ConnectorFactory } from "../core/connector.ts";
import { ArgumentError, ConnectError } from "../core/errors.ts";
import { LocalConnector } from "./local.ts";
import { DockerConnector } from "./docker.ts";
import { ChrootConnector } from "./chroot.ts";
import { SshConnector } from "./ssh.ts";
import { RemoteDockerHost } from "./docker_host.ts";

/**
 * Connector factories by inventory prefix (`"@docker"` for hosts named `@docker/...` or
 * with data `connector: "@docker"`). A factory gets the host's name after the prefix
 * (`debian:12` of `@docker/debian:12`; a plain host name for `@ssh`) and its data; a
 * {@linkcode ConnectError} it throws is reported with the host's name in front.
 */
export type ConnectorCatalogue = Readonly<Record<string, ConnectorFactory>>;

/** Connector names that only produce inventories (see `src/loader/inventory_connectors.ts`). */
const INVENTORY_ONLY = ["@terraform", "@vagrant"];

function sshConnector(target: string, data: Readonly<Record<string, unknown>>): Connector {
  if (!target || target.startsWith("@")) {
    throw new ConnectError("@ssh needs a host name, e.g. @ssh/web1");
  }
  return new SshConnector(target, data);
}

function containerConnector(tool: "docker" | "podman"): ConnectorFactory {
  return (target) => {
    if (!target) {
      throw new ConnectError(`@${tool} needs an image or container, e.g. @${tool}/debian:12`);
    }
    return new DockerConnector(tool, target);
  };
}

/** tsinfra's own connectors. */
export const BUILTIN_CONNECTORS: ConnectorCatalogue = Object.freeze({
  "@local": (target: string) => {
    // There is one local machine: a name after @local is refused, as pyinfra does.
    if (target) throw new ConnectError("@local takes no name; use @local");
    return new LocalConnector();
  },
  "@ssh": sshConnector,
  "@docker": containerConnector("docker"),
  "@podman": containerConnector("podman"),
  "@dockerssh": (target: string, data: Readonly<Record<string, unknown>>) => {
    // @dockerssh/HOST:IMAGE: docker on HOST over SSH; the image may have its own ":tag".
    const at = target.indexOf(":");
    const [sshHost, image] = at < 0 ? [target, ""] : [target.slice(0, at), target.slice(at + 1)];
    if (!sshHost || !image) {
      throw new ConnectError("@dockerssh needs HOST:IMAGE, e.g. @dockerssh/web1:debian:12");
    }
    return new DockerConnector("docker", image, {
      host: new RemoteDockerHost(new SshConnector(sshHost, data), sshHost),
      label: `@dockerssh/${target}`,
      imageOnly: true,
    });
  },
  "@chroot": (target: string) => {
    if (!target) throw new ConnectError("@chroot needs a folder, e.g. @chroot/srv/root");
    return new ChrootConnector(`/${target}`);
  },
});

/**
 * The function that makes each host's connector from its inventory name and data, with
 * the connectors of `catalogue`.
 *
 * @param catalogue connector factories by prefix @default {BUILTIN_CONNECTORS}
 * @returns `(name, data) => Connector`; it throws {@linkcode ConnectError} for a name
 * no connector takes
 * @example
 * ```ts
 * import { BUILTIN_CONNECTORS, connectorsFrom } from "./mod.ts";
 * import { LocalConnector } from "./local.ts";
 * const connectorFor = connectorsFrom({
 *   ...BUILTIN_CONNECTORS,
 *   "@mine": () => new LocalConnector(),
 * });
 * if (!(connectorFor("@mine/a", {}) instanceof LocalConnector)) throw new Error();
 * ```
 */
export function connectorsFrom(
  catalogue: ConnectorCatalogue = BUILTIN_CONNECTORS,
): ConnectorFactory {
  return (name, data) => {
    // Host data may choose the connector explicitly, e.g. ["web1", { connector: "@local" }].
    const chosen = typeof data.connector === "string" ? data.connector : name;
    const kind = chosen.startsWith("@") ? chosen.split("/")[0] : "@ssh";
    const factory = Object.hasOwn(catalogue, kind) ? catalogue[kind] : undefined;
    if (factory) {
      // "web1", "@ssh/web1", or data { connector: "@ssh" } on host "web1".
      const target = !chosen.startsWith("@")
        ? chosen
        : chosen === "@ssh"
        ? name
        : chosen.slice(kind.length + 1);
      try {
        return factory(target, data);
      } catch (error) {
        if (error instanceof ConnectError) throw new ConnectError(`${name}: ${error.message}`);
        throw error;
      }
    }
    if (INVENTORY_ONLY.includes(kind) && typeof data.sshHostname === "string") {
      // A host listed by @terraform or @vagrant: SSH to the address it gave.
      return new SshConnector(data.sshHostname, data);
    }
    if (INVENTORY_ONLY.includes(kind)) {
      throw new ConnectError(
        `${name}: ${kind} hosts come from the inventory argument (e.g. tsinfra ${kind}/NAME deploy.ts), which gives each an sshHostname`,
      );
    }
    throw new ConnectError(
      `${name}: unknown connector ${kind}; known: ${
        [...Object.keys(catalogue), ...INVENTORY_ONLY].join(", ")
      }`,
    );
  };
}

/**
 * The connector for a host of the inventory, from the built-in connectors.
 *
 * @example
 * ```ts ignore
 * const connector = connectorFor("@local", {});
 * await connector.connect();
 * ```
 */
export const connectorFor: ConnectorFactory = connectorsFrom();

/**
 * The built-in connectors with `extra` ones (by prefix) added: an extra prefix takes
 * precedence over a built-in one of the same name.
 *
 * @throws {ArgumentError} when a prefix is not `@` and a name
 * @example
 * ```ts
 * import { withConnectors } from "./mod.ts";
 * import { LocalConnector } from "./local.ts";
 * const connectorFor = withConnectors({ "@mine": () => new LocalConnector() });
 * connectorFor("@local", {}); // the built-in ones stay
 * ```
 */
export function withConnectors(extra: ConnectorCatalogue = {}): ConnectorFactory {
  for (const prefix of Object.keys(extra)) {
    if (!/^@[A-Za-z0-9_-]+$/.test(prefix)) {
      throw new ArgumentError(`Connector prefix ${prefix} must be @ and a name, as in @mycloud`);
    }
  }
  if (!Object.keys(extra).length) return connectorFor;
  return connectorsFrom({ ...BUILTIN_CONNECTORS, ...extra });
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

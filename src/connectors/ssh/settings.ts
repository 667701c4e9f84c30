/**
 * The @ssh connector's host data (pyinfra's `ssh_*` names in camelCase) and how it
 * combines with the user's SSH configuration into the settings of one connection.
 *
 * @module
 */
import * as nodePath from "node:path";
import { ConnectError, HostDataError } from "../../core/errors.ts";
import { expandHome, loadSshConfig, type SshConfig, type SshHostConfig } from "./config.ts";
import type { StrictHostKeyChecking } from "./known_hosts.ts";

/** Host data the @ssh connector reads. */
export interface SshHostData {
  /** Connect here instead of the inventory name. */
  sshHostname?: string;
  /** Log in as this user. @default {the SSH config's User, else the local user} */
  sshUser?: string;
  /** @default {22} */
  sshPort?: number | string;
  /** Private key file. */
  sshKey?: string;
  /** Passphrase of `sshKey`. */
  sshKeyPassword?: string;
  /** Password authentication (also answers keyboard-interactive prompts). */
  sshPassword?: string;
  /** Use an SSH agent: `true` for `$SSH_AUTH_SOCK`, a socket path, or `false`. */
  sshAgent?: boolean | string;
  /** Forward the agent to the host. @default {false} */
  sshForwardAgent?: boolean;
  /** @default {"~/.ssh/known_hosts"} */
  sshKnownHostsFile?: string;
  /** @default {"accept-new"} */
  sshStrictHostKeyChecking?: StrictHostKeyChecking | boolean;
  /** @default {"~/.ssh/config"} */
  sshConfigFile?: string;
  /** Jump hosts: `[user@]host[:port]`, comma-separated, as OpenSSH's ProxyJump. */
  sshProxyJump?: string;
  /** Seconds to wait for the connection and the login. @default {10} */
  sshConnectTimeout?: number;
  /** Seconds between keepalive messages; 0 or unset sends none. */
  sshKeepalive?: number;
}

/** A key file to offer. */
export interface IdentitySetting {
  path: string;
  passphrase?: string;
  /** Named by the user (sshKey, IdentityFile): a missing or unreadable file is an error. */
  explicit: boolean;
}

/** Where to connect and how to log in, for the target or a jump host. */
export interface EndpointSettings {
  host: string;
  port: number;
  user: string;
  identities: IdentitySetting[];
  password?: string;
  /** Agent socket, when the agent is used for login. */
  agent?: string;
}

/** Everything one connection needs. */
export interface SshSettings extends EndpointSettings {
  /** Agent socket forwarded to the host, when `sshForwardAgent`. */
  forwardAgent?: string;
  knownHostsFile: string;
  strictHostKeyChecking: StrictHostKeyChecking;
  /** Jump hosts, in order. */
  jumps: EndpointSettings[];
  /** Seconds. */
  connectTimeout: number;
  /** Seconds; 0 for none. */
  keepalive: number;
}

const DEFAULT_KEYS = ["id_rsa", "id_ecdsa", "id_ed25519"];

/**
 * Resolves the settings of a connection to `target` (the inventory name, or the part
 * after `@ssh/`) from its host data and the SSH configuration file.
 *
 * @example
 * ```ts ignore
 * const settings = resolveSshSettings("web1", { sshUser: "deploy", sshPort: 2222 });
 * ```
 */
export function resolveSshSettings(
  target: string,
  data: Readonly<Record<string, unknown>>,
): SshSettings {
  const home = Deno.env.get("HOME") ?? "/";
  const localUser = Deno.env.get("USER") ?? Deno.env.get("LOGNAME") ?? "root";
  const read = new DataReader(target, data);
  const configFile = read.string("sshConfigFile") ?? nodePath.join(home, ".ssh", "config");
  let config: SshConfig;
  try {
    config = loadSshConfig(configFile, home);
  } catch (error) {
    throw new ConnectError(
      `Could not read the SSH config ${configFile} for ${target}: ${messageOf(error)}`,
    );
  }
  const lookupName = read.string("sshHostname") ?? target;
  const hostConfig = config.lookup(lookupName, localUser);

  const sshKey = read.string("sshKey");
  const keyPassword = read.string("sshKeyPassword");
  const agentData = data.sshAgent;
  if (agentData !== undefined && typeof agentData !== "boolean" && typeof agentData !== "string") {
    throw dataError(target, "sshAgent", "true, false or an agent socket path", agentData);
  }
  const envAgent = Deno.env.get("SSH_AUTH_SOCK") || undefined;
  const configAgent = hostConfig.identityAgent === "SSH_AUTH_SOCK"
    ? envAgent
    : hostConfig.identityAgent === "none"
    ? undefined
    : hostConfig.identityAgent;
  const agentSocket = typeof agentData === "string"
    ? expandHome(agentData, home)
    : agentData === false
    ? undefined
    : configAgent ?? envAgent;

  const endpoint = (config: SshHostConfig, name: string, user?: string, port?: number) => {
    const identities: IdentitySetting[] = [];
    if (config.identityFiles.length) {
      for (const path of config.identityFiles) {
        identities.push({ path, passphrase: keyPassword, explicit: true });
      }
    } else {
      for (const file of DEFAULT_KEYS) {
        identities.push({ path: nodePath.join(home, ".ssh", file), explicit: false });
      }
    }
    return {
      host: config.hostName ?? name,
      port: port ?? config.port ?? 22,
      user: user ?? config.user ?? localUser,
      identities,
      agent: agentSocket,
    };
  };

  const settings: SshSettings = {
    ...endpoint(hostConfig, lookupName, read.string("sshUser"), read.port("sshPort")),
    password: read.string("sshPassword"),
    forwardAgent: undefined,
    knownHostsFile: expandHome(
      read.string("sshKnownHostsFile") ?? hostConfig.userKnownHostsFile ??
        nodePath.join(home, ".ssh", "known_hosts"),
      home,
    ),
    strictHostKeyChecking: strictness(
      target,
      data.sshStrictHostKeyChecking ?? hostConfig.strictHostKeyChecking,
    ),
    jumps: [],
    connectTimeout: read.seconds("sshConnectTimeout") ?? hostConfig.connectTimeout ?? 10,
    keepalive: read.seconds("sshKeepalive") ?? hostConfig.serverAliveInterval ?? 0,
  };
  if (sshKey !== undefined) {
    // A key named in the host data is the one to use; the agent only when asked for.
    settings.identities = [{
      path: expandHome(sshKey, home),
      passphrase: keyPassword,
      explicit: true,
    }];
    if (agentData === undefined) settings.agent = undefined;
  }
  if (data.sshForwardAgent !== undefined && typeof data.sshForwardAgent !== "boolean") {
    throw dataError(target, "sshForwardAgent", "true or false", data.sshForwardAgent);
  }
  if (data.sshForwardAgent === true && !agentSocket) {
    throw new ConnectError(
      `${target}: sshForwardAgent needs an SSH agent: set SSH_AUTH_SOCK or sshAgent`,
    );
  }
  // As OpenSSH, a config file's ForwardAgent without an agent forwards nothing.
  if (data.sshForwardAgent ?? hostConfig.forwardAgent) settings.forwardAgent = agentSocket;

  const jump = read.string("sshProxyJump") ?? hostConfig.proxyJump;
  if (jump && jump.toLowerCase() !== "none") {
    settings.jumps = jump.split(",").map((hop) => {
      const { user, host, port } = parseHop(target, hop.trim());
      const hopConfig = config.lookup(host, localUser);
      const hopSettings = endpoint(hopConfig, host, user, port);
      // Without keys of its own, a jump host is offered the target's.
      if (!hopConfig.identityFiles.length) hopSettings.identities = settings.identities;
      return hopSettings;
    });
  }
  return settings;
}

/** Splits `[user@]host[:port]` (IPv6 in brackets: `[::1]:22`). */
function parseHop(target: string, hop: string): { user?: string; host: string; port?: number } {
  const match = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:@]+)(?::(\d+))?$/.exec(hop);
  if (!match) {
    throw new ConnectError(
      `${target}: sshProxyJump: cannot read ${JSON.stringify(hop)}; use [user@]host[:port]`,
    );
  }
  return {
    user: match[1],
    host: match[2].replace(/^\[(.*)\]$/, "$1"),
    port: match[3] === undefined ? undefined : Number(match[3]),
  };
}

function strictness(target: string, value: unknown): StrictHostKeyChecking {
  if (value === undefined) return "accept-new";
  if (value === true || value === "yes" || value === "ask") return "yes";
  if (value === false || value === "no" || value === "off") return "no";
  if (value === "accept-new") return "accept-new";
  throw dataError(target, "sshStrictHostKeyChecking", '"yes", "accept-new" or "no"', value);
}

class DataReader {
  constructor(readonly target: string, readonly data: Readonly<Record<string, unknown>>) {}

  string(key: string): string | undefined {
    const value = this.data[key];
    if (value === undefined || value === null || value === "") return undefined;
    if (typeof value !== "string") throw dataError(this.target, key, "a string", value);
    return value;
  }

  port(key: string): number | undefined {
    const value = this.data[key];
    if (value === undefined || value === null || value === "") return undefined;
    const port = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
    if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw dataError(this.target, key, "a port number", value);
    }
    return port;
  }

  seconds(key: string): number | undefined {
    const value = this.data[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw dataError(this.target, key, "a number of seconds", value);
    }
    return value;
  }
}

function dataError(
  target: string,
  key: string,
  expected: string,
  value: unknown,
): HostDataError {
  return new HostDataError(`${target}: ${key} must be ${expected}, got ${JSON.stringify(value)}`);
}

/** The message of an error of any kind. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

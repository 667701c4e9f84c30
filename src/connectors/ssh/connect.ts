/**
 * Opening an SSH connection with ssh2: jump hosts, host key checking against
 * known_hosts, login by key, agent or password, and errors that say what went wrong.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { Duplex } from "node:stream";
import {
  type AnyAuthMethod,
  type AuthenticationType,
  type ConnectConfig,
  type ServerHostKeyAlgorithm,
  SshClient,
  sshUtils,
} from "../../deps.ts";
import { ConnectError } from "../../core/errors.ts";
import type { EndpointSettings, SshSettings } from "./settings.ts";
import { messageOf } from "./settings.ts";
import {
  fingerprint,
  hostKeyStatus,
  keyLabel,
  keyTypeOf,
  knownHostsName,
  knownKeysFor,
  preferredHostKeyAlgorithms,
  readKnownHosts,
  recordHostKey,
} from "./known_hosts.ts";

/** An open connection and the jump host connections it runs through. */
export interface SshConnection {
  client: SshClient;
  /** Jump host connections, outermost first; closed after `client`. */
  jumps: SshClient[];
}

/** Host key algorithms ssh2 can verify, in its order of preference. */
const HOST_KEY_ALGORITHMS: readonly ServerHostKeyAlgorithm[] = [
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "rsa-sha2-512",
  "rsa-sha2-256",
  "ssh-rsa",
];

/**
 * Connects to the target of `settings`, through its jump hosts.
 *
 * @param label how messages name the host (its inventory name)
 */
export async function openSshConnection(
  settings: SshSettings,
  label: string,
): Promise<SshConnection> {
  const jumps: SshClient[] = [];
  try {
    let sock: Duplex | undefined;
    const chain: EndpointSettings[] = [...settings.jumps, settings];
    for (let i = 0; i < chain.length; i++) {
      const endpoint = chain[i];
      const client = await connectEndpoint(endpoint, settings, label, sock);
      if (i === chain.length - 1) return { client, jumps };
      jumps.push(client);
      const next = chain[i + 1];
      sock = await forward(client, next, label, endpoint);
    }
    throw new Error("unreachable");
  } catch (error) {
    for (const jump of jumps.reverse()) jump.end();
    throw error;
  }
}

function forward(
  client: SshClient,
  next: EndpointSettings,
  label: string,
  via: EndpointSettings,
): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    client.forwardOut("127.0.0.1", 0, next.host, next.port, (error, stream) => {
      if (error) {
        reject(
          new ConnectError(
            `Could not connect to ${label}: jump host ${via.host}:${via.port} could not reach ${next.host}:${next.port}: ${error.message}`,
          ),
        );
      } else resolve(stream);
    });
  });
}

async function connectEndpoint(
  endpoint: EndpointSettings,
  settings: SshSettings,
  label: string,
  sock: Duplex | undefined,
): Promise<SshClient> {
  const where = `${endpoint.user}@${endpoint.host}:${endpoint.port}`;
  const fail = (reason: string) =>
    new ConnectError(`Could not connect to ${label} (${where}): ${reason}`);
  const methods = await authMethods(endpoint, fail);
  const knownName = knownHostsName(endpoint.host, endpoint.port);
  const knownText = settings.strictHostKeyChecking === "no"
    ? ""
    : await readKnownHosts(settings.knownHostsFile).catch((error) => {
      throw fail(`cannot read ${settings.knownHostsFile}: ${messageOf(error)}`);
    });
  const known = knownKeysFor(knownText, knownName, settings.knownHostsFile);
  const preferred = preferredHostKeyAlgorithms(known).filter((
    name,
  ): name is ServerHostKeyAlgorithm => (HOST_KEY_ALGORITHMS as readonly string[]).includes(name));

  let hostKeyError: ConnectError | undefined;
  const tried: string[] = [];
  const client = new SshClient();
  const config: ConnectConfig = {
    host: endpoint.host,
    port: endpoint.port,
    username: endpoint.user,
    sock,
    readyTimeout: Math.max(1, settings.connectTimeout * 1000),
    keepaliveInterval: settings.keepalive > 0 ? settings.keepalive * 1000 : undefined,
    keepaliveCountMax: 3,
    agent: settings.forwardAgent,
    agentForward: settings.forwardAgent !== undefined && endpoint === settings,
    algorithms: preferred.length
      ? {
        serverHostKey: [...preferred, ...HOST_KEY_ALGORITHMS.filter((a) => !preferred.includes(a))],
      }
      : undefined,
    hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => {
      checkHostKey(new Uint8Array(key), settings, knownName, known).then(
        () => verify(true),
        (error: unknown) => {
          hostKeyError = fail(messageOf(error));
          verify(false);
        },
      );
    },
    authHandler: (
      _left: AuthenticationType[],
      _partial: boolean,
      next: (method: AuthenticationType | AnyAuthMethod) => void,
    ) => {
      const method = methods.shift();
      if (!method) {
        // ssh2 takes `false` for "no method left"; its types do not list it.
        (next as unknown as (method: false) => void)(false);
        return;
      }
      tried.push(method.label);
      next(method.method);
    },
  };

  return await new Promise<SshClient>((resolve, reject) => {
    let settled = false;
    client.once("ready", () => {
      settled = true;
      resolve(client);
    });
    // Small request/response packets: Nagle's algorithm would hold each one back.
    client.once("connect", () => client.setNoDelay(true));
    client.on("error", (error: Error & { level?: string; code?: string }) => {
      if (settled) return;
      settled = true;
      client.end();
      if (hostKeyError) reject(hostKeyError);
      else reject(fail(describe(error, settings, tried)));
    });
    client.once("close", () => {
      if (settled) return;
      settled = true;
      reject(hostKeyError ?? fail("the connection was closed during login"));
    });
    try {
      client.connect(config);
    } catch (error) {
      settled = true;
      reject(fail(messageOf(error)));
    }
  });
}

async function checkHostKey(
  blob: Uint8Array,
  settings: SshSettings,
  name: string,
  known: ReturnType<typeof knownKeysFor>,
): Promise<void> {
  const mode = settings.strictHostKeyChecking;
  if (mode === "no") return;
  const status = hostKeyStatus(known, blob);
  const presented = `${keyLabel(keyTypeOf(blob))} key ${fingerprint(blob)}`;
  if (status === "known") return;
  if (status === "revoked") {
    throw new Error(`the host key ${presented} is marked as revoked in ${settings.knownHostsFile}`);
  }
  if (status === "changed") {
    const previous = known.filter((key) => !key.revoked).map((key) =>
      `${keyLabel(key.type)} key ${fingerprint(key.blob)} (${key.where})`
    ).join(", ");
    throw new Error(
      `host key verification failed: REMOTE HOST IDENTIFICATION HAS CHANGED for ${name}: ` +
        `the server sent ${presented}, but known_hosts has ${previous}. ` +
        `If the change is expected, remove the old key with: ssh-keygen -R '${name}' -f '${settings.knownHostsFile}'`,
    );
  }
  if (mode === "yes") {
    throw new Error(
      `host key verification failed: no host key for ${name} in ${settings.knownHostsFile} ` +
        `(the server sent ${presented}) and sshStrictHostKeyChecking is "yes"`,
    );
  }
  try {
    await recordHostKey(settings.knownHostsFile, name, blob);
  } catch (error) {
    throw new Error(
      `could not record the host key in ${settings.knownHostsFile}: ${messageOf(error)}`,
    );
  }
}

interface LabelledMethod {
  label: string;
  method: AnyAuthMethod;
}

async function authMethods(
  endpoint: EndpointSettings,
  fail: (reason: string) => ConnectError,
): Promise<LabelledMethod[]> {
  const methods: LabelledMethod[] = [];
  const username = endpoint.user;
  for (const identity of endpoint.identities) {
    let text: Uint8Array;
    try {
      text = await Deno.readFile(identity.path);
    } catch (error) {
      if (!identity.explicit) continue;
      throw fail(`cannot read the SSH key ${identity.path}: ${messageOf(error)}`);
    }
    const parsed = sshUtils.parseKey(Buffer.from(text), identity.passphrase);
    if (parsed instanceof Error) {
      if (!identity.explicit) continue;
      const encrypted = /passphrase|encrypted/i.test(parsed.message);
      throw fail(
        encrypted && !identity.passphrase
          ? `the SSH key ${identity.path} is encrypted: set sshKeyPassword`
          : `cannot use the SSH key ${identity.path}: ${parsed.message}`,
      );
    }
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    methods.push({ label: `key ${identity.path}`, method: { type: "publickey", username, key } });
  }
  if (endpoint.agent) {
    methods.push({
      label: `agent ${endpoint.agent}`,
      method: { type: "agent", username, agent: endpoint.agent },
    });
  }
  const password = endpoint.password;
  if (password !== undefined) {
    methods.push({ label: "password", method: { type: "password", username, password } });
    methods.push({
      label: "keyboard-interactive",
      method: {
        type: "keyboard-interactive",
        username,
        prompt: (_name, _instructions, _lang, prompts, finish) =>
          finish(prompts.map(() => password)),
      },
    });
  }
  return methods;
}

function describe(
  error: Error & { level?: string; code?: string },
  settings: SshSettings,
  tried: readonly string[],
): string {
  switch (error.code) {
    case "ECONNREFUSED":
      return "connection refused";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "could not resolve the host name";
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "no route to host";
    case "ETIMEDOUT":
      return `timed out after ${settings.connectTimeout}s`;
    case "ECONNRESET":
      return "the connection was reset by the server";
  }
  if (error.level === "client-timeout") return `timed out after ${settings.connectTimeout}s`;
  if (error.level === "client-authentication") {
    if (!tried.length) {
      return "no way to log in: give sshKey, sshPassword or an SSH agent (SSH_AUTH_SOCK), " +
        "or put a key in ~/.ssh";
    }
    return `authentication failed (tried: ${tried.join(", ")})`;
  }
  return `SSH error: ${error.message}`;
}

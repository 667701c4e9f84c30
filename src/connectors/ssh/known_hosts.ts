/**
 * Host key checking against an OpenSSH `known_hosts` file: plain and hashed host
 * entries, wildcard patterns, `@revoked` markers, and fingerprints printed as OpenSSH
 * prints them (`SHA256:` and unpadded base64).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { createHash, createHmac } from "node:crypto";
import * as nodePath from "node:path";
import { matchesPatternList } from "./config.ts";

/** How unknown and changed host keys are treated, as OpenSSH's `StrictHostKeyChecking`. */
export type StrictHostKeyChecking = "yes" | "accept-new" | "no";

/** One key of the known_hosts file that names the host. */
export interface KnownKey {
  type: string;
  blob: Uint8Array;
  /** `file:line`, for messages. */
  where: string;
  revoked: boolean;
}

/** What the known_hosts file says about a key a server presented. */
export type HostKeyStatus = "known" | "unknown" | "changed" | "revoked";

/**
 * The SHA256 fingerprint of a public key blob, as `ssh-keygen -l` prints it.
 *
 * @example
 * ```ts ignore
 * fingerprint(blob); // "SHA256:n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg"
 * ```
 */
export function fingerprint(blob: Uint8Array): string {
  return "SHA256:" + createHash("sha256").update(blob).digest("base64").replace(/=+$/, "");
}

/** The key type named inside a public key blob (`ssh-ed25519`, `ssh-rsa`, ...). */
export function keyTypeOf(blob: Uint8Array): string {
  if (blob.length < 4) return "unknown";
  const length = new DataView(blob.buffer, blob.byteOffset, blob.byteLength).getUint32(0);
  return new TextDecoder().decode(blob.subarray(4, 4 + length));
}

/** The key type as OpenSSH shows it in messages: ED25519, RSA, ECDSA, DSA. */
export function keyLabel(type: string): string {
  if (type === "ssh-ed25519") return "ED25519";
  if (type === "ssh-rsa") return "RSA";
  if (type.startsWith("ecdsa-")) return "ECDSA";
  if (type === "ssh-dss") return "DSA";
  return type;
}

/** The name a host has in known_hosts: `host`, or `[host]:port` off port 22. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/**
 * The keys a known_hosts text holds for a host name (as {@linkcode knownHostsName} gives).
 *
 * @param where the file's path, for messages
 */
export function knownKeysFor(text: string, name: string, where = "known_hosts"): KnownKey[] {
  const keys: KnownKey[] = [];
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith("#")) return;
    const fields = line.split(/\s+/);
    let revoked = false;
    if (fields[0].startsWith("@")) {
      const marker = fields.shift()!;
      // Certificate authorities sign host certificates, which we do not use.
      if (marker !== "@revoked") return;
      revoked = true;
    }
    if (fields.length < 3) return;
    const [hosts, type, base64] = fields;
    if (!hostFieldMatches(hosts, name)) return;
    keys.push({
      type,
      blob: new Uint8Array(Buffer.from(base64, "base64")),
      where: `${where}:${index + 1}`,
      revoked,
    });
  });
  return keys;
}

function hostFieldMatches(field: string, name: string): boolean {
  if (field.startsWith("|1|")) {
    const [, , salt, hash] = field.split("|");
    if (!salt || !hash) return false;
    const digest = createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64");
    return digest === hash;
  }
  return matchesPatternList(name, field.split(","));
}

/**
 * Compares a presented key with the known ones: `known` when one of them is this key,
 * `revoked` when it is marked so, `changed` when the host has other keys, else `unknown`.
 */
export function hostKeyStatus(known: readonly KnownKey[], blob: Uint8Array): HostKeyStatus {
  const same = (key: KnownKey) => Buffer.from(key.blob).equals(Buffer.from(blob));
  if (known.some((key) => key.revoked && same(key))) return "revoked";
  if (known.some((key) => !key.revoked && same(key))) return "known";
  return known.some((key) => !key.revoked) ? "changed" : "unknown";
}

/** The host key algorithms to ask for first: those of the keys already known. */
export function preferredHostKeyAlgorithms(known: readonly KnownKey[]): string[] {
  const algorithms: string[] = [];
  for (const key of known) {
    if (key.revoked) continue;
    const names = key.type === "ssh-rsa" ? ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"] : [key.type];
    for (const name of names) if (!algorithms.includes(name)) algorithms.push(name);
  }
  return algorithms;
}

/** Reads a known_hosts file; a missing file reads as empty. */
export async function readKnownHosts(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "";
    throw error;
  }
}

const writes = new Map<string, Promise<void>>();

/**
 * Appends a host's key to a known_hosts file (creating it and its folder), unless the
 * file already knows it. Writes to one file are serialised within this process.
 */
export function recordHostKey(path: string, name: string, blob: Uint8Array): Promise<void> {
  const previous = writes.get(path) ?? Promise.resolve();
  const next = previous.catch(() => {}).then(async () => {
    const text = await readKnownHosts(path);
    if (hostKeyStatus(knownKeysFor(text, name), blob) === "known") return;
    await Deno.mkdir(nodePath.dirname(path), { recursive: true, mode: 0o700 });
    const line = `${name} ${keyTypeOf(blob)} ${Buffer.from(blob).toString("base64")}\n`;
    const prefix = text && !text.endsWith("\n") ? "\n" : "";
    await Deno.writeTextFile(path, prefix + line, { append: true, mode: 0o600 });
  });
  writes.set(path, next);
  return next;
}

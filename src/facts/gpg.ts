/**
 * GPG facts: keys in a file or URL (`gpg.GpgKey`), and the public and secret keys of a
 * keyring (`gpg.GpgKeys`, `gpg.GpgSecretKeys`), parsed from `gpg --with-colons`.
 *
 * @module
 */
import { defineFact, type Fact } from "../core/fact.ts";
import { quote, sh, StringCommand } from "../core/command.ts";

/** A subkey of a GPG key. */
export interface GpgSubkey {
  validity: string;
  length: number;
  fingerprint?: string;
  uid_hash?: string;
  uid?: string;
}

/** A GPG key, by id in the facts' results. */
export interface GpgKeyInfo extends GpgSubkey {
  /** Subkeys by id. */
  subkeys: Record<string, GpgSubkey>;
}

/** Key id -> key. */
export type GpgKeyMap = Record<string, GpgKeyInfo>;

/**
 * Parses `gpg --with-colons` records: key lines (`pub`/`sec`), subkey lines
 * (`sub`/`ssb`), and the `fpr` and `uid` lines that follow each.
 *
 * @example
 * ```ts
 * import { parseGpgColons } from "./gpg.ts";
 * parseGpgColons(["pub:-:4096:1:ABCD:1::::"], "pub", "sub").ABCD.length; // 4096
 * ```
 */
export function parseGpgColons(
  lines: readonly string[],
  keyType: string,
  subType: string,
): GpgKeyMap {
  const keys: GpgKeyMap = {};
  let key: GpgKeyInfo | undefined;
  let sub: GpgSubkey | undefined;
  for (const line of lines) {
    if (!line) continue;
    const bits = line.split(":");
    if (bits[0] === keyType) {
      key = { validity: bits[1], length: Number(bits[2]), subkeys: {} };
      keys[bits[4]] = key;
      sub = undefined;
    } else if (bits[0] === subType) {
      if (!key) continue;
      sub = { validity: bits[1], length: Number(bits[2]) };
      key.subkeys[bits[4]] = sub;
    } else {
      const target = sub ?? key;
      if (!target) continue;
      if (bits[0] === "fpr") target.fingerprint = bits[9];
      else if (bits[0] === "uid") {
        target.uid_hash = bits[7];
        target.uid = bits[9];
      }
    }
  }
  return keys;
}

function isUrl(src: string): boolean {
  return /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(src);
}

/**
 * The keys in a key file or at a URL (fetched with wget or curl on the host).
 *
 * @example
 * ```ts ignore
 * const keys = await host.getFact(GpgKey, { src: "https://example.com/key.asc" });
 * ```
 */
export const GpgKey: Fact<GpgKeyMap, { src: string }> = defineFact<GpgKeyMap, { src: string }>({
  name: "gpg.GpgKey",
  summary: "Returns information on one or more GPG keys found in a file or URL.",
  argNames: ["src"],
  requiresCommand: "gpg",
  command: ({ src }) =>
    isUrl(src)
      ? sh`(wget -O - ${src} || curl -sSLf ${src}) | gpg --with-colons`
      : sh`gpg --with-colons ${src}`,
  process: (lines) => parseGpgColons(lines, "pub", "sub"),
  default: () => ({}),
});

function keyringCommand(base: string, keyring?: string | null): StringCommand {
  if (!keyring) return new StringCommand([base]);
  return new StringCommand([base, "--keyring", quote(keyring), "--no-default-keyring"]);
}

/**
 * The public keys of the default keyring, or of `keyring`.
 *
 * @example
 * ```ts ignore
 * const keys = await host.getFact(GpgKeys, {});
 * ```
 */
export const GpgKeys: Fact<GpgKeyMap, { keyring?: string | null }> = defineFact<
  GpgKeyMap,
  { keyring?: string | null }
>({
  name: "gpg.GpgKeys",
  summary: "Returns information on all public keys in a keychain.",
  argNames: ["keyring"],
  requiresCommand: "gpg",
  command: ({ keyring }) => keyringCommand("gpg --list-keys --with-colons", keyring),
  process: (lines) => parseGpgColons(lines, "pub", "sub"),
  default: () => ({}),
});

/**
 * The secret keys of the default keyring, or of `keyring`.
 *
 * @example
 * ```ts ignore
 * const keys = await host.getFact(GpgSecretKeys, {});
 * ```
 */
export const GpgSecretKeys: Fact<GpgKeyMap, { keyring?: string | null }> = defineFact<
  GpgKeyMap,
  { keyring?: string | null }
>({
  name: "gpg.GpgSecretKeys",
  summary: "Returns information on all secret keys in a keychain.",
  argNames: ["keyring"],
  requiresCommand: "gpg",
  command: ({ keyring }) => keyringCommand("gpg --list-secret-keys --with-colons", keyring),
  process: (lines) => parseGpgColons(lines, "sec", "ssb"),
  default: () => ({}),
});

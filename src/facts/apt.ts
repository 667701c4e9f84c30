/**
 * apt facts: the configured sources (`apt.AptSources`) and the keys of apt's keyring
 * (`apt.AptKeys`).
 *
 * @module
 */
import { defineFact, type Fact } from "../core/fact.ts";
import { type GpgKeyMap, parseGpgColons } from "./gpg.ts";

/** One `deb` / `deb-src` line. */
export interface AptSource {
  type: string;
  url: string;
  distribution: string;
  components: string[];
  /** `[arch=amd64 signed-by=...]` options; a comma list becomes a list. */
  options: Record<string, string | string[]>;
}

/**
 * Parses one sources.list line; `undefined` for anything else (comments, blanks).
 *
 * @example
 * ```ts
 * import { parseAptRepo } from "./apt.ts";
 * parseAptRepo("deb http://deb.debian.org/debian bookworm main")?.components; // ["main"]
 * ```
 */
export function parseAptRepo(line: string): AptSource | undefined {
  const match = /^(deb(?:-src)?)(?:\s+\[([^\]]+)\])?\s+([^\s]+)\s+([a-z-]+)\s+([a-z-\s]*)$/
    .exec(line);
  if (!match) return undefined;
  const options: Record<string, string | string[]> = {};
  for (const option of (match[2] ?? "").split(/\s+/).filter(Boolean)) {
    const at = option.indexOf("=");
    const key = at < 0 ? option : option.slice(0, at);
    const value = at < 0 ? "" : option.slice(at + 1);
    options[key] = value.includes(",") ? value.split(",") : value;
  }
  return {
    options,
    type: match[1],
    url: match[3],
    distribution: match[4],
    components: [...new Set(match[5].split(/\s+/).filter(Boolean))],
  };
}

/** Whether two sources are the same repository (components compared as sets). */
export function sameAptSource(a: AptSource, b: AptSource): boolean {
  const set = (s: AptSource) => JSON.stringify([...s.components].sort());
  return a.type === b.type && a.url === b.url && a.distribution === b.distribution &&
    set(a) === set(b) && JSON.stringify(a.options) === JSON.stringify(b.options);
}

/**
 * Every repository in /etc/apt/sources.list and /etc/apt/sources.list.d/*.list.
 *
 * @example
 * ```ts ignore
 * const sources = await host.getFact(AptSources);
 * ```
 */
export const AptSources: Fact<AptSource[]> = defineFact<AptSource[]>({
  name: "apt.AptSources",
  summary: "Returns a list of installed apt sources.",
  command:
    "(! test -f /etc/apt/sources.list || cat /etc/apt/sources.list) && (cat /etc/apt/sources.list.d/*.list || true)",
  requiresCommand: "apt",
  process: (lines) => lines.map(parseAptRepo).filter((r): r is AptSource => r !== undefined),
  default: () => [],
});

/**
 * The keys in apt's keyring (`apt-key list`), by key id.
 *
 * @example
 * ```ts ignore
 * const keys = await host.getFact(AptKeys);
 * ```
 */
export const AptKeys: Fact<GpgKeyMap> = defineFact<GpgKeyMap>({
  name: "apt.AptKeys",
  summary: "Returns information on GPG keys apt has in its keychain.",
  command: "! command -v gpg || apt-key list --with-colons",
  requiresCommand: "apt-key",
  process: (lines) => parseGpgColons(lines, "pub", "sub"),
  default: () => ({}),
});

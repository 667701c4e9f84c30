/**
 * A small reader of OpenSSH client configuration (`~/.ssh/config`): `Host` and simple
 * `Match` blocks, `Include`, and the options the @ssh connector uses. As OpenSSH does,
 * the first value found for an option wins, except `IdentityFile`, which accumulates.
 *
 * @module
 */
import * as nodePath from "node:path";

/** The options of one host, as the configuration gives them. */
export interface SshHostConfig {
  hostName?: string;
  user?: string;
  port?: number;
  /** `IdentityFile` values with `~` and `%` tokens expanded. */
  identityFiles: string[];
  proxyJump?: string;
  strictHostKeyChecking?: string;
  userKnownHostsFile?: string;
  forwardAgent?: boolean;
  /** Seconds. */
  connectTimeout?: number;
  /** Seconds (`ServerAliveInterval`). */
  serverAliveInterval?: number;
  /** `IdentityAgent`: a socket path, or `none`, or `SSH_AUTH_SOCK`. */
  identityAgent?: string;
}

/** One line of the configuration: a keyword and its arguments. */
interface ConfigLine {
  keyword: string;
  args: string[];
  /** Where it came from, for error messages. */
  source: string;
}

/** Options of {@linkcode parseSshConfig}. */
export interface ParseSshConfigOptions {
  /** The file the text came from: relative `Include`s are read from `~/.ssh`. */
  path?: string;
  /** Reads an included file; returns `undefined` when it does not exist. */
  readFile?: (path: string) => string | undefined;
  /** The user's home folder. @default {$HOME} */
  home?: string;
}

const MAX_INCLUDE_DEPTH = 16;

/**
 * A parsed configuration, to look hosts up in.
 *
 * @example
 * ```ts
 * import { parseSshConfig } from "./config.ts";
 * const config = parseSshConfig("Host web*\n  User deploy\n  Port 2222\n");
 * config.lookup("web1").user; // "deploy"
 * ```
 */
export class SshConfig {
  readonly #lines: readonly ConfigLine[];
  readonly #home: string;

  constructor(lines: readonly ConfigLine[], home: string) {
    this.#lines = lines;
    this.#home = home;
  }

  /**
   * The options that apply to `host` (the name given to tsinfra, before `HostName`).
   *
   * @param localUser the local user name, for the `%u` token
   */
  lookup(host: string, localUser = "root"): SshHostConfig {
    const found = new Map<string, string[]>();
    const identityFiles: string[] = [];
    let active = true;
    for (const line of this.#lines) {
      if (line.keyword === "host") {
        active = matchesPatternList(host, line.args);
        continue;
      }
      if (line.keyword === "match") {
        active = matchBlockApplies(host, line.args);
        continue;
      }
      if (!active) continue;
      if (line.keyword === "identityfile") identityFiles.push(line.args.join(" "));
      else if (!found.has(line.keyword)) found.set(line.keyword, line.args);
    }
    const first = (keyword: string): string | undefined => found.get(keyword)?.[0];
    const hostName = first("hostname")?.replaceAll("%h", host).replaceAll("%%", "%");
    const user = first("user");
    const port = numberOption(first("port"));
    const tokens = (text: string): string =>
      expandTokens(text, {
        d: this.#home,
        h: hostName ?? host,
        n: host,
        r: user ?? localUser,
        u: localUser,
        p: String(port ?? 22),
      });
    const path = (text: string): string => expandHome(tokens(text), this.#home);
    const knownHosts = first("userknownhostsfile");
    const agent = first("identityagent");
    return {
      hostName,
      user,
      port,
      identityFiles: identityFiles.map(path),
      proxyJump: found.get("proxyjump")?.join(" "),
      strictHostKeyChecking: first("stricthostkeychecking")?.toLowerCase(),
      userKnownHostsFile: knownHosts === undefined ? undefined : path(knownHosts),
      forwardAgent: first("forwardagent") === undefined
        ? undefined
        : first("forwardagent")!.toLowerCase() === "yes",
      connectTimeout: numberOption(first("connecttimeout")),
      serverAliveInterval: numberOption(first("serveraliveinterval")),
      identityAgent: agent === undefined ? undefined : path(agent),
    };
  }
}

/**
 * Parses configuration text.
 *
 * @example
 * ```ts
 * import { parseSshConfig } from "./config.ts";
 * parseSshConfig("Host db\n  HostName 10.0.0.5").lookup("db").hostName; // "10.0.0.5"
 * ```
 */
export function parseSshConfig(text: string, options: ParseSshConfigOptions = {}): SshConfig {
  const home = options.home ?? Deno.env.get("HOME") ?? "/";
  const readFile = options.readFile ?? readIfExists;
  const lines: ConfigLine[] = [];
  collect(text, options.path ?? "ssh config", 0);
  return new SshConfig(lines, home);

  function collect(content: string, source: string, depth: number): void {
    content.split(/\r?\n/).forEach((raw, index) => {
      const line = parseLine(raw, `${source}:${index + 1}`);
      if (!line) return;
      if (line.keyword !== "include") {
        lines.push(line);
        return;
      }
      if (depth >= MAX_INCLUDE_DEPTH) {
        throw new Error(`Too many nested Include lines in the SSH config at ${line.source}`);
      }
      for (const pattern of line.args) {
        let full = expandHome(pattern, home);
        if (!nodePath.isAbsolute(full)) full = nodePath.join(home, ".ssh", full);
        for (const file of globFiles(full)) {
          const included = readFile(file);
          if (included !== undefined) collect(included, file, depth + 1);
        }
      }
    });
  }
}

/**
 * Reads and parses a configuration file; a missing file is an empty configuration.
 *
 * @example
 * ```ts ignore
 * const config = loadSshConfig("~/.ssh/config");
 * ```
 */
export function loadSshConfig(path: string, home = Deno.env.get("HOME") ?? "/"): SshConfig {
  const full = expandHome(path, home);
  const text = readIfExists(full) ?? "";
  return parseSshConfig(text, { path: full, home });
}

function readIfExists(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/** Splits a line in keyword and arguments; `undefined` for blank lines and comments. */
function parseLine(raw: string, source: string): ConfigLine | undefined {
  const text = raw.trim();
  if (!text || text.startsWith("#")) return undefined;
  const match = /^([A-Za-z][A-Za-z0-9]*)(?:\s*=\s*|\s+)(.*)$/.exec(text);
  if (!match) return { keyword: text.toLowerCase(), args: [], source };
  return { keyword: match[1].toLowerCase(), args: splitArgs(match[2]), source };
}

/** Splits arguments on blanks, keeping double-quoted text together. */
function splitArgs(text: string): string[] {
  const args: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  for (const match of text.matchAll(re)) args.push(match[1] ?? match[2]);
  return args;
}

function numberOption(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}

/** Replaces `~/` at the start of a path by the home folder. */
export function expandHome(path: string, home: string): string {
  if (path === "~") return home;
  if (path.startsWith("~/")) return nodePath.join(home, path.slice(2));
  return path;
}

function expandTokens(text: string, values: Record<string, string>): string {
  return text.replace(/%(.)/g, (whole, token: string) => {
    if (token === "%") return "%";
    return values[token] ?? whole;
  });
}

/**
 * Whether a name matches an OpenSSH pattern list: at least one pattern matches and no
 * negated (`!`) pattern does. `*` and `?` are wildcards; case is ignored.
 *
 * @example
 * ```ts
 * import { matchesPatternList } from "./config.ts";
 * matchesPatternList("web1", ["web*", "!web2"]); // true
 * ```
 */
export function matchesPatternList(name: string, patterns: readonly string[]): boolean {
  let matched = false;
  for (const raw of patterns.flatMap((p) => p.split(","))) {
    if (!raw) continue;
    const negated = raw.startsWith("!");
    const pattern = negated ? raw.slice(1) : raw;
    if (wildcardMatch(name, pattern)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

function wildcardMatch(name: string, pattern: string): boolean {
  const re = new RegExp(
    "^" + pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".") +
      "$",
    "i",
  );
  return re.test(name);
}

/**
 * `Match` criteria: `all`, `host`/`originalhost` patterns; a block with other criteria
 * (exec, user, ...) is not applied.
 */
function matchBlockApplies(host: string, args: readonly string[]): boolean {
  if (args.length === 1 && args[0].toLowerCase() === "all") return true;
  for (let i = 0; i < args.length; i += 2) {
    const criterion = args[i].toLowerCase();
    const value = args[i + 1];
    if ((criterion === "host" || criterion === "originalhost") && value !== undefined) {
      if (!matchesPatternList(host, [value])) return false;
    } else {
      return false;
    }
  }
  return args.length > 0;
}

/** Files matching a path whose last part may hold `*` or `?`, sorted. */
function globFiles(path: string): string[] {
  const base = nodePath.basename(path);
  if (!/[*?]/.test(base)) return [path];
  const dir = nodePath.dirname(path);
  try {
    return [...Deno.readDirSync(dir)]
      .filter((entry) => entry.isFile && wildcardMatch(entry.name, base))
      .map((entry) => nodePath.join(dir, entry.name))
      .sort();
  } catch {
    return [];
  }
}

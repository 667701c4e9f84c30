/**
 * `config.ts` beside the deploy: pyinfra's `config.py` options in camelCase.
 *
 * @module
 */
import * as nodePath from "node:path";
import { DeployError } from "../core/errors.ts";
import type { GlobalArgumentsInput } from "../core/arguments.ts";
import { VERSION } from "../version.ts";
import { findDataFile, loadDataFile } from "./user_data.ts";

/** Options a deploy's `config.ts` may export. */
export interface DeployConfig {
  /** Use sudo for every operation. @default {false} */
  sudo?: boolean;
  /** Default sudo user. */
  sudoUser?: string;
  /** Use a sudo login shell. */
  useSudoLogin?: boolean;
  /** Keep the environment through sudo. */
  preserveSudoEnv?: boolean;
  /** Password for sudo (prefer `--sudo-password` or host data). */
  sudoPassword?: string;
  /** Default su user. */
  suUser?: string;
  /** Use an su login shell. */
  useSuLogin?: boolean;
  /** Keep the environment through su. */
  preserveSuEnv?: boolean;
  /** The shell su starts. */
  suShell?: string;
  /** Use doas for every operation. */
  doas?: boolean;
  /** Default doas user. */
  doasUser?: string;
  /** Shell that runs commands. @default {"sh"} */
  shell?: string;
  /** At most this many hosts run an operation at once. */
  parallel?: number;
  /** Seconds to wait when connecting. @default {10} */
  connectTimeout?: number;
  /** Stop the run when more than this percentage of hosts failed. */
  failPercent?: number;
  /** A version requirement such as `">=0.1.0"`: the run stops when tsinfra does not meet it. */
  requireVersion?: string;
  /** Folder for temporary files on hosts. @default {"/tmp"} */
  tempDir?: string;
  /** Go on when operations fail. @default {false} */
  ignoreErrors?: boolean;
}

const TYPES: Record<keyof DeployConfig, "boolean" | "string" | "number"> = {
  sudo: "boolean",
  sudoUser: "string",
  useSudoLogin: "boolean",
  preserveSudoEnv: "boolean",
  sudoPassword: "string",
  suUser: "string",
  useSuLogin: "boolean",
  preserveSuEnv: "boolean",
  suShell: "string",
  doas: "boolean",
  doasUser: "string",
  shell: "string",
  parallel: "number",
  connectTimeout: "number",
  failPercent: "number",
  requireVersion: "string",
  tempDir: "string",
  ignoreErrors: "boolean",
};

/** Loads and checks `config.{ts,js,json,yaml}` in `dir`, if there is one. */
export async function loadConfig(
  dir: string,
  file?: string,
): Promise<{ path?: string; config: DeployConfig }> {
  let path: string | undefined;
  if (file === undefined) path = findDataFile(nodePath.join(dir, "config"));
  else {
    path = nodePath.resolve(file);
    try {
      if (!Deno.statSync(path).isFile) throw new Error();
    } catch {
      throw new DeployError(`Config file not found: ${file}`);
    }
  }
  if (!path) return { config: {} };
  const data = await loadDataFile(path);
  const valid = Object.keys(TYPES).sort();
  for (const [key, value] of Object.entries(data)) {
    if (!(key in TYPES)) {
      throw new DeployError(
        `${path}: unknown config option ${key}; valid options are ${valid.join(", ")}`,
      );
    }
    const type = TYPES[key as keyof DeployConfig];
    if (typeOf(value) !== type) {
      throw new DeployError(
        `${path}: config option ${key} must be a ${type}, got ${JSON.stringify(value)}`,
      );
    }
  }
  const config = data as DeployConfig;
  if (config.requireVersion && !satisfies(VERSION, config.requireVersion)) {
    throw new DeployError(
      `${path}: this deploy requires tsinfra ${config.requireVersion}, but this is tsinfra ${VERSION}`,
    );
  }
  return { path, config };
}

/** Global argument defaults that a config sets. */
export function configDefaults(config: DeployConfig): GlobalArgumentsInput {
  const out: GlobalArgumentsInput = {};
  if (config.sudo !== undefined) out._sudo = config.sudo;
  if (config.sudoUser !== undefined) out._sudoUser = config.sudoUser;
  if (config.useSudoLogin !== undefined) out._useSudoLogin = config.useSudoLogin;
  if (config.preserveSudoEnv !== undefined) out._preserveSudoEnv = config.preserveSudoEnv;
  if (config.sudoPassword !== undefined) out._sudoPassword = config.sudoPassword;
  if (config.suUser !== undefined) out._suUser = config.suUser;
  if (config.useSuLogin !== undefined) out._useSuLogin = config.useSuLogin;
  if (config.preserveSuEnv !== undefined) out._preserveSuEnv = config.preserveSuEnv;
  if (config.suShell !== undefined) out._suShell = config.suShell;
  if (config.doas !== undefined) out._doas = config.doas;
  if (config.doasUser !== undefined) out._doasUser = config.doasUser;
  if (config.shell !== undefined) out._shellExecutable = config.shell;
  if (config.tempDir !== undefined) out._tempDir = config.tempDir;
  if (config.ignoreErrors !== undefined) out._ignoreErrors = config.ignoreErrors;
  return out;
}

function typeOf(value: unknown): string {
  return typeof value;
}

function parseVersion(text: string): number[] {
  return text.replace(/^v/, "").split(".").map((p) => parseInt(p, 10) || 0);
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

/**
 * Whether `version` meets every comparator of `range` (`>=0.1, <1.0`, `==0.1.0`, `0.1.0`).
 *
 * @example
 * ```ts
 * import { satisfies } from "./config.ts";
 * satisfies("0.2.0", ">=0.1.0,<1"); // true
 * ```
 */
export function satisfies(version: string, range: string): boolean {
  const v = parseVersion(version);
  return range.split(/[,\s]+/).filter(Boolean).every((part) => {
    const match = /^(>=|<=|==|=|>|<|~=|\^)?\s*(.+)$/.exec(part);
    if (!match) return false;
    const c = compare(v, parseVersion(match[2]));
    switch (match[1]) {
      case ">=":
        return c >= 0;
      case "<=":
        return c <= 0;
      case ">":
        return c > 0;
      case "<":
        return c < 0;
      default:
        return c === 0;
    }
  });
}

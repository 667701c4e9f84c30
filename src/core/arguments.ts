/**
 * Global arguments: the `_`-prefixed options every operation accepts (pyinfra's global
 * arguments, camelCased), their defaults, and their validation.
 *
 * @module
 */
import { ArgumentError } from "./errors.ts";
import { MaskedPart } from "./command.ts";

/** Arguments that change how a command is run on the host (the shared wrapping). */
export interface ConnectorArguments {
  /** Run commands with sudo. @default {false} */
  _sudo: boolean;
  /** Run commands as this user through sudo (`sudo -u`). */
  _sudoUser?: string;
  /** Use a login shell with sudo (`sudo -H -i`). @default {false} */
  _useSudoLogin: boolean;
  /** Password given to sudo on its prompt (never shown). */
  _sudoPassword?: string;
  /** pyinfra 2 name: `true` asks for the password, a string is the password. */
  _useSudoPassword?: boolean | string;
  /** Keep the environment through sudo (`sudo -E`). @default {false} */
  _preserveSudoEnv: boolean;
  /** Run commands through su (as root unless `_suUser`). @default {false} */
  _su: boolean;
  /** Run commands as this user through su. */
  _suUser?: string;
  /** Use a login shell with su (`su -l`). @default {false} */
  _useSuLogin: boolean;
  /** Keep the environment through su (`su -m`). @default {false} */
  _preserveSuEnv: boolean;
  /** The shell su starts (`su -s`). */
  _suShell?: string;
  /** Run commands with doas. @default {false} */
  _doas: boolean;
  /** Run commands as this user through doas. */
  _doasUser?: string;
  /** The shell that runs each command. @default {"sh"} */
  _shellExecutable: string;
  /** Environment variables for the command. @default {{}} */
  _env: Record<string, string | MaskedPart>;
  /** Change to this directory before running the command. */
  _chdir?: string;
  /** Seconds after which a command is stopped and fails. */
  _timeout?: number;
  /** Run the command in a pseudo-terminal. @default {false} */
  _getPty: boolean;
  /** Text written to the command's standard input. */
  _stdin?: string | string[];
  /** Exit codes that count as success. @default {[0]} */
  _successExitCodes: number[];
}

/** A condition read at execution time: a boolean or a function returning one. */
export type Condition = boolean | (() => boolean);

/** Callback arguments receive the host's name and the operation's name. */
export type OperationCallback = (hostName: string, operationName: string) => unknown;

/** Arguments that change how an operation is run, rather than a command. */
export interface OperationArguments {
  /** The name shown for the operation. */
  name?: string;
  /** Go on when the operation fails; the host does not fail. @default {false} */
  _ignoreErrors: boolean;
  /** Run the rest of the operation's commands after one fails. @default {false} */
  _continueOnError: boolean;
  /** Run the operation only when this holds at execution time. */
  _if?: Condition | Condition[];
  /** Retry a failing command this many times. @default {0} */
  _retries: number;
  /** Seconds between retries. @default {5} */
  _retryDelay: number;
  /** Retry while this returns true, given the command's output. */
  _retryUntil?: (output: { stdout: string[]; stderr: string[] }) => boolean;
  /** Folder for temporary files on the host. */
  _tempDir?: string;
  /** At most this many hosts run the operation at once. */
  _parallel?: number;
  /** Run on the first host that reaches it only. @default {false} */
  _runOnce: boolean;
  /** Run host by host rather than in parallel. @default {false} */
  _serial: boolean;
  /** A shell command that must succeed before the operation runs. */
  _precondition?: string;
  /** A shell command that must succeed after the operation ran. */
  _postcondition?: string;
  /** Called after the operation succeeded on a host. */
  _onSuccess?: OperationCallback;
  /** Called after the operation failed on a host. */
  _onError?: OperationCallback;
}

/** Every global argument. */
export type GlobalArguments = ConnectorArguments & OperationArguments;

/** Global arguments as a deploy passes them: every field optional. */
export type GlobalArgumentsInput = Partial<GlobalArguments>;

type Kind =
  | "boolean"
  | "string"
  | "number"
  | "env"
  | "codes"
  | "condition"
  | "function"
  | "stdin"
  | "bool|string";

/** The type of each global argument, for validation and the CLI's `key=value` parsing. */
export const GLOBAL_ARGUMENT_KINDS: Readonly<Record<keyof GlobalArguments, Kind>> = {
  _sudo: "boolean",
  _sudoUser: "string",
  _useSudoLogin: "boolean",
  _sudoPassword: "string",
  _useSudoPassword: "bool|string",
  _preserveSudoEnv: "boolean",
  _su: "boolean",
  _suUser: "string",
  _useSuLogin: "boolean",
  _preserveSuEnv: "boolean",
  _suShell: "string",
  _doas: "boolean",
  _doasUser: "string",
  _shellExecutable: "string",
  _env: "env",
  _chdir: "string",
  _timeout: "number",
  _getPty: "boolean",
  _stdin: "stdin",
  _successExitCodes: "codes",
  name: "string",
  _ignoreErrors: "boolean",
  _continueOnError: "boolean",
  _if: "condition",
  _retries: "number",
  _retryDelay: "number",
  _retryUntil: "function",
  _tempDir: "string",
  _parallel: "number",
  _runOnce: "boolean",
  _serial: "boolean",
  _precondition: "string",
  _postcondition: "string",
  _onSuccess: "function",
  _onError: "function",
};

/** Names of the connector arguments, the ones the command wrapping reads. */
export const CONNECTOR_ARGUMENT_NAMES: readonly (keyof ConnectorArguments)[] = [
  "_sudo",
  "_sudoUser",
  "_useSudoLogin",
  "_sudoPassword",
  "_useSudoPassword",
  "_preserveSudoEnv",
  "_su",
  "_suUser",
  "_useSuLogin",
  "_preserveSuEnv",
  "_suShell",
  "_doas",
  "_doasUser",
  "_shellExecutable",
  "_env",
  "_chdir",
  "_timeout",
  "_getPty",
  "_stdin",
  "_successExitCodes",
];

/**
 * The connector arguments that change what a command sees (its user, shell, login
 * environment, variables, folder): a fact read with different values is another read.
 * Timeouts, stdin, a terminal, exit codes and how sudo authenticates are left out.
 */
export const ENVIRONMENT_ARGUMENT_NAMES: readonly (keyof ConnectorArguments)[] =
  CONNECTOR_ARGUMENT_NAMES.filter((name) =>
    ![
      "_timeout",
      "_getPty",
      "_stdin",
      "_successExitCodes",
      "_sudoPassword",
      "_useSudoPassword",
    ].includes(name)
  );

/** All global argument names, sorted. */
export const GLOBAL_ARGUMENT_NAMES: readonly string[] = Object.keys(GLOBAL_ARGUMENT_KINDS).sort();

/** Defaults applied when neither the operation, the host data nor the config set a value. */
export const GLOBAL_ARGUMENT_DEFAULTS: GlobalArguments = {
  _sudo: false,
  _useSudoLogin: false,
  _preserveSudoEnv: false,
  _su: false,
  _useSuLogin: false,
  _preserveSuEnv: false,
  _doas: false,
  _shellExecutable: "sh",
  _env: {},
  _getPty: false,
  _successExitCodes: [0],
  _ignoreErrors: false,
  _continueOnError: false,
  _retries: 0,
  _retryDelay: 5,
  _runOnce: false,
  _serial: false,
};

/** Connector arguments with nothing set: a plain command, as the connecting user. */
export const PLAIN_CONNECTOR_ARGUMENTS: ConnectorArguments = Object.fromEntries(
  CONNECTOR_ARGUMENT_NAMES.map((name) => [name, GLOBAL_ARGUMENT_DEFAULTS[name]]),
) as unknown as ConnectorArguments;

/** Whether a key names a global argument. */
export function isGlobalArgument(key: string): key is keyof GlobalArguments {
  return Object.hasOwn(GLOBAL_ARGUMENT_KINDS, key);
}

function kindMatches(kind: Kind, value: unknown): boolean {
  switch (kind) {
    case "boolean":
      return typeof value === "boolean";
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "bool|string":
      return typeof value === "boolean" || typeof value === "string";
    case "env":
      return typeof value === "object" && value !== null && !Array.isArray(value) &&
        Object.values(value).every((v) =>
          typeof v === "string" || typeof v === "number" || v instanceof MaskedPart
        );
    case "codes":
      return Array.isArray(value) && value.every((v) => Number.isInteger(v));
    case "condition":
      return typeof value === "boolean" || typeof value === "function" ||
        (Array.isArray(value) &&
          value.every((v) => typeof v === "boolean" || typeof v === "function"));
    case "function":
      return typeof value === "function";
    case "stdin":
      return typeof value === "string" ||
        (Array.isArray(value) && value.every((v) => typeof v === "string"));
  }
}

/**
 * Checks the type of every global argument given, throwing an {@linkcode ArgumentError}
 * that names the argument and the expected type.
 */
export function validateGlobalArguments(
  args: Record<string, unknown>,
  where: string,
): void {
  for (const [key, value] of Object.entries(args)) {
    if (!isGlobalArgument(key) || value === undefined) continue;
    const kind = GLOBAL_ARGUMENT_KINDS[key];
    if (!kindMatches(kind, value)) {
      throw new ArgumentError(
        `Invalid global argument ${key} in ${where}: expected ${kind}, got ${describeValue(value)}`,
      );
    }
  }
}

/** A short description of a value's type for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (value instanceof MaskedPart) return "a mask() value";
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  return `${/^[aeiou]/.test(typeof value) ? "an" : "a"} ${typeof value}`;
}

/**
 * Host data and config keys that set global argument defaults, as pyinfra lets
 * `host.data` and `config.py` set them (e.g. `_sudo: true` in group data, `sudo` in config).
 */
export function globalArgumentsFromData(data: Record<string, unknown>): GlobalArgumentsInput {
  const out: Record<string, unknown> = {};
  for (const key of CONNECTOR_ARGUMENT_NAMES) {
    if (data[key] !== undefined) out[key] = data[key];
  }
  for (const key of ["_ignoreErrors", "_continueOnError", "_retries", "_retryDelay", "_tempDir"]) {
    if (data[key] !== undefined) out[key] = data[key];
  }
  return out as GlobalArgumentsInput;
}

/**
 * Parses a CLI `key=value` string for a global argument into its typed value.
 */
export function parseGlobalArgumentValue(key: keyof GlobalArguments, text: string): unknown {
  const kind = GLOBAL_ARGUMENT_KINDS[key];
  switch (kind) {
    case "boolean":
    case "condition":
      if (/^(true|yes|1|on)$/i.test(text)) return true;
      if (/^(false|no|0|off)$/i.test(text)) return false;
      throw new ArgumentError(`Invalid value for ${key}: expected true or false, got ${text}`);
    case "bool|string":
      if (/^(true|false)$/i.test(text)) return /^true$/i.test(text);
      return text;
    case "number": {
      const n = Number(text);
      if (!Number.isFinite(n)) {
        throw new ArgumentError(`Invalid value for ${key}: expected a number, got ${text}`);
      }
      return n;
    }
    case "codes":
      return text.split(",").map((c) => Number(c.trim()));
    case "env":
      return Object.fromEntries(
        text.split(",").map((pair) => {
          const at = pair.indexOf("=");
          return at < 0 ? [pair, ""] : [pair.slice(0, at), pair.slice(at + 1)];
        }),
      );
    case "function":
      throw new ArgumentError(`${key} takes a function and cannot be given on the command line`);
    default:
      return text;
  }
}

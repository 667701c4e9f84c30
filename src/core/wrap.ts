/**
 * The shared command wrapping: env, chdir, shell, sudo, su and doas, done once for every
 * connector. The text is the one pyinfra's `make_unix_command` produces for the same
 * arguments, with one difference: every value is quoted, so no byte of a value or of the
 * command can escape its argument. For ordinary values (user names, paths, env values
 * without `"`, `$`, `` ` `` or `\`) the two are the same, byte for byte; an env value
 * containing `$` is taken literally here where pyinfra's shell would expand it.
 *
 * A sudo password reaches sudo as pyinfra passes it: `sudo -A` runs a small askpass
 * helper on the host that prints the password from an environment variable set by
 * `env` in front of `sudo`; that variable is a {@linkcode mask} part, so the masked
 * rendering (output, logs) shows `***`. The helper is created once per host:
 *
 * 1. When a command needs it ({@linkcode needsAskpass}), run {@linkcode sudoAskpassSetup}
 *    on the host as the connecting user (wrapped with `_sudo`, `_su` and `_doas` off);
 *    the first line of its output is the helper's path.
 * 2. Pass that path to every {@linkcode wrapCommand} call of the host as `askpassPath`.
 * 3. At disconnect, run {@linkcode sudoAskpassCleanup} with the path.
 *
 * @module
 */
import { type CommandPart, mask, quote, StringCommand } from "./command.ts";
import type { ConnectorArguments } from "./arguments.ts";
import { ArgumentError } from "./errors.ts";
import { shellQuote } from "./quote.ts";

/** Environment variable that carries the sudo password to the askpass helper. */
export const SUDO_ASKPASS_ENV_VAR = "TSINFRA_SUDO_PASSWORD";

/**
 * The askpass helper's content: a script that prints the password from
 * {@linkcode SUDO_ASKPASS_ENV_VAR}, so the password itself never touches the host's disk.
 * For a connector that would rather upload it than run {@linkcode sudoAskpassSetup}
 * (it must be executable by the connecting user).
 *
 * @example
 * ```ts
 * import { sudoAskpassScript } from "./wrap.ts";
 * sudoAskpassScript().startsWith("#!/bin/sh\n"); // true
 * ```
 */
export function sudoAskpassScript(): string {
  return `#!/bin/sh\nprintf '%s\\n' "$${SUDO_ASKPASS_ENV_VAR}"\n`;
}

/** Options of {@linkcode sudoAskpassSetup}. */
export interface SudoAskpassSetupOptions {
  /** Folder for the helper on the host. @default {"$TMPDIR, else /tmp"} */
  tempDir?: string;
}

/**
 * The command that creates the askpass helper on a host and prints its path (the first
 * line of its output). Run it once per host as the connecting user: wrap it with the
 * host's arguments but `_sudo`, `_su`, `_suUser` and `_doas` turned off, since sudo runs
 * the helper as the user who called sudo.
 *
 * @example
 * ```ts
 * import { sudoAskpassSetup } from "./wrap.ts";
 * sudoAskpassSetup().raw().startsWith("temp=$(mktemp "); // true
 * sudoAskpassSetup({ tempDir: "/var/tmp" }).raw().includes("/var/tmp/tsinfra-"); // true
 * ```
 */
export function sudoAskpassSetup(options: SudoAskpassSetupOptions = {}): StringCommand {
  const template = options.tempDir === undefined
    ? '"${TMPDIR:=/tmp}/tsinfra-sudo-askpass-XXXXXXXXXXXX"'
    : shellQuote(`${options.tempDir}/tsinfra-sudo-askpass-XXXXXXXXXXXX`);
  return new StringCommand([
    `temp=$(mktemp ${template})`,
    "&&",
    "printf",
    "%s",
    quote(sudoAskpassScript()),
    '>"$temp"',
    "&&",
    'chmod 755 "$temp"',
    "&&",
    'echo "$temp"',
  ]);
}

/** {@linkcode sudoAskpassSetup} with the default folder (kept for existing callers). */
export const SUDO_ASKPASS_SETUP: StringCommand = sudoAskpassSetup();

/**
 * The command that removes the askpass helper, for the end of the host's connection.
 *
 * @example
 * ```ts
 * import { sudoAskpassCleanup } from "./wrap.ts";
 * sudoAskpassCleanup("/tmp/tsinfra-sudo-askpass-abc").raw();
 * // "rm -f /tmp/tsinfra-sudo-askpass-abc"
 * ```
 */
export function sudoAskpassCleanup(path: string): StringCommand {
  return new StringCommand(["rm", "-f", quote(path)]);
}

/**
 * The sudo password of the arguments, if any: `_sudoPassword`, or a `_useSudoPassword`
 * string (`_useSudoPassword: true` means "ask", which is the CLI's business).
 *
 * @example
 * ```ts
 * import { sudoPasswordOf } from "./wrap.ts";
 * sudoPasswordOf({ _useSudoPassword: "s3cret" }); // "s3cret"
 * ```
 */
export function sudoPasswordOf(args: Partial<ConnectorArguments>): string | undefined {
  if (args._sudoPassword) return args._sudoPassword;
  if (typeof args._useSudoPassword === "string" && args._useSudoPassword) {
    return args._useSudoPassword;
  }
  return undefined;
}

/**
 * Whether commands run with these arguments need the host's askpass helper.
 *
 * @example
 * ```ts
 * import { needsAskpass } from "./wrap.ts";
 * needsAskpass({ _sudo: true, _sudoPassword: "s3cret" }); // true
 * needsAskpass({ _sudo: false, _sudoPassword: "s3cret" }); // false
 * ```
 */
export function needsAskpass(args: Partial<ConnectorArguments>): boolean {
  return Boolean(args._sudo) && sudoPasswordOf(args) !== undefined;
}

/** Options of {@linkcode wrapCommand}. */
export interface WrapOptions {
  /**
   * The path of the host's askpass helper (see {@linkcode sudoAskpassSetup}). Without
   * it, a sudo password is not used and sudo runs with `-n`, failing at once with
   * "a password is required" instead of waiting on a prompt.
   */
  askpassPath?: string;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Wraps a command with everything the connector arguments ask for, giving the shell
 * text a connector runs with `sh -c`. The command becomes one quoted argument of
 * `SHELL -c`, itself one quoted argument of `su -c` when su is used.
 *
 * @param command the command to run
 * @param args connector arguments after defaults were applied
 * @param options the askpass helper's path; a string is taken as that path (deprecated)
 * @returns the wrapped command, whose masked rendering hides the sudo password
 * @example
 * ```ts
 * import { StringCommand } from "./command.ts";
 * import { GLOBAL_ARGUMENT_DEFAULTS } from "./arguments.ts";
 * import { wrapCommand } from "./wrap.ts";
 * const args = { ...GLOBAL_ARGUMENT_DEFAULTS, _sudo: true, _sudoUser: "app" };
 * wrapCommand(new StringCommand(["echo hi"]), args).raw();
 * // "sudo -H -n -u app sh -c 'echo hi'"
 * ```
 */
export function wrapCommand(
  command: StringCommand,
  args: ConnectorArguments,
  options: WrapOptions | string = {},
): StringCommand {
  const askpassPath = typeof options === "string" ? options : options.askpassPath;
  let inner = command;
  const env = Object.entries(args._env ?? {});
  if (env.length) {
    inner = new StringCommand(["export", ...env.map(([k, v]) => envAssignment(k, v)), "&&", inner]);
  }
  if (args._chdir) inner = new StringCommand(["cd", directoryArgument(args._chdir), "&&", inner]);
  const shell = shellWords(args._shellExecutable);

  const bits: CommandPart[] = [];
  if (args._doas) {
    bits.push("doas", "-n");
    if (args._doasUser) bits.push("-u", quote(args._doasUser));
  }
  if (args._sudo) {
    const password = askpassPath ? sudoPasswordOf(args) : undefined;
    if (password !== undefined) {
      bits.push(
        "env",
        quote(`SUDO_ASKPASS=${askpassPath}`),
        mask(shellQuote(`${SUDO_ASKPASS_ENV_VAR}=${password}`)),
      );
    }
    bits.push("sudo", "-H");
    // -A: ask the helper, -k: ignore cached credentials; -n: never prompt.
    bits.push(...(password !== undefined ? ["-A", "-k"] : ["-n"]));
    if (args._useSudoLogin) bits.push("-i");
    if (args._preserveSudoEnv) bits.push("-E");
    if (args._sudoUser) bits.push("-u", quote(args._sudoUser));
  }
  const suUser = args._suUser || (args._su ? "root" : undefined);
  if (suUser) {
    bits.push("su");
    if (args._useSuLogin) bits.push("-l");
    if (args._preserveSuEnv) bits.push("-m");
    // pyinfra's `which`, which also finds a bare name such as "bash".
    if (args._suShell) bits.push("-s", `\`which ${shellQuote(args._suShell)}\``);
    // The whole `SHELL -c '...'` is one argument: BSD su has no shell option.
    bits.push(quote(suUser), "-c", quote(new StringCommand([...shell, "-c", quote(inner)])));
  } else {
    bits.push(...shell, "-c", quote(inner));
  }
  return new StringCommand(bits);
}

/**
 * Whether an exit status counts as success under `_successExitCodes` (only 0 when the
 * list is missing or empty, as pyinfra).
 *
 * @example
 * ```ts
 * import { successful } from "./wrap.ts";
 * successful(0, {}); // true
 * successful(1, { _successExitCodes: [0, 1] }); // true
 * successful(0, { _successExitCodes: [2] }); // false
 * ```
 */
export function successful(
  exitCode: number,
  args: Partial<Pick<ConnectorArguments, "_successExitCodes">>,
): boolean {
  const codes = args._successExitCodes?.length ? args._successExitCodes : [0];
  return codes.includes(exitCode);
}

/** `"KEY=value"` as pyinfra writes it, with `"`, `$`, `` ` `` and a needed `\` escaped. */
function envAssignment(key: string, value: string | number): string {
  if (!ENV_NAME.test(key)) {
    throw new ArgumentError(
      `Invalid environment variable name in _env: ${
        JSON.stringify(key)
      }; use letters, digits and _`,
    );
  }
  // Inside double quotes a backslash only escapes `\ " $ ` and a newline (or ends the
  // string), so only those backslashes are doubled: other values keep pyinfra's text.
  const text = String(value).replace(/\\(?=[\\"$`\n]|$)|["$`]/g, (c) => `\\${c}`);
  return `"${key}=${text}"`;
}

/** The `cd` argument: quoted, but a leading `~` still means the (target) user's home. */
function directoryArgument(dir: string): string {
  if (dir === "~") return "~";
  if (dir.startsWith("~/")) return dir.length === 2 ? "~/" : `~/${shellQuote(dir.slice(2))}`;
  return shellQuote(dir);
}

/** The shell executable's words (`bash`, `bash -l`), each quoted; `sh` when empty. */
function shellWords(shell: string | undefined): string[] {
  const words = (shell ?? "").split(/\s+/).filter(Boolean);
  return words.length ? words.map(shellQuote) : ["sh"];
}

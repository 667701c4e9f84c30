/**
 * The shared command wrapping: env, chdir, shell, sudo, su and doas, done once for every
 * connector. The text is the one pyinfra's `make_unix_command` produces for the same
 * arguments, with one difference: every value is quoted, so no byte of a value or of the
 * command can escape its argument. For ordinary values (user names, paths, env values
 * without `"`, `$`, `` ` `` or `\`) the two are the same, byte for byte; an env value
 * containing `$` is taken literally here where pyinfra's shell would expand it.
 *
 * A sudo password reaches sudo as pyinfra passes it, `sudo -A` running a small askpass
 * helper on the host that prints the password from an environment variable, but the
 * password never appears in any command line (where `ps` would show it to every user of
 * the host, or of the controller for `docker exec`): the wrapped command starts by
 * reading it from its standard input (`IFS= read -r`, a shell builtin) and exporting
 * it, and core's `runCommand` gives it there, as the first line, before any `_stdin`
 * (see {@linkcode withSecretInput}). The helper is created once per host:
 *
 * 1. When a command needs it ({@linkcode needsAskpass}), run {@linkcode sudoAskpassSetup}
 *    on the host as the connecting user (wrapped with `_sudo`, `_su` and `_doas` off);
 *    the first line of its output is the helper's path.
 * 2. Pass that path to every {@linkcode wrapCommand} call of the host as `askpassPath`.
 * 3. At disconnect, run {@linkcode sudoAskpassCleanup} with the path.
 *
 * Under `_sudo`, `_su` or `_doas`, a `_timeout` is also enforced on the host: the shell
 * runs under coreutils' `timeout` (one second later than the controller's own timer),
 * which kills the elevated command's whole process group, a process the connecting user
 * may not signal.
 *
 * @module
 */
import { type CommandPart, MaskedPart, quote, sealedVariable, StringCommand } from "./command.ts";
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
 * `_stdin` as the text a command reads, as pyinfra writes it: a string is one line, and
 * each line gets a newline unless it ends with one. The same on every connector.
 *
 * @example
 * ```ts
 * import { stdinText } from "./wrap.ts";
 * if (stdinText(["a\n", "b"]) !== "a\nb\n" || stdinText("a") !== "a\n") throw new Error();
 * ```
 */
export function stdinText(stdin: string | readonly string[] | undefined): string | undefined {
  if (stdin === undefined) return undefined;
  const lines = typeof stdin === "string" ? [stdin] : stdin;
  return lines.map((line) => line.endsWith("\n") ? line : `${line}\n`).join("");
}

/**
 * The standard input a wrapped command is given: the command's secret input (the sudo
 * password line of {@linkcode wrapCommand}), then the `_stdin` text. Core's `runCommand`
 * builds every command's input with it, so a sudo password reaches sudo on every
 * connector.
 *
 * @param command the command as {@linkcode wrapCommand} returned it
 * @param stdin the `_stdin` text, lines already joined
 * @returns the text to write to the command's standard input, if any
 * @example
 * ```ts
 * import { StringCommand } from "./command.ts";
 * import { withSecretInput } from "./wrap.ts";
 * withSecretInput(new StringCommand(["cat"], { secretInput: "pw\n" }), "data"); // "pw\ndata"
 * withSecretInput(new StringCommand(["cat"]), undefined); // undefined
 * ```
 */
export function withSecretInput(
  command: StringCommand,
  stdin: string | undefined,
): string | undefined {
  if (command.secretInput === undefined) return stdin;
  return command.secretInput + (stdin ?? "");
}

/**
 * Wraps a command with everything the connector arguments ask for, giving the shell
 * text a connector runs with `sh -c`. The command becomes one quoted argument of
 * `SHELL -c`, itself one quoted argument of `su -c` when su is used.
 *
 * @param command the command to run
 * @param args connector arguments after defaults were applied
 * @param options the askpass helper's path; a string is taken as that path (deprecated)
 * @returns the wrapped command; with a sudo password, its `secretInput` holds the
 *   password line the connector must write first to its standard input
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
  // Masked values leave the command line: the command's own shell reads them first.
  const sealed = inner.sealed();
  const masked = sealedInput(sealed.values);
  inner = masked ? new StringCommand([...masked.reads, sealed.command]) : inner;
  let shell = shellWords(args._shellExecutable);
  const elevated = Boolean(args._sudo || args._su || args._suUser || args._doas);
  if (elevated && args._timeout !== undefined && args._timeout > 0) {
    // The controller's timer fires first and reports the timeout; this one kills what
    // the connecting user cannot (a sudo'd command), a second later.
    shell = ["timeout", "-k", "5", String(args._timeout + 1), ...shell];
  }

  const bits: CommandPart[] = [];
  const password = args._sudo && askpassPath ? sudoPasswordOf(args) : undefined;
  if (password !== undefined) {
    if (/[\n\r\0]/.test(password)) {
      throw new ArgumentError(
        "Invalid sudo password: it contains a line break or a NUL byte, which sudo's askpass cannot pass",
      );
    }
    // sudo -E keeps the environment: the command itself must not inherit the password.
    if (args._preserveSudoEnv) {
      inner = new StringCommand(["unset", SUDO_ASKPASS_ENV_VAR, ";", inner]);
    }
    // From standard input into the environment, never through a command line.
    bits.push(
      "IFS=",
      "read",
      "-r",
      SUDO_ASKPASS_ENV_VAR,
      "&&",
      "export",
      SUDO_ASKPASS_ENV_VAR,
      "&&",
    );
  }
  if (args._doas) {
    bits.push("doas", "-n");
    if (args._doasUser) bits.push("-u", quote(args._doasUser));
  }
  if (args._sudo) {
    if (password !== undefined) bits.push("env", quote(`SUDO_ASKPASS=${askpassPath}`));
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
  const input = (password === undefined ? "" : `${password}\n`) + (masked?.input ?? "");
  return new StringCommand(bits, { secretInput: input || undefined });
}

/**
 * How the shell that runs a command gets its sealed masked values (see
 * `StringCommand.sealed`): one line each on standard input, read with `read -r` (which
 * takes one byte at a time from a pipe, so the command's own input is left whole). A
 * value with a line break goes escaped and is decoded by `printf %b`.
 *
 * @throws {ArgumentError} for a NUL byte, which no shell variable can hold
 */
function sealedInput(values: string[]): { reads: CommandPart[]; input: string } | undefined {
  if (!values.length) return undefined;
  const reads: CommandPart[] = [];
  const lines: string[] = [];
  values.forEach((value, i) => {
    if (value.includes("\0")) {
      throw new ArgumentError("A masked value contains a NUL byte, which no shell can hold");
    }
    const name = sealedVariable(i + 1);
    reads.push("IFS=", "read", "-r", name, "&&");
    if (/[\n\r]/.test(value)) {
      lines.push(value.replaceAll("\\", "\\\\").replaceAll("\n", "\\n").replaceAll("\r", "\\r"));
      // The x keeps trailing line breaks from $(...), which drops them.
      reads.push(`${name}=$(printf '%bx' "$${name}")`, "&&", `${name}=\${${name}%x}`, "&&");
    } else lines.push(value);
  });
  return { reads, input: lines.map((line) => line + "\n").join("") };
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
function envAssignment(key: string, value: string | number | MaskedPart): CommandPart {
  if (!ENV_NAME.test(key)) {
    throw new ArgumentError(
      `Invalid environment variable name in _env: ${
        JSON.stringify(key)
      }; use letters, digits and _`,
    );
  }
  // A masked value is quoted (then sealed: read from standard input, see sealedInput).
  if (value instanceof MaskedPart) {
    return new StringCommand([`${key}=`, new MaskedPart(value.value, true)], { separator: "" });
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

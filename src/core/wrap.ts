/**
 * The shared command wrapping: env, chdir, shell, sudo, su and doas, done once for every
 * connector, producing the same shell text as pyinfra's `make_unix_command` except that
 * environment values and the working folder are quoted (pyinfra leaves them raw).
 *
 * @module
 */
import { type CommandPart, mask, quote, StringCommand } from "./command.ts";
import type { ConnectorArguments } from "./arguments.ts";
import { ArgumentError } from "./errors.ts";

/** Environment variable that carries the sudo password to the askpass helper. */
export const SUDO_ASKPASS_ENV_VAR = "TSINFRA_SUDO_PASSWORD";

/**
 * Creates the sudo askpass helper on a host and prints its path: a script that prints
 * the password from {@linkcode SUDO_ASKPASS_ENV_VAR}, so the password never touches
 * the host's disk or a command line shown to people.
 */
export const SUDO_ASKPASS_SETUP = new StringCommand([
  `temp=$(mktemp "\${TMPDIR:=/tmp}/tsinfra-sudo-askpass-XXXXXXXXXXXX")`,
  `&& printf '%s\\n' '#!/bin/sh' 'printf '"'"'%s\\n'"'"' "$${SUDO_ASKPASS_ENV_VAR}"' > "$temp"`,
  `&& chmod 700 "$temp" && echo "$temp"`,
]);

/** The sudo password of the arguments, if any (`_sudoPassword`, or a `_useSudoPassword` string). */
export function sudoPasswordOf(args: Partial<ConnectorArguments>): string | undefined {
  if (args._sudoPassword) return args._sudoPassword;
  if (typeof args._useSudoPassword === "string") return args._useSudoPassword;
  return undefined;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SHELL_NAME = /^[A-Za-z0-9_.+-]+$/;

/**
 * Wraps a command with everything the connector arguments ask for.
 *
 * @param askpassPath where the host's askpass helper is, when a sudo password is used
 * @example
 * ```ts
 * import { StringCommand } from "./command.ts";
 * import { wrapCommand } from "./wrap.ts";
 * import { GLOBAL_ARGUMENT_DEFAULTS } from "./arguments.ts";
 * wrapCommand(new StringCommand(["whoami"]), { ...GLOBAL_ARGUMENT_DEFAULTS, _sudo: true }).raw();
 * // "sudo -H -n sh -c whoami"
 * ```
 */
export function wrapCommand(
  command: StringCommand,
  args: ConnectorArguments,
  askpassPath?: string,
): StringCommand {
  let inner = command;
  const env = Object.entries(args._env ?? {});
  if (env.length) {
    for (const [key] of env) {
      if (!ENV_NAME.test(key)) {
        throw new ArgumentError(
          `Invalid environment variable name in _env: ${JSON.stringify(key)}`,
        );
      }
    }
    inner = new StringCommand(["export", ...env.map(([k, v]) => quote(`${k}=${v}`)), "&&", inner]);
  }
  if (args._chdir) inner = new StringCommand(["cd", quote(args._chdir), "&&", inner]);

  const shell = args._shellExecutable || "sh";
  const bits: CommandPart[] = [];
  if (args._doas) {
    bits.push("doas", "-n");
    if (args._doasUser) bits.push("-u", quote(args._doasUser));
  }
  const password = sudoPasswordOf(args);
  if (args._sudo) {
    if (password && askpassPath) {
      bits.push(
        "env",
        quote(`SUDO_ASKPASS=${askpassPath}`),
        mask(quoteText(`${SUDO_ASKPASS_ENV_VAR}=${password}`)),
      );
    }
    bits.push("sudo", "-H");
    bits.push(...(password && askpassPath ? ["-A", "-k"] : ["-n"]));
    if (args._useSudoLogin) bits.push("-i");
    if (args._preserveSudoEnv) bits.push("-E");
    if (args._sudoUser) bits.push("-u", quote(args._sudoUser));
  }
  const suUser = args._suUser ?? (args._su ? "root" : undefined);
  if (suUser) {
    bits.push("su");
    if (args._useSuLogin) bits.push("-l");
    if (args._preserveSuEnv) bits.push("-m");
    if (args._suShell) {
      if (args._suShell.startsWith("/")) bits.push("-s", quote(args._suShell));
      else if (SHELL_NAME.test(args._suShell)) bits.push("-s", `\`which ${args._suShell}\``);
      else throw new ArgumentError(`Invalid _suShell: ${JSON.stringify(args._suShell)}`);
    }
    bits.push(quote(suUser), "-c", quote(new StringCommand([quote(shell), "-c", quote(inner)])));
  } else {
    bits.push(quote(shell), "-c", quote(inner));
  }
  return new StringCommand(bits);
}

function quoteText(text: string): string {
  return new StringCommand([quote(text)]).raw();
}

/** Whether an exit status counts as success under `_successExitCodes`. */
export function isSuccess(
  exitCode: number,
  args: Pick<ConnectorArguments, "_successExitCodes">,
): boolean {
  return (args._successExitCodes ?? [0]).includes(exitCode);
}

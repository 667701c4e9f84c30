/**
 * Uploads and downloads, the same on every connector. An upload's bytes go to a new
 * private file in the host's temp folder (the connector's `writeFile`), which a shell
 * command run with the transfer's sudo/su wrapping puts in place (see
 * {@linkcode installCommand}): the target is either the old file or the whole new one,
 * and the staged file is removed on every path. A download reads the file directly, or,
 * as another user (sudo/su/doas) or from a relative path, through a private copy made by
 * that user.
 *
 * @module
 */
import type { ConnectorArguments } from "./arguments.ts";
import { quote, sh, StringCommand } from "./command.ts";
import type { CommandOutput, Connector, TransferOptions } from "./connector.ts";
import { CommandError } from "./errors.ts";
import { runCommand } from "./run_command.ts";

/**
 * Writes `content` to `dest` on the host through a staged temporary file, then runs
 * `options.then` (an operation's chmod/chown) in the same round trip when given and
 * returns its output.
 *
 * - A staged copy that cannot be written (a full disk, a dropped connection) is removed
 *   and the error names the target, the staged file and the reason (see
 *   {@linkcode stagingError}).
 * - Ctrl-C (`options.signal`) while the bytes were on their way: nothing is moved into
 *   place, the staged file is removed.
 * - An install that fails leaves the target as it was.
 *
 * @param connector the host's transport
 * @param content the bytes
 * @param dest the target path on the host
 * @param options the transfer's arguments, wrapping, temp folder, `then` and signal
 * @returns the output of `options.then`, when given
 */
export async function uploadFile(
  connector: Connector,
  content: Uint8Array,
  dest: string,
  options: TransferOptions,
): Promise<CommandOutput | void> {
  const args = transferArguments(options.args);
  const temp = stagingPath(options, "upload");
  // Only the connecting user may read the staged file, unless the installing user must.
  const mode = readsAsOtherUser(args, connector.user) ? 0o644 : 0o600;
  try {
    await connector.writeFile(temp, content, { mode });
  } catch (error) {
    let reason = options.signal?.aborted ? "interrupted (Ctrl-C)" : messageOf(error);
    try {
      await connector.removeFile(temp);
    } catch {
      reason += ` (the partial copy ${temp} may remain on the host)`;
    }
    if (options.signal?.aborted) throw interrupted(dest);
    throw await stagingError(connector, dest, temp, reason, content.length, options);
  }
  if (options.signal?.aborted) {
    // Ctrl-C came while the copy was written: the target is left as it was.
    await connector.removeFile(temp).catch(() => {});
    throw interrupted(dest);
  }
  const install = new StringCommand([
    "(",
    installCommand(temp, dest),
    "); s=$?; rm -f",
    quote(temp),
    "2>/dev/null; [ $s -eq 0 ] || exit $s",
  ]);
  let failed = true;
  try {
    const moved = await runCommand(connector, options.wrap(installThen(install, options.then)), {
      args,
    });
    const split = splitInstallOutput(moved, options.then);
    if (split.failed) {
      const reason = split.output.timedOut
        ? "timed out"
        : split.output.stderr.trim() || `exit status ${split.output.exitCode}`;
      throw new CommandError(`Could not move the upload into ${dest}${on(connector)}: ${reason}`);
    }
    failed = false;
    if (options.then) return split.output;
  } finally {
    // The install removes the staged file; not when it was stopped, or ran as a user
    // who may not remove the connecting user's file.
    if (failed || mode !== 0o600) await connector.removeFile(temp).catch(() => {});
  }
}

/**
 * Reads `src` from the host. As the connecting user and by an absolute path, the
 * connector reads it directly; otherwise (sudo/su/doas, or a path relative to `_chdir`)
 * the file is copied by the wrapped user into a temp file only the connecting user may
 * read, which is read and then removed.
 *
 * @param connector the host's transport
 * @param src the file's path on the host
 * @param options the transfer's arguments, wrapping and temp folder
 * @returns the file's bytes
 */
export async function downloadFile(
  connector: Connector,
  src: string,
  options: TransferOptions,
): Promise<Uint8Array> {
  const args = transferArguments(options.args);
  const failed = (reason: string) =>
    new CommandError(`Could not read ${src}${on(connector)}: ${reason}`);
  if (!isElevated(args) && src.startsWith("/")) {
    try {
      return await connector.readFile(src);
    } catch (error) {
      throw failed(messageOf(error));
    }
  }
  const temp = stagingPath(options, "download");
  // Made private (umask 077), then given to the connecting user or, when that cannot be
  // done (an unprivileged user), made readable.
  const give = connector.user === undefined
    ? sh`chmod 644 ${temp}`
    : sh`{ chown ${connector.user} ${temp} 2>/dev/null || chmod 644 ${temp}; }`;
  const copy = new StringCommand([sh`umask 077 && cp -- ${src} ${temp} &&`, give]);
  try {
    const output = await runCommand(connector, options.wrap(copy), { args });
    if (output.exitCode !== 0) {
      throw failed(
        output.timedOut ? "timed out" : output.stderr.trim() || `exit status ${output.exitCode}`,
      );
    }
    try {
      return await connector.readFile(temp);
    } catch (error) {
      throw failed(messageOf(error));
    }
  } finally {
    // Removed by the user who made it (it may not be the connecting user's).
    await runCommand(connector, options.wrap(sh`rm -f ${temp}`), { args }).catch(() => {});
  }
}

/**
 * The error for an upload whose staged copy could not be written, the same on every
 * connector: which target, which staged file, and why. The staging folder's free space
 * is looked at (SFTP only says "Failure"): a folder too full for the file is named.
 *
 * @param connector the host, to look at the staging folder with `df`
 * @param dest the upload's target
 * @param temp the staged file that could not be written
 * @param reason what the transport said
 * @param size the upload's size in bytes
 * @param options the transfer's options (its timeout applies to the look)
 * @returns the error to throw
 */
export async function stagingError(
  connector: Connector,
  dest: string,
  temp: string,
  reason: string,
  size: number,
  options: TransferOptions,
): Promise<CommandError> {
  const folder = temp.slice(0, temp.lastIndexOf("/")) || "/";
  let full = "";
  try {
    const df = await runCommand(
      connector,
      new StringCommand(["df", "-Pk", "--", quote(folder), "2>/dev/null | tail -n 1"]),
      { args: transferArguments(options.args) },
    );
    const availableKiB = Number(df.stdout.trim().split(/\s+/)[3]);
    if (df.exitCode === 0 && availableKiB * 1024 < size) {
      full = ` (${folder} is full: ${availableKiB} KiB free, the file needs ${
        Math.ceil(size / 1024)
      } KiB)`;
    }
  } catch {
    // the connection is gone: the transport's reason stands
  }
  return new CommandError(
    `Could not upload ${dest}: writing the staged copy ${temp} failed: ${reason}${full}`,
  );
}

/**
 * A new staged file name in the transfer's temp folder (`kind`: upload or download).
 *
 * @example
 * ```ts
 * import { stagingPath } from "./transfer.ts";
 * const path = stagingPath({ args: {} as never, wrap: (c) => c }, "upload");
 * path.startsWith("/tmp/tsinfra-upload-"); // true
 * ```
 */
export function stagingPath(options: TransferOptions, kind: "upload" | "download"): string {
  return `${options.tempDir ?? "/tmp"}/tsinfra-${kind}-${crypto.randomUUID()}`;
}

/** Printed (on stderr) when the install step of {@linkcode installThen} failed. */
const INSTALL_FAILED = "__tsinfra_install_failed__";

/**
 * The install step followed by `then` in one script: `then` runs only when the install
 * succeeded, and an install failure is marked so that it is told from a failure of
 * `then` (see {@linkcode splitInstallOutput}).
 *
 * @example
 * ```ts
 * import { sh } from "./command.ts";
 * import { installThen } from "./transfer.ts";
 * installThen(sh`true`).raw(); // "true"
 * ```
 */
export function installThen(install: StringCommand, then?: StringCommand): StringCommand {
  if (!then) return install;
  return new StringCommand([
    "( ",
    install,
    `\n) || { s=$?; echo ${INSTALL_FAILED} >&2; exit $s; }\n`,
    then,
  ], { separator: "" });
}

/**
 * Whether the install step failed, and the output without the marker.
 *
 * @example
 * ```ts
 * import { splitInstallOutput } from "./transfer.ts";
 * const output = { exitCode: 1, stdout: "", stderr: "", timedOut: false };
 * splitInstallOutput(output).failed; // true
 * ```
 */
export function splitInstallOutput(
  output: CommandOutput,
  then?: StringCommand,
): { failed: boolean; output: CommandOutput } {
  if (!then) return { failed: output.exitCode !== 0, output };
  const at = output.stderr.indexOf(INSTALL_FAILED);
  if (at < 0) return { failed: false, output };
  const stderr = output.stderr.slice(0, at) + output.stderr.slice(at + INSTALL_FAILED.length + 1);
  return { failed: true, output: { ...output, stderr } };
}

/**
 * The shell steps that put the staged upload `temp` in place at `dest`, run as the user
 * who must own the result (wrapped with the transfer's sudo/su/doas):
 *
 * - a new file is made beside `dest` (so the last step is a rename within one folder),
 *   starting as a copy of an existing `dest` (`cp -p`) so that its mode, and as root
 *   its owner, stay as they were, as pyinfra's in-place `cp` keeps them;
 * - `temp`'s bytes are written into it, then `mv -f` renames it over `dest`: readers see
 *   the old file or the whole new one, never a part; on any failure the new file is
 *   removed and `dest` is untouched;
 * - a folder at `dest` is refused rather than written into.
 *
 * `temp` is left for the caller to remove.
 *
 * @example
 * ```ts
 * import { installCommand } from "./transfer.ts";
 * installCommand("/tmp/tsinfra-upload-1", "/etc/motd").raw().includes("mv -f "); // true
 * ```
 */
export function installCommand(temp: string, dest: string): StringCommand {
  const slash = dest.lastIndexOf("/");
  const dir = slash < 0 ? "." : dest.slice(0, slash);
  const staged = `${dir}/.tsinfra-${crypto.randomUUID()}`;
  // A read-only copy of `dest` cannot be written to (unless by root): then a new file.
  return sh`s=${staged}; if [ -d ${dest} ]; then printf '%s: is a directory\\n' ${dest} >&2; exit 1; fi; \
if [ -f ${dest} ]; then cp -p -- ${dest} "$s" 2>/dev/null || rm -f "$s"; fi; \
{ cat -- ${temp} 2>/dev/null >"$s" || { rm -f "$s" && cat -- ${temp} >"$s"; }; } \
&& mv -f -- "$s" ${dest} || { rm -f "$s"; exit 1; }`;
}

/**
 * Whether the upload's last step runs as a user other than root and the connecting user
 * (`sudo -u`, `su`, `doas -u`), who must then be able to read the staged file.
 *
 * @example
 * ```ts
 * import { GLOBAL_ARGUMENT_DEFAULTS } from "./arguments.ts";
 * import { readsAsOtherUser } from "./transfer.ts";
 * readsAsOtherUser({ ...GLOBAL_ARGUMENT_DEFAULTS, _sudo: true, _sudoUser: "app" }); // true
 * readsAsOtherUser({ ...GLOBAL_ARGUMENT_DEFAULTS, _sudo: true }); // false
 * ```
 */
export function readsAsOtherUser(args: ConnectorArguments, connectingUser?: string): boolean {
  const user = args._suUser || (args._su ? "root" : undefined) ||
    (args._sudo ? args._sudoUser || "root" : undefined) ||
    (args._doas ? args._doasUser || "root" : undefined);
  return user !== undefined && user !== "root" && user !== connectingUser;
}

/** Whether the transfer runs as another user (sudo, su, doas). */
function isElevated(args: ConnectorArguments): boolean {
  return Boolean(args._sudo || args._suUser || args._su || args._doas);
}

/** Transfers move bytes: no terminal (it would change them) and no standard input. */
function transferArguments(args: ConnectorArguments): ConnectorArguments {
  return { ...args, _getPty: false, _stdin: undefined };
}

function interrupted(dest: string): CommandError {
  return new CommandError(`Upload of ${dest} interrupted: the target was left as it was`);
}

function on(connector: Connector): string {
  return connector.label ? ` on ${connector.label}` : "";
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The last step of an upload, shared by connectors that stage files in the host's temp
 * folder: move the staged file into place with the transfer's sudo/su wrapping, removing
 * it when the move fails, so the target is either the old file or the whole new one.
 *
 * @module
 */
import type { ConnectorArguments } from "../core/arguments.ts";
import type { CommandOutput, Connector, TransferOptions } from "../core/connector.ts";
import { quote, sh, StringCommand } from "../core/command.ts";
import { CommandError } from "../core/errors.ts";

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
    const df = await connector.runShellCommand(
      new StringCommand(["df", "-Pk", "--", quote(folder), "2>/dev/null | tail -n 1"]),
      { args: { ...options.args, _stdin: undefined, _getPty: false } },
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

/** A new staged file name in the transfer's temp folder (`kind`: upload or download). */
export function stagingPath(options: TransferOptions, kind: "upload" | "download"): string {
  return `${options.tempDir ?? "/tmp"}/tsinfra-${kind}-${crypto.randomUUID()}`;
}

/** How a connector copies bytes to a staged file on its host. */
export interface Stager {
  /** Writes the bytes to `temp` on the host; throws (with the transport's reason) when it fails. */
  stage(temp: string): Promise<void>;
  /** Removes what a failed `stage` may have left at `temp`. */
  discard(temp: string): Promise<void>;
}

/**
 * An upload the way every staging connector does it: the bytes go to a new temp file,
 * a partial copy is removed when that fails (one error naming the target, the staged
 * file and the reason), and the file is then moved into place (see
 * {@linkcode moveIntoPlace}).
 */
export async function stagedUpload(
  connector: Connector,
  content: Uint8Array,
  dest: string,
  options: TransferOptions,
  stager: Stager,
): Promise<CommandOutput | void> {
  const temp = stagingPath(options, "upload");
  try {
    await stager.stage(temp);
  } catch (error) {
    await stager.discard(temp).catch(() => {});
    const reason = error instanceof Error ? error.message : String(error);
    throw await stagingError(connector, dest, temp, reason, content.length, options);
  }
  return await moveIntoPlace(connector, temp, dest, options);
}

/**
 * Puts the staged upload `temp` in place at `dest` on the host through `connector` (see
 * {@linkcode installCommand}: an existing file keeps its mode and owner), with the
 * transfer's sudo/su wrapping, then removes `temp`.
 */
export async function moveIntoPlace(
  connector: Connector,
  temp: string,
  dest: string,
  options: TransferOptions,
): Promise<CommandOutput | void> {
  const args = { ...options.args, _stdin: undefined };
  if (readsAsOtherUser(options.args)) {
    // The staged file belongs to the connecting user; the installing user must read it.
    await connector.runShellCommand(new StringCommand(["chmod", "644", quote(temp)]), { args });
  }
  const install = new StringCommand([
    "(",
    installCommand(temp, dest),
    "); s=$?; rm -f",
    quote(temp),
    "2>/dev/null; [ $s -eq 0 ] || exit $s",
  ]);
  const moved = await connector.runShellCommand(options.wrap(installThen(install, options.then)), {
    args,
  });
  const { failed, output } = splitInstallOutput(moved, options.then);
  if (failed) throw new CommandError(`Could not move upload into ${dest}: ${output.stderr.trim()}`);
  if (options.then) return output;
}

/** Printed (on stderr) when the install step of {@linkcode installThen} failed. */
const INSTALL_FAILED = "__tsinfra_install_failed__";

/**
 * The install step followed by `then` in one script: `then` runs only when the install
 * succeeded, and an install failure is marked so that it is told from a failure of
 * `then` (see {@linkcode splitInstallOutput}).
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

/** Whether the install step failed, and the output without the marker. */
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
 * import { installCommand } from "./move.ts";
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
 * import { GLOBAL_ARGUMENT_DEFAULTS } from "../core/arguments.ts";
 * import { readsAsOtherUser } from "./move.ts";
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

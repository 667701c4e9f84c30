/**
 * `files.rsync`: the controller's `rsync` binary copies a folder to the host.
 *
 * pyinfra runs rsync through the SSH and local connectors. tsinfra's connectors have no
 * rsync transport yet, so the operation runs on `@local` hosts only (where the host is
 * the controller and the command is a plain `rsync SRC DEST`, with `_sudo` and the other
 * global arguments applied as to any command); elsewhere it fails at prepare, as pyinfra
 * does for a connector without rsync. `files.sync` works everywhere.
 *
 * @module
 */
import { defineOperation, type Operation, type OperationHost } from "../../core/operation.ts";
import { quote, StringCommand } from "../../core/command.ts";
import { OperationError, OperationTypeError } from "../../core/errors.ts";

/** Options of {@linkcode rsync}. */
export interface RsyncOptions {
  /**
   * The controller folder or file; `./x` is relative to the calling deploy file. As
   * with rsync itself, a trailing `/` copies the folder's contents rather than the
   * folder.
   */
  src: string;
  /** Where it goes on the host. */
  dest: string;
  /** rsync's flags, each one argument. @default {["-ax", "--delete"]} */
  flags?: string[];
}

/** Whether the host's connector is the local one (the rule of `connectorFor`). */
function isLocalHost(host: OperationHost): boolean {
  const chosen = typeof host.data.connector === "string" ? host.data.connector : host.name;
  return chosen === "@local";
}

/**
 * Copies a controller folder to the host with `rsync` (`-ax --delete` by default), on
 * every run (rsync itself skips unchanged files).
 *
 * @example
 * ```ts ignore
 * import { files } from "tsinfra/operations";
 * files.rsync({ src: "./site/", dest: "/var/www/site", flags: ["-a", "--delete"] });
 * ```
 */
export const rsync: Operation<RsyncOptions> = defineOperation<RsyncOptions>("files.rsync", {
  summary: "Use rsync to sync a local directory to the remote system.",
  argNames: ["src", "dest", "flags"],
  localPathArgs: ["src"],
  idempotent: false,
  validate(args) {
    const flags = args.flags ?? [];
    if (!Array.isArray(flags) || flags.some((f) => typeof f !== "string")) {
      throw new OperationTypeError("`flags` must be a list of strings");
    }
  },
  async *generator(args, ctx) {
    if (!isLocalHost(ctx.host)) {
      throw new OperationError(
        "This connector does not support rsync (tsinfra runs files.rsync on @local hosts " +
          "only; files.sync works on every connector)",
      );
    }
    let src = ctx.local.resolve(args.src);
    if (args.src.endsWith("/") && !src.endsWith("/")) src += "/";
    const flags = args.flags ?? ["-ax", "--delete"];
    yield new StringCommand(["rsync", ...flags.map((f) => quote(f)), quote(src), quote(args.dest)]);
  },
});

/**
 * `files.directory`: a folder that exists (or not) with the wanted owner and mode; and
 * the parent-folder step that `files.file`, `files.link` and `files.put` share.
 *
 * @module
 */
import * as posix from "node:path/posix";
import { defineOperation, type Operation, type OperationContext } from "../../core/operation.ts";
import { type OperationCommand, quote, StringCommand } from "../../core/command.ts";
import { Directory, Link, operandPath } from "../../facts/files.ts";
import {
  chmod,
  chown,
  ensureModeInt,
  fixModeOwner,
  type ForceOptions,
  type Mode,
  replaceInvalidPath,
  validatePath,
} from "../util/files.ts";

/** Options of {@linkcode directory}. */
export interface DirectoryOptions extends ForceOptions {
  /** Path of the folder on the host. */
  path: string;
  /**
   * Whether the folder should exist (`false` removes it with everything inside). @default {true}
   */
  present?: boolean;
  /** User that should own the folder. @default {null} (left as it is) */
  user?: string | null;
  /** Group that should own the folder. @default {null} (left as it is) */
  group?: string | null;
  /**
   * Permissions, as octal digits (`755`, `"0755"`) or symbolic (`"u+rwx"`). @default {null} (left
   * as it is)
   */
  mode?: Mode | null;
  /**
   * Apply `user`, `group` and `mode` to everything inside too (`chown -R`, `chmod -R`). @default
   * {false}
   */
  recursive?: boolean;
  /**
   * Internal (pyinfra's `_no_check_owner_mode`): when the folder exists, leave its owner
   * and mode alone. Set by operations that create a parent folder. @default {false}
   */
  _noCheckOwnerMode?: boolean;
  /**
   * Internal (pyinfra's `_no_fail_on_link`): a link at `path` counts as the folder.
   * Set by operations that create a parent folder. @default {false}
   */
  _noFailOnLink?: boolean;
}

async function* generateDirectory(
  args: DirectoryOptions,
  ctx: OperationContext,
): AsyncGenerator<OperationCommand, void, undefined> {
  const path = validatePath(args.path);
  const mode = ensureModeInt(args.mode);
  const { present = true, user, group, recursive = false } = args;
  let info = await ctx.host.getFact(Directory, { path });
  if (info === false) {
    if (args._noFailOnLink && await ctx.host.getFact(Link, { path })) {
      ctx.noop(`directory ${path} already exists (as a link)`);
      return;
    }
    yield* replaceInvalidPath("directory", path, args, ctx);
    info = null;
  }
  if (!present) {
    if (info) yield new StringCommand(["rm", "-rf", quote(operandPath(path))]);
    else ctx.noop(`directory ${path} does not exist`);
    return;
  }
  if (info === null) {
    yield new StringCommand(["mkdir", "-p", quote(operandPath(path))]);
    if (mode) yield chmod(path, mode, recursive);
    if (user || group) yield chown(path, user, group, recursive);
    return;
  }
  if (args._noCheckOwnerMode) return;
  if (!(yield* fixModeOwner(path, info, { mode, user, group }, { recursive }))) {
    ctx.noop(`directory ${path} already exists`);
  }
}

/**
 * Ensures a folder exists (or not), with its owner and mode. A path of another type
 * fails, unless `force` moves it aside (or removes it).
 *
 * @example
 * ```ts ignore
 * import { files } from "tsinfra/operations";
 * files.directory({ path: "/srv/app", user: "app", group: "app", mode: 755 });
 * files.directory({ path: "/tmp/old", present: false });
 * ```
 */
export const directory: Operation<DirectoryOptions> = defineOperation<DirectoryOptions>(
  "files.directory",
  {
    summary: "Add/remove/update directories.",
    argNames: [
      "path",
      "present",
      "user",
      "group",
      "mode",
      "recursive",
      "force",
      "forceBackup",
      "forceBackupDir",
      "_noCheckOwnerMode",
      "_noFailOnLink",
    ],
    generator: generateDirectory,
  },
);

/**
 * Creates the parent folder of a host path when it is missing (pyinfra's
 * `_create_remote_dir`): an existing folder, or a link, is left as it is.
 */
export async function* createRemoteDir(
  path: string,
  user: string | null | undefined,
  group: string | null | undefined,
  ctx: OperationContext,
): AsyncGenerator<OperationCommand, void, undefined> {
  const dir = posix.dirname(path);
  // pyinfra skips an empty dirname ("file" alone); posix.dirname says ".".
  if (dir && dir !== "." && dir !== path) {
    yield* generateDirectory(
      { path: dir, user, group, _noCheckOwnerMode: true, _noFailOnLink: true },
      ctx,
    );
  }
}

/**
 * `files.file`: a file that exists (or not) with the wanted owner and mode.
 *
 * @module
 */
import { defineOperation, type Operation } from "../../core/operation.ts";
import { quote, StringCommand } from "../../core/command.ts";
import { File, operandPath } from "../../facts/files.ts";
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
import { createRemoteDir } from "./directory.ts";

/** Options of {@linkcode file}. */
export interface FileOptions extends ForceOptions {
  /** Path of the file on the host. */
  path: string;
  /** Whether the file should exist (it is created empty). @default {true} */
  present?: boolean;
  /** User that should own the file. @default {null} (left as it is) */
  user?: string | null;
  /** Group that should own the file. @default {null} (left as it is) */
  group?: string | null;
  /**
   * Permissions, as octal digits (`644`, `"0644"`) or symbolic (`"u+x"`). @default {null} (left as
   * it is)
   */
  mode?: Mode | null;
  /**
   * Update the file's times even when it exists (then the operation always changes something).
   * @default {false}
   */
  touch?: boolean;
  /**
   * Create the parent folder when it is missing (with `user` and `group`, not `mode`). @default
   * {true}
   */
  createRemoteDir?: boolean;
}

/**
 * Ensures a file exists (created empty) or not, with its owner and mode. A path of
 * another type fails, unless `force` moves it aside (or removes it).
 *
 * @example
 * ```ts ignore
 * import { files } from "tsinfra/operations";
 * files.file({ path: "/var/log/app/app.log", user: "app", group: "app", mode: 640 });
 * files.file({ path: "/etc/motd", present: false });
 * ```
 */
export const file: Operation<FileOptions> = defineOperation<FileOptions>("files.file", {
  summary: "Add/remove/update files.",
  argNames: [
    "path",
    "present",
    "user",
    "group",
    "mode",
    "touch",
    "createRemoteDir",
    "force",
    "forceBackup",
    "forceBackupDir",
  ],
  async *generator(args, ctx) {
    const path = validatePath(args.path);
    const mode = ensureModeInt(args.mode);
    const { present = true, user, group } = args;
    let info = await ctx.host.getFact(File, { path });
    if (info === false) {
      yield* replaceInvalidPath("file", path, args, ctx);
      info = null;
    }
    if (!present) {
      if (info) yield new StringCommand(["rm", "-f", quote(operandPath(path))]);
      else ctx.noop(`file ${path} does not exist`);
      return;
    }
    if (info === null) {
      if (args.createRemoteDir ?? true) yield* createRemoteDir(path, user, group, ctx);
      yield new StringCommand(["touch", quote(operandPath(path))]);
      if (mode) yield chmod(path, mode);
      if (user || group) yield chown(path, user, group);
      return;
    }
    let changed = false;
    if (args.touch) {
      changed = true;
      yield new StringCommand(["touch", quote(operandPath(path))]);
    }
    if (yield* fixModeOwner(path, info, { mode, user, group })) changed = true;
    if (!changed) ctx.noop(`file ${path} already exists`);
  },
});

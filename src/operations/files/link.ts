/**
 * `files.link`: a symbolic (or hard) link that exists (or not) and points at a target.
 *
 * @module
 */
import { defineOperation, type Operation } from "../../core/operation.ts";
import { quote, StringCommand } from "../../core/command.ts";
import { Link, operandPath } from "../../facts/files.ts";
import { OperationError } from "../../core/errors.ts";
import {
  chown,
  fixModeOwner,
  type ForceOptions,
  replaceInvalidPath,
  validatePath,
} from "../util/files.ts";
import { createRemoteDir } from "./directory.ts";

/** Options of {@linkcode link}. */
export interface LinkOptions extends ForceOptions {
  /** Path of the link on the host. */
  path: string;
  /** What the link points at, written as given (required when `present`). @default {null} */
  target?: string | null;
  /** Whether the link should exist. @default {true} */
  present?: boolean;
  /** User that should own the link itself (`chown -h`). @default {null} (left as it is) */
  user?: string | null;
  /** Group that should own the link itself (`chown -h`). @default {null} (left as it is) */
  group?: string | null;
  /** A symbolic link (`ln -s`) rather than a hard one (`ln`). @default {true} */
  symbolic?: boolean;
  /** Create the parent folder when it is missing (with `user` and `group`). @default {true} */
  createRemoteDir?: boolean;
}

/**
 * Ensures a link exists (or not) and points at `target`; a link to another target is
 * replaced. A path of another type fails, unless `force` moves it aside (or removes it).
 *
 * @example
 * ```ts ignore
 * import { files } from "tsinfra/operations";
 * files.link({
 *   path: "/etc/nginx/sites-enabled/app",
 *   target: "/etc/nginx/sites-available/app",
 * });
 * ```
 */
export const link: Operation<LinkOptions> = defineOperation<LinkOptions>("files.link", {
  summary: "Add/remove/update links.",
  argNames: [
    "path",
    "target",
    "present",
    "user",
    "group",
    "symbolic",
    "createRemoteDir",
    "force",
    "forceBackup",
    "forceBackupDir",
  ],
  async *generator(args, ctx) {
    const path = validatePath(args.path);
    const { present = true, user, group, target } = args;
    if (present && !target) throw new OperationError("If present is True target must be provided");
    let info = await ctx.host.getFact(Link, { path });
    if (info === false) {
      yield* replaceInvalidPath("link", path, args, ctx);
      info = null;
    }
    const remove = new StringCommand(["rm", "-f", quote(operandPath(path))]);
    if (!present || !target) {
      if (info) yield remove;
      else ctx.noop(`link ${path} does not exist`);
      return;
    }
    const add = new StringCommand([
      (args.symbolic ?? true) ? "ln -s" : "ln",
      // A target is written into the link as given, so it cannot take `./`: `--` ends
      // ln's options instead (only when needed, so ordinary commands keep their bytes).
      ...(target.startsWith("-") ? ["--"] : []),
      quote(target),
      quote(operandPath(path)),
    ]);
    if (info === null) {
      if (args.createRemoteDir ?? true) yield* createRemoteDir(path, user, group, ctx);
      yield add;
      if (user || group) yield chown(path, user, group, false, false);
      return;
    }
    let changed = false;
    if (info.link_target !== target) {
      changed = true;
      yield remove;
      yield add;
    }
    if (yield* fixModeOwner(path, info, { user, group }, { dereference: false })) changed = true;
    if (!changed) ctx.noop(`link ${path} already exists`);
  },
});

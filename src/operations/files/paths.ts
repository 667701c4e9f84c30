/**
 * `files.file`, `files.directory` and `files.link`: paths that exist (or not) with the
 * wanted type, owner and mode.
 *
 * @module
 */
import * as posix from "node:path/posix";
import { defineOperation, type OperationContext } from "../../core/operation.ts";
import { type OperationCommand, quote, StringCommand } from "../../core/command.ts";
import { Directory, File, Link } from "../../facts/files.ts";
import { OperationError, OperationTypeError } from "../../core/errors.ts";
import { chmod, chown, ensureModeInt, type Mode } from "../util/files.ts";

/** Options shared by operations that replace a path of the wrong type. */
export interface ForceOptions {
  /** Remove (or back up) whatever is at the path when it has the wrong type. @default {false} */
  force?: boolean;
  /** With `force`, move the old path aside rather than deleting it. @default {true} */
  forceBackup?: boolean;
  /** With `force`, move the backup into this folder. */
  forceBackupDir?: string | null;
}

function validatePath(path: unknown): string {
  if (typeof path !== "string") {
    throw new OperationTypeError("`path` must be a string or `os.PathLike` object");
  }
  return path;
}

/** Backs up or removes a path of the wrong type, or fails when `force` is off. */
export function* replaceInvalidPath(
  kind: string,
  path: string,
  options: ForceOptions,
  ctx: OperationContext,
): Generator<OperationCommand> {
  if (!options.force) throw new OperationError(`${path} exists and is not a ${kind}`);
  if (options.forceBackup ?? true) {
    let backup = `${path}.${ctx.timestamp()}`;
    if (options.forceBackupDir) backup = `${options.forceBackupDir}/${posix.basename(backup)}`;
    yield new StringCommand(["mv", quote(path), quote(backup)]);
  } else {
    yield new StringCommand(["rm", "-rf", quote(path)]);
  }
}

/** Options of {@linkcode directory}. */
export interface DirectoryOptions extends ForceOptions {
  /** The folder. */
  path: string;
  /** Whether it should exist. @default {true} */
  present?: boolean;
  /** Owner. */
  user?: string | null;
  /** Group. */
  group?: string | null;
  /** Mode, e.g. 755. */
  mode?: Mode | null;
  /** Apply owner and mode to everything inside too. @default {false} */
  recursive?: boolean;
}

/** Internal switches used when another operation creates a parent folder. */
interface DirectoryInternals {
  noCheckOwnerMode?: boolean;
  noFailOnLink?: boolean;
}

/** The directory generator, with the switches `files.put` and friends need. */
export async function* ensureDirectory(
  args: DirectoryOptions,
  ctx: OperationContext,
  internals: DirectoryInternals = {},
): AsyncGenerator<OperationCommand, void, undefined> {
  const path = validatePath(args.path);
  const mode = ensureModeInt(args.mode);
  const { present = true, user, group, recursive = false } = args;
  let info = await ctx.host.getFact(Directory, { path });
  if (info === false) {
    if (internals.noFailOnLink && await ctx.host.getFact(Link, { path })) {
      ctx.noop(`directory ${path} already exists (as a link)`);
      return;
    }
    yield* replaceInvalidPath("directory", path, args, ctx);
    info = null;
  }
  if (!present) {
    if (info) yield new StringCommand(["rm", "-rf", quote(path)]);
    else ctx.noop(`directory ${path} does not exist`);
    return;
  }
  if (info === null) {
    yield new StringCommand(["mkdir", "-p", quote(path)]);
    if (mode) yield chmod(path, mode, recursive);
    if (user || group) yield chown(path, user, group, recursive);
    return;
  }
  if (internals.noCheckOwnerMode) return;
  let changed = false;
  if (mode && info.mode !== mode) {
    yield chmod(path, mode, recursive);
    changed = true;
  }
  if ((user && info.user !== user) || (group && info.group !== group)) {
    yield chown(path, user, group, recursive);
    changed = true;
  }
  if (!changed) ctx.noop(`directory ${path} already exists`);
}

/** Creates the parent folder of a remote path, leaving an existing one as it is. */
export async function* ensureParentDirectory(
  path: string,
  user: string | null | undefined,
  group: string | null | undefined,
  ctx: OperationContext,
): AsyncGenerator<OperationCommand, void, undefined> {
  const dir = posix.dirname(path);
  if (dir && dir !== "." && dir !== path) {
    yield* ensureDirectory({ path: dir, user, group }, ctx, {
      noCheckOwnerMode: true,
      noFailOnLink: true,
    });
  }
}

/**
 * Ensures a folder exists (or not), with its owner and mode.
 *
 * @example
 * ```ts ignore
 * files.directory({ path: "/srv/app", user: "app", group: "app", mode: 755 });
 * ```
 */
export const directory = defineOperation<DirectoryOptions>("files.directory", {
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
  ],
  generator: (args, ctx) => ensureDirectory(args, ctx),
});

/** Options of {@linkcode file}. */
export interface FileOptions extends ForceOptions {
  /** The file. */
  path: string;
  /** Whether it should exist. @default {true} */
  present?: boolean;
  /** Owner. */
  user?: string | null;
  /** Group. */
  group?: string | null;
  /** Mode, e.g. 644. */
  mode?: Mode | null;
  /** Update the file's times even when it exists (not idempotent). @default {false} */
  touch?: boolean;
  /** Create the parent folder when missing. @default {true} */
  createRemoteDir?: boolean;
}

/**
 * Ensures a file exists (empty when created) or not, with its owner and mode.
 *
 * @example
 * ```ts ignore
 * files.file({ path: "/var/log/app.log", user: "app", mode: 640 });
 * ```
 */
export const file = defineOperation<FileOptions>("files.file", {
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
      if (info) yield new StringCommand(["rm", "-f", quote(path)]);
      else ctx.noop(`file ${path} does not exist`);
      return;
    }
    if (info === null) {
      if (args.createRemoteDir ?? true) yield* ensureParentDirectory(path, user, group, ctx);
      yield new StringCommand(["touch", quote(path)]);
      if (mode) yield chmod(path, mode);
      if (user || group) yield chown(path, user, group);
      return;
    }
    let changed = false;
    if (args.touch) {
      changed = true;
      yield new StringCommand(["touch", quote(path)]);
    }
    if (mode && info.mode !== mode) {
      yield chmod(path, mode);
      changed = true;
    }
    if ((user && info.user !== user) || (group && info.group !== group)) {
      yield chown(path, user, group);
      changed = true;
    }
    if (!changed) ctx.noop(`file ${path} already exists`);
  },
});

/** Options of {@linkcode link}. */
export interface LinkOptions extends ForceOptions {
  /** The link. */
  path: string;
  /** Where it points (required when present). */
  target?: string | null;
  /** Whether it should exist. @default {true} */
  present?: boolean;
  /** Owner of the link itself. */
  user?: string | null;
  /** Group of the link itself. */
  group?: string | null;
  /** A symbolic link rather than a hard one. @default {true} */
  symbolic?: boolean;
  /** Create the parent folder when missing. @default {true} */
  createRemoteDir?: boolean;
}

/**
 * Ensures a link exists (or not) and points at `target`.
 *
 * @example
 * ```ts ignore
 * files.link({ path: "/etc/nginx/sites-enabled/app", target: "/etc/nginx/sites-available/app" });
 * ```
 */
export const link = defineOperation<LinkOptions>("files.link", {
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
    const remove = new StringCommand(["rm", "-f", quote(path)]);
    if (!present) {
      if (info) yield remove;
      else ctx.noop(`link ${path} does not exist`);
      return;
    }
    const add = new StringCommand([
      (args.symbolic ?? true) ? "ln -s" : "ln",
      quote(target!),
      quote(path),
    ]);
    if (info === null) {
      if (args.createRemoteDir ?? true) yield* ensureParentDirectory(path, user, group, ctx);
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
    if ((user && info.user !== user) || (group && info.group !== group)) {
      yield chown(path, user, group, false, false);
      changed = true;
    }
    if (!changed) ctx.noop(`link ${path} already exists`);
  },
});

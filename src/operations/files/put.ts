/**
 * `files.put`: a controller file uploaded to the host when the host's copy differs
 * (compared by SHA1); and the upload step that `files.template` and `files.sync` share.
 *
 * @module
 */
import * as posix from "node:path/posix";
import { defineOperation, type Operation, type OperationContext } from "../../core/operation.ts";
import { type OperationCommand, UploadCommand } from "../../core/command.ts";
import { Directory, File, Sha1File, type StatValue } from "../../facts/files.ts";
import { OperationError } from "../../core/errors.ts";
import {
  chmod,
  chown,
  ensureModeInt,
  fixModeOwner,
  LocalFileError,
  type Mode,
  sha1,
  unixPathJoin,
} from "../util/files.ts";
import { createRemoteDir } from "./directory.ts";

/** What {@linkcode uploadIfChanged} sends. */
export interface UploadSource {
  /** The upload command for a destination. */
  command: (dest: string) => UploadCommand;
  /** The SHA1 of the content; null when not known at prepare (`assumeExists`). */
  sum: string | null;
  /** The controller path, when the source is a file: names the file in a dest folder. */
  path?: string;
}

/** Owner, mode and parent-folder options of an upload. */
export interface UploadOptions {
  /** User that should own the file. @default {null} (left as it is) */
  user?: string | null;
  /** Group that should own the file. @default {null} (left as it is) */
  group?: string | null;
  /** Permissions of the file. @default {null} (left as it is) */
  mode?: Mode | null;
  /** Create the parent folder when it is missing. @default {true} */
  createRemoteDir?: boolean;
  /** Upload even when the host's copy has the same content. @default {false} */
  force?: boolean;
}

/**
 * No file: null, false (another type), or an empty record (a recorded fact with no
 * fields, which is falsy in Python).
 */
function absent(info: StatValue): info is null | false {
  return !info || (typeof info === "object" && Object.keys(info).length === 0);
}

/**
 * Uploads `source` to `destination` unless the host has the same content (SHA1), then
 * sets owner and mode; an existing same-content file only gets owner and mode fixed.
 * A destination that is a folder receives the file under the source's name.
 */
export async function* uploadIfChanged(
  source: UploadSource,
  destination: string,
  options: UploadOptions,
  ctx: OperationContext,
): AsyncGenerator<OperationCommand, void, undefined> {
  const { user, group, mode } = options;
  let dest = destination;
  // The content's hash goes out with the file's state: one round trip, not two.
  ctx.host.prefetch?.(Sha1File, { path: dest });
  let remote = await ctx.host.getFact(File, { path: dest });
  if (absent(remote) && await ctx.host.getFact(Directory, { path: dest })) {
    if (!source.path) throw new OperationError(`Destination ${dest} is a directory`);
    dest = unixPathJoin(dest, posix.basename(source.path));
    remote = await ctx.host.getFact(File, { path: dest });
  }
  if (options.createRemoteDir ?? true) yield* createRemoteDir(dest, user, group, ctx);
  const upload = function* () {
    yield source.command(dest);
    if (user || group) yield chown(dest, user, group);
    if (mode) yield chmod(dest, mode);
  };
  if (absent(remote) || options.force) {
    yield* upload();
    return;
  }
  const remoteSum = await ctx.host.getFact(Sha1File, { path: dest });
  if (source.sum !== remoteSum) {
    yield* upload();
    return;
  }
  if (!(yield* fixModeOwner(dest, remote, { mode, user, group }))) {
    ctx.noop(`file ${dest} is already uploaded`);
  }
}

/**
 * Uploads in-memory content (a generated file) unless the host has the same.
 *
 * @example
 * ```ts ignore
 * yield* putContent("127.0.0.1 localhost\n", "/etc/hosts", { mode: 644 }, ctx);
 * ```
 */
export function putContent(
  content: string | Uint8Array,
  dest: string,
  options: Omit<UploadOptions, "force">,
  ctx: OperationContext,
  secrets: readonly string[] = [],
): AsyncGenerator<OperationCommand, void, undefined> {
  return uploadIfChanged(
    { command: (d) => new UploadCommand({ content }, d, {}, secrets), sum: sha1(content) },
    dest,
    options,
    ctx,
  );
}

/** Options of {@linkcode put}. */
export interface PutOptions {
  /** The controller file; `./x` is relative to the deploy file that calls the operation. */
  src: string;
  /** Where it goes on the host; an existing folder receives the file under its own name. */
  dest: string;
  /** User that should own the file. @default {null} (left as it is) */
  user?: string | null;
  /** Group that should own the file. @default {null} (left as it is) */
  group?: string | null;
  /**
   * Permissions (`644`, `"u+x"`), or `true` to copy the controller file's. @default {null} (left as
   * it is)
   */
  mode?: Mode | boolean | null;
  /**
   * Kept for pyinfra compatibility and ignored: tsinfra always resolves `src` (`./x`
   * against the calling file, other relative paths against the deploy folder).
   * @default {true}
   */
  addDeployDir?: boolean;
  /**
   * Create the parent folder when it is missing (with `user` and `group`, not `mode`). @default
   * {true}
   */
  createRemoteDir?: boolean;
  /** Upload even when the host's copy has the same content. @default {false} */
  force?: boolean;
  /** Do not fail when `src` is missing at prepare (an earlier step makes it). @default {false} */
  assumeExists?: boolean;
}

/**
 * Uploads a file from the controller when the host's copy differs (by SHA1), and sets
 * its owner and mode.
 *
 * @example
 * ```ts ignore
 * import { files } from "tsinfra/operations";
 * files.put({ src: "./files/app.conf", dest: "/etc/app/app.conf", mode: 644 });
 * files.put({ src: "./bin/tool", dest: "/usr/local/bin/", mode: true });
 * ```
 */
export const put: Operation<PutOptions> = defineOperation<PutOptions>("files.put", {
  summary: "Upload a local file, or file-like object, to the remote system.",
  argNames: [
    "src",
    "dest",
    "user",
    "group",
    "mode",
    "addDeployDir",
    "createRemoteDir",
    "force",
    "assumeExists",
  ],
  localPathArgs: ["src"],
  async *generator(args, ctx) {
    const src = ctx.local.resolve(args.src);
    const exists = ctx.local.isFile(src);
    if (!exists && !args.assumeExists) throw new LocalFileError(`No such file: ${src}`);
    const sum = exists ? sha1(ctx.local.readBytes(src)) : null;
    const mode = args.mode === true
      ? (exists ? ctx.local.mode(src) : null)
      : ensureModeInt(args.mode === false ? null : args.mode);
    yield* uploadIfChanged(
      { command: (dest) => new UploadCommand({ path: src }, dest), sum, path: src },
      args.dest,
      { ...args, mode },
      ctx,
    );
  },
});

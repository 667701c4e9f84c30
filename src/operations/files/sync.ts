/**
 * `files.sync`: a host folder made to hold a controller folder's files, uploading what
 * differs and optionally deleting extra files.
 *
 * @module
 */
import * as posix from "node:path/posix";
import { defineOperation, type Operation } from "../../core/operation.ts";
import { UploadCommand } from "../../core/command.ts";
import { FindFiles, Link } from "../../facts/files.ts";
import {
  asList,
  ensureModeInt,
  fnmatchRegExp,
  LocalFileError,
  type Mode,
  sha1,
  unixPathJoin,
} from "../util/files.ts";
import { directory } from "./directory.ts";
import { file } from "./file.ts";
import { uploadIfChanged } from "./put.ts";

/** Options of {@linkcode sync}. */
export interface SyncOptions {
  /** The controller folder; `./x` is relative to the calling deploy file. */
  src: string;
  /** The host folder (when it is a link, the link's target folder is ensured). */
  dest: string;
  /** User that should own every file and folder. @default {null} (left as it is) */
  user?: string | null;
  /** Group that should own every file and folder. @default {null} (left as it is) */
  group?: string | null;
  /** Permissions of the files. @default {null} (each controller file's own) */
  mode?: Mode | null;
  /** Permissions of the folders. @default {null} (each controller folder's own) */
  dirMode?: Mode | null;
  /**
   * Delete host files under `dest` that the controller folder does not have (not folders). @default
   * {false}
   */
  delete?: boolean;
  /**
   * `fnmatch` patterns of files to leave out, matched against the controller path of
   * each file (and the host path when deleting), e.g. `"*.pyc"`. @default {null}
   */
  exclude?: string | string[] | null;
  /**
   * `fnmatch` patterns of folders to leave out, matched against the path relative to
   * `src`. `*` also matches `/`, so `["__pycache__", "*[/]__pycache__"]` leaves out
   * every `__pycache__` folder (`[/]` is `/`, written so in this comment). @default {null}
   */
  excludeDir?: string | string[] | null;
  /**
   * Kept for pyinfra compatibility and ignored: tsinfra always resolves `src`.
   * @default {true}
   */
  addDeployDir?: boolean;
}

/**
 * Makes a host folder hold a controller folder's files: missing folders are created,
 * files whose content differs (by SHA1) are uploaded, owners and modes are set, and with
 * `delete` extra host files are removed.
 *
 * @example
 * ```ts ignore
 * import { files } from "tsinfra/operations";
 * files.sync({
 *   src: "./site",
 *   dest: "/var/www/site",
 *   user: "www-data",
 *   delete: true,
 *   exclude: "*.tmp",
 *   excludeDir: [".git", "node_modules", "*[/]node_modules"],
 * });
 * ```
 */
export const sync: Operation<SyncOptions> = defineOperation<SyncOptions>("files.sync", {
  summary: "Syncs a local directory with a remote one, with delete support.",
  argNames: [
    "src",
    "dest",
    "user",
    "group",
    "mode",
    "dirMode",
    "delete",
    "exclude",
    "excludeDir",
    "addDeployDir",
  ],
  localPathArgs: ["src"],
  async *generator(args, ctx) {
    const src = ctx.local.resolve(posix.normalize(args.src));
    if (!ctx.local.isDir(src)) throw new LocalFileError(`No such directory: ${args.src}`);
    const exclude = asList(args.exclude).map(fnmatchRegExp);
    const excludeDir = asList(args.excludeDir).map(fnmatchRegExp);
    const { user, group, dest } = args;
    const dirMode = ensureModeInt(args.dirMode);
    const fileMode = ensureModeInt(args.mode);

    const putFiles: [local: string, remote: string][] = [];
    const ensureDirs: [relative: string, mode: number][] = [];
    const skipped: string[] = [];
    for (const entry of ctx.local.walk(src)) {
      const relative = posix.normalize(posix.relative(src, entry.dir)) || ".";
      // A folder left out is not walked into (pyinfra prunes os.walk's dirnames).
      if (skipped.some((s) => relative === s || relative.startsWith(s + "/"))) continue;
      for (const child of entry.dirs) {
        const childPath = posix.normalize(posix.join(relative, child));
        if (excludeDir.some((re) => re.test(childPath))) skipped.push(childPath);
      }
      if (relative !== ".") ensureDirs.push([relative, ctx.local.mode(entry.dir)]);
      for (const name of entry.files) {
        const full = posix.join(entry.dir, name);
        if (exclude.some((re) => re.test(full))) continue;
        putFiles.push([
          full,
          unixPathJoin(...[dest, relative, name].filter((p) => p && p !== ".")),
        ]);
      }
    }

    const linkInfo = await ctx.host.getFact(Link, { path: dest });
    yield* directory.generate({
      path: linkInfo ? linkInfo.link_target ?? dest : dest,
      user,
      group,
      mode: dirMode ?? ctx.local.mode(src),
    }, ctx);
    for (const [relative, mode] of ensureDirs) {
      yield* directory.generate({
        path: unixPathJoin(dest, relative),
        user,
        group,
        mode: dirMode ?? mode,
      }, ctx);
    }
    for (const [local, remote] of putFiles) {
      yield* uploadIfChanged(
        {
          command: (d) => new UploadCommand({ path: local }, d),
          sum: sha1(ctx.local.readBytes(local)),
          path: local,
        },
        remote,
        { user, group, mode: fileMode ?? ctx.local.mode(local), createRemoteDir: false },
        ctx,
      );
    }
    if (args.delete) {
      const remoteFiles = await ctx.host.getFact(FindFiles, { path: dest }) ?? [];
      const wanted = new Set(putFiles.map(([, remote]) => remote));
      for (const name of new Set(remoteFiles)) {
        if (wanted.has(name) || exclude.some((re) => re.test(name))) continue;
        yield* file.generate({ path: name, present: false }, ctx);
      }
    }
  },
});

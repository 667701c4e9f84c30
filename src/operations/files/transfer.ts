/**
 * `files.put`, `files.template`, `files.get` and `files.sync`: files between the
 * controller and the host, compared by SHA1 so that unchanged files are not sent.
 *
 * @module
 */
import * as posix from "node:path/posix";
import { createHash } from "node:crypto";
import { defineOperation, type OperationContext } from "../../core/operation.ts";
import { DownloadCommand, type OperationCommand, UploadCommand } from "../../core/command.ts";
import { Directory, File, FindFiles, Link, Sha1File } from "../../facts/files.ts";
import { OperationError } from "../../core/errors.ts";
import { chmod, chown, ensureModeInt, type Mode, unixPathJoin } from "../util/files.ts";
import { renderTemplate } from "../util/template.ts";
import { ensureDirectory, ensureParentDirectory } from "./paths.ts";
import { file } from "./paths.ts";

/** A controller file that is not there: pyinfra raises IOError. */
export class LocalFileError extends OperationError {
  override name = "IOError";
}

function sha1(bytes: Uint8Array | string): string {
  return createHash("sha1").update(bytes).digest("hex");
}

interface UploadSource {
  command: (dest: string) => UploadCommand;
  sum: string | null;
  /** The controller path, when the source is a file. */
  path?: string;
}

/** Uploads a source unless the host has the same content; then owner and mode. */
async function* putSource(
  source: UploadSource,
  destination: string,
  options: {
    user?: string | null;
    group?: string | null;
    mode?: Mode | null;
    createRemoteDir?: boolean;
    force?: boolean;
  },
  ctx: OperationContext,
): AsyncGenerator<OperationCommand, void, undefined> {
  const { user, group, mode } = options;
  let dest = destination;
  let remote = await ctx.host.getFact(File, { path: dest });
  if (!remote && await ctx.host.getFact(Directory, { path: dest }) && source.path) {
    dest = unixPathJoin(dest, posix.basename(source.path));
    remote = await ctx.host.getFact(File, { path: dest });
  }
  if (options.createRemoteDir ?? true) yield* ensureParentDirectory(dest, user, group, ctx);
  const upload = function* () {
    yield source.command(dest);
    if (user || group) yield chown(dest, user, group);
    if (mode) yield chmod(dest, mode);
  };
  // An empty record (a recorded fact with no fields) counts as absent, as in Python.
  if (
    !remote || (typeof remote === "object" && Object.keys(remote).length === 0) || options.force
  ) {
    yield* upload();
    return;
  }
  const remoteSum = await ctx.host.getFact(Sha1File, { path: dest });
  if (source.sum !== remoteSum) {
    yield* upload();
    return;
  }
  let changed = false;
  if (mode && remote.mode !== mode) {
    yield chmod(dest, mode);
    changed = true;
  }
  if ((user && remote.user !== user) || (group && remote.group !== group)) {
    yield chown(dest, user, group);
    changed = true;
  }
  if (!changed) ctx.noop(`file ${dest} is already uploaded`);
}

/** Uploads in-memory content (a generated file) unless the host has the same. */
export function putContent(
  content: string,
  dest: string,
  options: {
    user?: string | null;
    group?: string | null;
    mode?: Mode | null;
    createRemoteDir?: boolean;
  },
  ctx: OperationContext,
): AsyncGenerator<OperationCommand, void, undefined> {
  return putSource(
    { command: (d) => new UploadCommand({ content }, d), sum: sha1(content) },
    dest,
    options,
    ctx,
  );
}

/** Options of {@linkcode put}. */
export interface PutOptions {
  /** The controller file (`./x` is relative to the calling file). */
  src: string;
  /** Where it goes on the host (a folder keeps the file's name). */
  dest: string;
  /** Owner. */
  user?: string | null;
  /** Group. */
  group?: string | null;
  /** Mode, or `true` to copy the controller file's mode. */
  mode?: Mode | boolean | null;
  /** Kept for pyinfra compatibility: tsinfra always resolves `src` (see README). @default {true} */
  addDeployDir?: boolean;
  /** Create the parent folder when missing. @default {true} */
  createRemoteDir?: boolean;
  /** Upload even when the host has the same content. @default {false} */
  force?: boolean;
  /** Do not fail when `src` is missing at prepare (it is made by an earlier step). @default {false} */
  assumeExists?: boolean;
}

/**
 * Uploads a file from the controller when the host's copy differs.
 *
 * @example
 * ```ts ignore
 * files.put({ src: "./files/app.conf", dest: "/etc/app.conf", mode: 644 });
 * ```
 */
export const put = defineOperation<PutOptions>("files.put", {
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
    let sum: string | null = null;
    if (ctx.local.isFile(src)) sum = sha1(ctx.local.readBytes(src));
    else if (!args.assumeExists) throw new LocalFileError(`No such file: ${src}`);
    const mode = args.mode === true
      ? (ctx.local.isFile(src) ? ctx.local.mode(src) : null)
      : ensureModeInt(args.mode === false ? null : args.mode);
    yield* putSource(
      { command: (dest) => new UploadCommand({ path: src }, dest), sum, path: src },
      args.dest,
      { ...args, mode },
      ctx,
    );
  },
});

/** Options of {@linkcode template}. */
export interface TemplateOptions {
  /** The Eta template on the controller (`./x` is relative to the calling file). */
  src: string;
  /** Where the rendered file goes on the host. */
  dest: string;
  /** Variables: the template reads them as `it.<name>`, beside `it.host` and `it.inventory`. */
  vars?: Record<string, unknown>;
  /** Owner. */
  user?: string | null;
  /** Group. */
  group?: string | null;
  /** Mode. */
  mode?: Mode | null;
  /** Create the parent folder when missing. @default {true} */
  createRemoteDir?: boolean;
}

/**
 * Renders an Eta template on the controller and uploads the result when it differs.
 *
 * @example
 * ```ts ignore
 * files.template({ src: "./templates/nginx.conf.eta", dest: "/etc/nginx/nginx.conf", vars: { workers: 4 } });
 * ```
 */
export const template = defineOperation<TemplateOptions>("files.template", {
  summary: "Generate a template using Eta and write it to the remote system.",
  argNames: ["src", "dest", "user", "group", "mode", "createRemoteDir", "vars"],
  localPathArgs: ["src"],
  async *generator(args, ctx) {
    const text = renderTemplate(ctx, args.src, args.vars ?? {});
    yield* putContent(text, args.dest, { ...args, mode: ensureModeInt(args.mode) }, ctx);
  },
});

/** Options of {@linkcode get}. */
export interface GetOptions {
  /** The file on the host. */
  src: string;
  /** Where it goes on the controller. */
  dest: string;
  /** Kept for pyinfra compatibility: tsinfra always resolves `dest`. @default {true} */
  addDeployDir?: boolean;
  /** Create the controller folder when missing. @default {false} */
  createLocalDir?: boolean;
  /** Download even when the controller copy is the same. @default {false} */
  force?: boolean;
}

/**
 * Downloads a file from the host when the controller's copy differs.
 *
 * @example
 * ```ts ignore
 * files.get({ src: "/etc/hosts", dest: "./backups/hosts", createLocalDir: true });
 * ```
 */
export const get = defineOperation<GetOptions>("files.get", {
  summary: "Download a file from the remote system.",
  argNames: ["src", "dest", "addDeployDir", "createLocalDir", "force"],
  localPathArgs: ["dest"],
  async *generator(args, ctx) {
    const dest = ctx.local.resolve(args.dest);
    if (args.createLocalDir && !ctx.local.exists(posix.dirname(dest))) {
      ctx.local.makeDirs(posix.dirname(dest));
    }
    const remote = await ctx.host.getFact(File, { path: args.src });
    const download = new DownloadCommand(args.src, dest);
    if (!remote || args.force || !ctx.local.exists(dest)) {
      yield download;
      return;
    }
    const remoteSum = await ctx.host.getFact(Sha1File, { path: args.src });
    if (sha1(ctx.local.readBytes(dest)) !== remoteSum) yield download;
    else ctx.noop(`file ${args.src} is already downloaded`);
  },
});

/** Options of {@linkcode sync}. */
export interface SyncOptions {
  /** The controller folder. */
  src: string;
  /** The host folder. */
  dest: string;
  /** Owner of every file and folder. */
  user?: string | null;
  /** Group of every file and folder. */
  group?: string | null;
  /** Mode of files (default: each controller file's mode). */
  mode?: Mode | null;
  /** Mode of folders (default: each controller folder's mode). */
  dirMode?: Mode | null;
  /** Remove host files that the controller folder does not have. @default {false} */
  delete?: boolean;
  /** Glob patterns of files to leave out. */
  exclude?: string | string[] | null;
  /** Glob patterns of folders to leave out. */
  excludeDir?: string | string[] | null;
  /** Kept for pyinfra compatibility: tsinfra always resolves `src`. @default {true} */
  addDeployDir?: boolean;
}

function globToRegExp(glob: string): RegExp {
  let out = "";
  for (const char of glob) {
    if (char === "*") out += ".*";
    else if (char === "?") out += ".";
    else out += char.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${out}$`, "s");
}

const asList = (value: string | string[] | null | undefined) =>
  value == null ? [] : Array.isArray(value) ? value : [value];

/**
 * Makes a host folder hold the controller folder's files (uploading what differs).
 *
 * @example
 * ```ts ignore
 * files.sync({ src: "./site", dest: "/var/www/site", delete: true, exclude: ["*.tmp"] });
 * ```
 */
export const sync = defineOperation<SyncOptions>("files.sync", {
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
    const exclude = asList(args.exclude).map(globToRegExp);
    const excludeDir = asList(args.excludeDir).map(globToRegExp);
    const { user, group, dest } = args;
    const putFiles: [string, string][] = [];
    const ensureDirs: [string, number][] = [];
    const skipped = new Set<string>();
    for (const entry of ctx.local.walk(src)) {
      const relative = posix.normalize(posix.relative(src, entry.dir)) || ".";
      if ([...skipped].some((s) => relative === s || relative.startsWith(s + "/"))) continue;
      for (const child of entry.dirs) {
        const childPath = posix.normalize(posix.join(relative, child));
        if (excludeDir.some((re) => re.test(childPath))) skipped.add(childPath);
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
    yield* ensureDirectory(
      {
        path: linkInfo ? linkInfo.link_target ?? dest : dest,
        user,
        group,
        mode: args.dirMode ?? ctx.local.mode(src),
      },
      ctx,
    );
    for (const [relative, mode] of ensureDirs) {
      yield* ensureDirectory({
        path: unixPathJoin(dest, relative),
        user,
        group,
        mode: args.dirMode ?? mode,
      }, ctx);
    }
    for (const [local, remote] of putFiles) {
      yield* putSource(
        {
          command: (d) => new UploadCommand({ path: local }, d),
          sum: sha1(ctx.local.readBytes(local)),
          path: local,
        },
        remote,
        {
          user,
          group,
          mode: ensureModeInt(args.mode) ?? ctx.local.mode(local),
          createRemoteDir: false,
        },
        ctx,
      );
    }
    if (args.delete) {
      const remoteFiles = new Set(await ctx.host.getFact(FindFiles, { path: dest }) ?? []);
      const wanted = new Set(putFiles.map(([, remote]) => remote));
      for (const name of remoteFiles) {
        if (wanted.has(name) || exclude.some((re) => re.test(name))) continue;
        yield* file.generate({ path: name, present: false }, ctx);
      }
    }
  },
});

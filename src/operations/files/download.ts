/**
 * `files.download` (curl or wget on the host, checksums verified) and `files.flags`.
 *
 * @module
 */
import { defineOperation } from "../../core/operation.ts";
import { quote, StringCommand } from "../../core/command.ts";
import { File, Flags, Md5File, Sha1File, Sha256File } from "../../facts/files.ts";
import { Date_ as HostDate, Which } from "../../facts/server/basic.ts";
import { OperationError } from "../../core/errors.ts";
import { chmod, chown, type Mode } from "../util/files.ts";

/** Options of {@linkcode download}. */
export interface DownloadOptions {
  /** The URL to download (by the host). */
  src: string;
  /** Where the file goes on the host. */
  dest: string;
  /** Owner. */
  user?: string | null;
  /** Group. */
  group?: string | null;
  /** Mode. */
  mode?: Mode | null;
  /** Download again when the file is older than this many seconds. */
  cacheTime?: number | null;
  /** Download even when the file exists. @default {false} */
  force?: boolean;
  /** Expected SHA256: download again when different, fail when the download differs. */
  sha256sum?: string | null;
  /** Expected SHA1. */
  sha1sum?: string | null;
  /** Expected MD5. */
  md5sum?: string | null;
  /** HTTP headers to send. */
  headers?: Record<string, string> | null;
  /** Do not check TLS certificates. @default {false} */
  insecure?: boolean;
  /** A proxy URL. */
  proxy?: string | null;
}

function checksum(tools: string[], dest: string, sum: string, name: string): StringCommand {
  const path = quote(dest);
  const tries: (string | ReturnType<typeof quote>)[] = [];
  tools.forEach((tool, i) => {
    if (i > 0) tries.push("||");
    tries.push(tool, path);
    if (i === 0) tries.push("2> /dev/null");
  });
  return new StringCommand([
    "((",
    ...tries,
    ") | grep",
    quote(sum),
    ") || ( echo",
    quote(`${name} did not match!`),
    "&& exit 1 )",
  ]);
}

/**
 * Downloads a URL to a file on the host (with curl or wget there), when the file is
 * missing, old, or has the wrong checksum.
 *
 * @example
 * ```ts ignore
 * files.download({ src: "https://example.org/tool.tgz", dest: "/opt/tool.tgz", sha256sum: "..." });
 * ```
 */
export const download = defineOperation<DownloadOptions>("files.download", {
  summary: "Download files from remote locations using curl or wget.",
  argNames: [
    "src",
    "dest",
    "user",
    "group",
    "mode",
    "cacheTime",
    "force",
    "sha256sum",
    "sha1sum",
    "md5sum",
    "headers",
    "insecure",
    "proxy",
  ],
  async *generator(args, ctx) {
    const { src, dest, user, group, mode } = args;
    const info = await ctx.host.getFact(File, { path: dest });
    if (info === false) {
      throw new OperationError(`Destination ${dest} already exists and is not a file`);
    }
    let needed = args.force ?? false;
    if (info === null) needed = true;
    else {
      if (args.cacheTime) {
        const now = await ctx.host.getFact(HostDate);
        const limit = now.getTime() - args.cacheTime * 1000;
        if (info.mtime && info.mtime.getTime() < limit) needed = true;
      }
      if (args.sha1sum && args.sha1sum !== await ctx.host.getFact(Sha1File, { path: dest })) {
        needed = true;
      }
      if (args.sha256sum && args.sha256sum !== await ctx.host.getFact(Sha256File, { path: dest })) {
        needed = true;
      }
      if (args.md5sum && args.md5sum !== await ctx.host.getFact(Md5File, { path: dest })) {
        needed = true;
      }
    }
    if (!needed) return ctx.noop(`file ${dest} has already been downloaded`);

    const temp = ctx.tempFilename(dest);
    const curlArgs: (string | StringCommand)[] = ["-sSLf"];
    const wgetArgs: (string | StringCommand)[] = ["-q"];
    if (args.proxy) {
      curlArgs.push(new StringCommand(["--proxy", quote(args.proxy)]));
      wgetArgs.push(
        "-e use_proxy=yes",
        new StringCommand(["-e", quote(`http_proxy=${args.proxy}`)]),
      );
    }
    if (args.insecure) {
      curlArgs.push("--insecure");
      wgetArgs.push("--no-check-certificate");
    }
    for (const [key, value] of Object.entries(args.headers ?? {})) {
      const header = new StringCommand(["--header", quote(`${key}: ${value}`)]);
      curlArgs.push(header);
      wgetArgs.push(header);
    }
    const curl = new StringCommand([
      "curl",
      new StringCommand(curlArgs),
      quote(src),
      "-o",
      quote(temp),
    ]);
    const wget = new StringCommand([
      "wget",
      new StringCommand(wgetArgs),
      quote(src),
      "-O",
      quote(temp),
      "|| ( rm -f",
      quote(temp),
      "; exit 1 )",
    ]);
    if (await ctx.host.getFact(Which, { command: "curl" })) yield curl;
    else if (await ctx.host.getFact(Which, { command: "wget" })) yield wget;
    else yield new StringCommand(["(", curl, ") || (", wget, ")"]);
    yield new StringCommand(["mv", quote(temp), quote(dest)]);
    if (user || group) yield chown(dest, user, group);
    if (mode) yield chmod(dest, mode);
    if (args.sha1sum) yield checksum(["sha1sum", "shasum", "sha1"], dest, args.sha1sum, "SHA1");
    if (args.sha256sum) {
      yield checksum(["sha256sum", "shasum -a 256", "sha256"], dest, args.sha256sum, "SHA256");
    }
    if (args.md5sum) yield checksum(["md5sum", "md5"], dest, args.md5sum, "MD5");
  },
});

/** Options of {@linkcode flags}. */
export interface FlagsOptions {
  /** The file or folder. */
  path: string;
  /** BSD flags (`chflags`), e.g. `["uchg"]`. */
  flags?: string | string[] | null;
  /** Set (true) or clear (false) them. @default {true} */
  present?: boolean;
}

/**
 * Sets or clears BSD file flags with `chflags`.
 *
 * @example
 * ```ts ignore
 * files.flags({ path: "/etc/rc.conf", flags: ["uchg"] });
 * ```
 */
export const flags = defineOperation<FlagsOptions>("files.flags", {
  summary: "Set/clear file flags.",
  argNames: ["path", "flags", "present"],
  async *generator(args, ctx) {
    const wanted = args.flags == null ? [] : Array.isArray(args.flags) ? args.flags : [args.flags];
    const present = args.present ?? true;
    if (!wanted.length) return ctx.noop(`no changes requested to flags for '${args.path}'`);
    const current = new Set(await ctx.host.getFact(Flags, { path: args.path }));
    const change = present
      ? wanted.filter((f) => !current.has(f))
      : wanted.filter((f) => current.has(f));
    const unique = [...new Set(change)].sort();
    if (unique.length) {
      yield new StringCommand([
        "chflags",
        quote(unique.map((f) => (present ? f : `no${f}`)).join(",")),
        quote(args.path),
      ]);
    } else {
      ctx.noop(`'${args.path}' already has '${wanted.join(",")}' ${present ? "set" : "clear"}`);
    }
  },
});

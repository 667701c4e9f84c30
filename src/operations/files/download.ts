/**
 * `files.download`: a URL fetched by the host itself (curl or wget), when the file is
 * missing, too old or has the wrong checksum; the download is checked against the
 * checksums given.
 *
 * @module
 */
import { defineOperation, type Operation } from "../../core/operation.ts";
import { quote, StringCommand } from "../../core/command.ts";
import { File, Md5File, operandPath, Sha1File, Sha256File } from "../../facts/files.ts";
import { Date_ as HostDate, Which } from "../../facts/server/basic.ts";
import { OperationError } from "../../core/errors.ts";
import { chmod, chown, type Mode } from "../util/files.ts";

/** Options of {@linkcode download}. */
export interface DownloadOptions {
  /** The URL the host downloads (with curl, else wget). */
  src: string;
  /** Where the file goes on the host (an existing folder there is an error). */
  dest: string;
  /** User that should own the file. @default {null} (left as it is) */
  user?: string | null;
  /** Group that should own the file. @default {null} (left as it is) */
  group?: string | null;
  /** Permissions of the file (`644`, `"u+x"`). @default {null} (left as it is) */
  mode?: Mode | null;
  /**
   * Download again when the file is older than this many seconds (by the host's clock). @default
   * {null} (never)
   */
  cacheTime?: number | null;
  /** Download even when the file exists. @default {false} */
  force?: boolean;
  /**
   * Expected SHA256 (hex): download again when the file differs; fail when the download does.
   * @default {null}
   */
  sha256sum?: string | null;
  /** Expected SHA1 (hex), as `sha256sum`. @default {null} */
  sha1sum?: string | null;
  /** Expected MD5 (hex), as `sha256sum`. @default {null} */
  md5sum?: string | null;
  /** HTTP headers to send, `{ Authorization: "Bearer ..." }`. @default {null} */
  headers?: Record<string, string> | null;
  /**
   * Do not check TLS certificates (`curl --insecure`, `wget --no-check-certificate`). @default
   * {false}
   */
  insecure?: boolean;
  /** An HTTP proxy, `http://proxy:3128`. @default {null} */
  proxy?: string | null;
}

function checksum(tools: string[], dest: string, sum: string, name: string): StringCommand {
  const path = quote(operandPath(dest));
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
 * Downloads a URL to a file on the host (with curl or wget there, through a temporary
 * file), when the file is missing, older than `cacheTime`, or has the wrong checksum;
 * then sets owner and mode and checks the checksums given.
 *
 * @example
 * ```ts ignore
 * import { files } from "tsinfra/operations";
 * files.download({
 *   src: "https://example.org/tool-1.2.tgz",
 *   dest: "/opt/tool-1.2.tgz",
 *   sha256sum: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
 * });
 * ```
 */
export const download: Operation<DownloadOptions> = defineOperation<DownloadOptions>(
  "files.download",
  {
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
        if (
          args.sha256sum && args.sha256sum !== await ctx.host.getFact(Sha256File, { path: dest })
        ) {
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
      yield new StringCommand(["mv", quote(temp), quote(operandPath(dest))]);
      if (user || group) yield chown(dest, user, group);
      if (mode) yield chmod(dest, mode);
      if (args.sha1sum) yield checksum(["sha1sum", "shasum", "sha1"], dest, args.sha1sum, "SHA1");
      if (args.sha256sum) {
        yield checksum(["sha256sum", "shasum -a 256", "sha256"], dest, args.sha256sum, "SHA256");
      }
      if (args.md5sum) yield checksum(["md5sum", "md5"], dest, args.md5sum, "MD5");
    },
  },
);

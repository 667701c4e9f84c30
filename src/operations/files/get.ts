/**
 * `files.get`: a host file downloaded to the controller when the controller's copy
 * differs (compared by SHA1).
 *
 * @module
 */
import * as posix from "node:path/posix";
import { defineOperation, type Operation } from "../../core/operation.ts";
import { DownloadCommand } from "../../core/command.ts";
import { File, Sha1File } from "../../facts/files.ts";
import { sha1 } from "../util/files.ts";

/** Options of {@linkcode get}. */
export interface GetOptions {
  /** The file on the host. */
  src: string;
  /** Where it goes on the controller; `./x` is relative to the calling deploy file. */
  dest: string;
  /**
   * Kept for pyinfra compatibility and ignored: tsinfra always resolves `dest` (`./x`
   * against the calling file, other relative paths against the deploy folder).
   * @default {true}
   */
  addDeployDir?: boolean;
  /** Create the controller folder of `dest` when it is missing. @default {false} */
  createLocalDir?: boolean;
  /** Download even when the controller's copy has the same content. @default {false} */
  force?: boolean;
}

/**
 * Downloads a file from the host when the controller's copy is missing or differs
 * (always when the host file is not there at prepare, as it may be made earlier on).
 *
 * @example
 * ```ts ignore
 * import { files } from "tsinfra/operations";
 * files.get({ src: "/etc/hosts", dest: "./backups/hosts", createLocalDir: true });
 * ```
 */
export const get: Operation<GetOptions> = defineOperation<GetOptions>("files.get", {
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

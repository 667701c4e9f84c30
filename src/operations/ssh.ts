/**
 * ssh operations, run from the host to a third machine: `ssh.keyscan` (trust its host
 * key), `ssh.command`, `ssh.upload` and `ssh.download` (scp), as pyinfra's.
 *
 * @module
 */
import { defineOperation, type Operation } from "../core/operation.ts";
import { OperationError, OperationTypeError } from "../core/errors.ts";
import { sh } from "../core/command.ts";
import { shellQuote } from "../core/quote.ts";
import { File, FindInFile } from "../facts/files.ts";
import { Home } from "../facts/server.ts";
import { directory } from "./files/directory.ts";

/** Rejects a port that is not a whole number from 1 to 65535 (it reaches the command bare). */
function validatePort(operation: string, args: { hostname?: unknown; port?: unknown }): void {
  if (typeof args.hostname !== "string" || !args.hostname) {
    throw new OperationTypeError(`${operation}: hostname must be a non-empty string`);
  }
  const port = args.port ?? 22;
  const value = typeof port === "string" && /^\d+$/.test(port) ? Number(port) : port;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 65535) {
    throw new OperationTypeError(
      `${operation}: port must be a whole number from 1 to 65535, got ${JSON.stringify(port)}`,
    );
  }
}

/** Options of {@linkcode keyscan}. */
export interface KeyscanOptions {
  /** The machine whose host key the host should trust. */
  hostname: string;
  /** Scan again (replacing the key) even when one is known. @default {false} */
  force?: boolean;
  /** Its SSH port. @default {22} */
  port?: number;
}

/**
 * Adds a machine's SSH host key to the host user's `~/.ssh/known_hosts`.
 *
 * @example
 * ```ts ignore
 * ssh.keyscan({ hostname: "github.com" });
 * ```
 */
export const keyscan: Operation<KeyscanOptions> = defineOperation<KeyscanOptions>("ssh.keyscan", {
  argNames: ["hostname", "force", "port"],
  validate: (args) => validatePort("ssh.keyscan", args),
  summary: "Check/add hosts to the ~/.ssh/known_hosts file.",
  async *generator({ hostname, force = false, port = 22 }, ctx) {
    const home = await ctx.host.getFact(Home);
    if (!home) {
      throw new OperationError("ssh.keyscan: cannot find the user's home directory: it is empty");
    }
    yield* directory.generate({ path: `${home}/.ssh`, mode: 700 }, ctx);
    const present = await ctx.host.getFact(FindInFile, {
      path: `${home}/.ssh/known_hosts`,
      pattern: hostname,
    });
    const scan = sh`ssh-keyscan -p ${port} ${hostname} >> ${home}/.ssh/known_hosts`;
    if (!present || !present.length) yield scan;
    else if (force) {
      yield sh`ssh-keygen -R ${hostname}`;
      yield scan;
    } else ctx.noop(`host key for ${hostname} already exists`);
  },
});

/** `user@hostname`, or the hostname: one word, which {@linkcode sh} quotes. */
function target(hostname: string, user?: string | null): string {
  return user ? `${user}@${hostname}` : hostname;
}

/** Options of {@linkcode command}. */
export interface CommandOptions {
  /** The machine to run the command on. */
  hostname: string;
  /** The command (quoted as one argument to ssh). */
  command: string;
  /** The user to log in as. @default {null} */
  user?: string | null;
  /** The SSH port. @default {22} */
  port?: number;
}

/**
 * Runs a command on another machine over SSH, from the host. Not idempotent.
 *
 * @example
 * ```ts ignore
 * ssh.command({ hostname: "backup.internal", command: "df -h", user: "ops" });
 * ```
 */
export const command: Operation<CommandOptions> = defineOperation<CommandOptions>("ssh.command", {
  argNames: ["hostname", "command", "user", "port"],
  idempotent: false,
  validate: (args) => validatePort("ssh.command", args),
  summary: "Execute commands on other servers over SSH.",
  async *generator({ hostname, command, user, port = 22 }) {
    yield sh`ssh -p ${port} ${target(hostname, user)} ${command}`;
  },
});

/** Options of {@linkcode upload}. */
export interface UploadOptions {
  /** The machine to copy to. */
  hostname: string;
  /** The file on the host. */
  filename: string;
  /** Where it goes on the other machine. @default {null} (the same path) */
  remoteFilename?: string | null;
  /** The SSH port. @default {22} */
  port?: number;
  /** The user to log in as. @default {null} */
  user?: string | null;
  /** Copy to a temporary file, then `sudo mv` it into place. @default {false} */
  useRemoteSudo?: boolean;
  /** Trust the machine's host key first (`ssh.keyscan`). @default {false} */
  sshKeyscan?: boolean;
}

/**
 * Copies a file from the host to another machine with scp. Not idempotent.
 *
 * @example
 * ```ts ignore
 * ssh.upload({ hostname: "backup.internal", filename: "/var/backups/db.gz" });
 * ```
 */
export const upload: Operation<UploadOptions> = defineOperation<UploadOptions>("ssh.upload", {
  argNames: [
    "hostname",
    "filename",
    "remoteFilename",
    "port",
    "user",
    "useRemoteSudo",
    "sshKeyscan",
  ],
  idempotent: false,
  validate: (args) => validatePort("ssh.upload", args),
  summary: "Upload files to other servers using scp.",
  async *generator(args, ctx) {
    const { hostname, filename, port = 22, user } = args;
    const remote = args.remoteFilename || filename;
    if (args.sshKeyscan) yield* keyscan.generate({ hostname }, ctx);
    if (!args.useRemoteSudo) {
      yield sh`scp -P ${port} ${filename} ${target(hostname, user)}:${remote}`;
      return;
    }
    const temp = ctx.tempFilename();
    yield sh`scp -P ${port} ${filename} ${target(hostname, user)}:${temp}`;
    yield* command.generate({
      hostname,
      command: `sudo mv ${shellQuote(temp)} ${shellQuote(remote)}`,
      port,
      user,
    }, ctx);
  },
});

/** Options of {@linkcode download}. */
export interface DownloadOptions {
  /** The machine to copy from. */
  hostname: string;
  /** The file on that machine. */
  filename: string;
  /** Where it goes on the host. @default {null} (the same path) */
  localFilename?: string | null;
  /** Download even when the host has the file. @default {false} */
  force?: boolean;
  /** The SSH port. @default {22} */
  port?: number;
  /** The user to log in as. @default {null} */
  user?: string | null;
  /** Trust the machine's host key first (`ssh.keyscan`). @default {false} */
  sshKeyscan?: boolean;
}

/**
 * Copies a file from another machine to the host with scp, unless the host has it.
 *
 * @example
 * ```ts ignore
 * ssh.download({
 *   hostname: "build.internal",
 *   filename: "/out/app.tar.gz",
 *   localFilename: "/srv/app.tar.gz",
 * });
 * ```
 */
export const download: Operation<DownloadOptions> = defineOperation<DownloadOptions>(
  "ssh.download",
  {
    argNames: [
      "hostname",
      "filename",
      "localFilename",
      "force",
      "port",
      "user",
      "sshKeyscan",
    ],
    validate: (args) => validatePort("ssh.download", args),
    summary: "Download files from other servers using scp.",
    async *generator(args, ctx) {
      const { hostname, filename, port = 22, user } = args;
      const local = args.localFilename || filename;
      const info = await ctx.host.getFact(File, { path: local });
      if (info === false) {
        throw new OperationError(`Local destination ${local} already exists and is not a file`);
      }
      if (info && !args.force) {
        ctx.noop(`file ${filename} is already downloaded`);
        return;
      }
      if (args.sshKeyscan) yield* keyscan.generate({ hostname }, ctx);
      yield sh`scp -P ${port} ${target(hostname, user)}:${filename} ${local}`;
    },
  },
);

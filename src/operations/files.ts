/**
 * File operations: `files.file`, `files.directory`, `files.link`, `files.put`,
 * `files.template`, `files.get`, `files.sync`, `files.rsync`, `files.download`,
 * `files.line`, `files.replace`, `files.block` and `files.flags`. Names, arguments and
 * commands follow pyinfra's `pyinfra.operations.files`; options are camelCased.
 *
 * @module
 */
export { block } from "./files/block.ts";
export type { BlockOptions } from "./files/block.ts";
export { directory } from "./files/directory.ts";
export type { DirectoryOptions } from "./files/directory.ts";
export { download } from "./files/download.ts";
export type { DownloadOptions } from "./files/download.ts";
export { file } from "./files/file.ts";
export type { FileOptions } from "./files/file.ts";
export { flags } from "./files/flags.ts";
export type { FlagsOptions } from "./files/flags.ts";
export { get } from "./files/get.ts";
export type { GetOptions } from "./files/get.ts";
export { line } from "./files/line.ts";
export type { LineOptions } from "./files/line.ts";
export { link } from "./files/link.ts";
export type { LinkOptions } from "./files/link.ts";
export { put } from "./files/put.ts";
export type { PutOptions } from "./files/put.ts";
export { replace } from "./files/replace.ts";
export type { ReplaceOptions } from "./files/replace.ts";
export { rsync } from "./files/rsync.ts";
export type { RsyncOptions } from "./files/rsync.ts";
export { sync } from "./files/sync.ts";
export type { SyncOptions } from "./files/sync.ts";
export { template } from "./files/template.ts";
export type { TemplateOptions } from "./files/template.ts";
export type { ForceOptions, Mode } from "./util/files.ts";

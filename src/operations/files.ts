/**
 * File operations: `files.file`, `files.directory`, `files.link`, `files.put`,
 * `files.template`, `files.line`, `files.replace`, `files.block`, `files.get`,
 * `files.sync`, `files.download`, `files.flags`. Names, arguments and commands follow
 * pyinfra's `pyinfra.operations.files`.
 *
 * @module
 */
export { block } from "./files/block.ts";
export { download, flags } from "./files/download.ts";
export type { DownloadOptions, FlagsOptions } from "./files/download.ts";
export { directory, file, link } from "./files/paths.ts";
export type { DirectoryOptions, FileOptions, ForceOptions, LinkOptions } from "./files/paths.ts";
export type { BlockOptions } from "./files/block.ts";
export { line, replace } from "./files/line.ts";
export { get, put, sync, template } from "./files/transfer.ts";
export type { GetOptions, PutOptions, SyncOptions, TemplateOptions } from "./files/transfer.ts";
export type { LineOptions, ReplaceOptions } from "./files/line.ts";

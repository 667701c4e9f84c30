/**
 * Compatibility re-exports for modules written against the earlier layout
 * (`server/users.ts`); new code imports from the per-operation modules.
 *
 * @module
 */
import type { OperationContext } from "../../core/operation.ts";
import type { OperationCommand } from "../../core/command.ts";
import { directory, type DirectoryOptions } from "./directory.ts";

export { file } from "./file.ts";
export { link } from "./link.ts";
export { directory };

/**
 * The `files.directory` generator with its internal switches spelled as options.
 *
 * @deprecated Use `directory.generate({ ...args, _noFailOnLink, _noCheckOwnerMode }, ctx)`.
 */
export function ensureDirectory(
  args: DirectoryOptions,
  ctx: OperationContext,
  internals: { noCheckOwnerMode?: boolean; noFailOnLink?: boolean } = {},
): AsyncGenerator<OperationCommand, void, undefined> {
  return directory.generate({
    ...args,
    _noCheckOwnerMode: internals.noCheckOwnerMode ?? args._noCheckOwnerMode,
    _noFailOnLink: internals.noFailOnLink ?? args._noFailOnLink,
  }, ctx);
}

/**
 * `--diff` for the operations that edit a file in place (`files.line`, `files.replace`,
 * `files.block`): the file is read only when the context asks for diffs, and the diff
 * is made from what the emitted sed/awk command will write (see `_emulate.ts`).
 *
 * @module
 */
import type { OperationContext } from "../../core/operation.ts";
import { quote, StringCommand } from "../../core/command.ts";
import { Command } from "../../facts/server/basic.ts";
import { operandPath } from "../../facts/files.ts";

/**
 * Shows the diff a yielded command will make to a host file. The runner sets it on the
 * context at prepare, and only with `--diff`.
 */
type DiffSink = (path: string, before: string, after: string) => void;

/** The context's diff sink, when diffs were asked for. */
function diffSink(ctx: OperationContext): DiffSink | undefined {
  return (ctx as OperationContext & { readonly diff?: DiffSink }).diff;
}

/** Larger files get no diff: their content is not read. */
const MAX_BYTES = 4 * 1024 * 1024;

/**
 * The command that prints a file as hex bytes (`od` is in every POSIX system), then
 * `.`; `none` when there is no such file, `big` when it is larger than `MAX_BYTES`.
 */
function contentsCommand(path: string): string {
  const file = quote(operandPath(path));
  return new StringCommand([
    "if [ -f",
    file,
    "]; then if [ $(wc -c <",
    file,
    `) -le ${MAX_BYTES} ]; then od -A n -v -t x1`,
    file,
    "&& echo .; else echo big; fi; else echo none; fi",
  ]).raw();
}

/** The file's text from {@linkcode contentsCommand}'s output: null for no file. */
function parseContents(output: string | null): string | null | undefined {
  if (output === null || output === "big") return undefined;
  if (output === "none") return null;
  const lines = output.split("\n");
  if (lines.pop() !== ".") return undefined;
  const hex = lines.join(" ").trim();
  const bytes = hex ? hex.split(/\s+/).map((h) => parseInt(h, 16)) : [];
  if (bytes.some((b) => !(b >= 0 && b <= 255))) return undefined;
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(
      new Uint8Array(bytes),
    );
  } catch {
    return undefined; // not UTF-8: not shown as text
  }
}

/**
 * With `--diff`, asks for the file's content now, so that it goes out with the
 * operation's first facts (no round trip of its own). Without it, does nothing.
 *
 * @param ctx The operation's context.
 * @param path The file on the host.
 */
export function prefetchContents(ctx: OperationContext, path: string): void {
  if (diffSink(ctx)) ctx.host.prefetch?.(Command, { command: contentsCommand(path) });
}

/**
 * With `--diff`, shows the diff of the file from its current content to what `edit`
 * makes of it. `edit` receives null for a missing file, and returns null when it cannot
 * tell the result for sure: then nothing is shown. Without `--diff`, does nothing.
 *
 * @param ctx The operation's context.
 * @param path The file on the host.
 * @param edit The command's effect on the file's content.
 */
export async function showDiff(
  ctx: OperationContext,
  path: string,
  edit: (before: string | null) => string | null,
): Promise<void> {
  const sink = diffSink(ctx);
  if (!sink) return;
  let before: string | null | undefined;
  try {
    before = parseContents(await ctx.host.getFact(Command, { command: contentsCommand(path) }));
  } catch {
    return; // a diff is only a preview: the operation goes on without it
  }
  if (before === undefined) return;
  const after = edit(before);
  if (after !== null) sink(path, before ?? "", after);
}

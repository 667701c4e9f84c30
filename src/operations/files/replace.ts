/**
 * `files.replace`: text in a file replaced with sed.
 *
 * @module
 */
import { defineOperation, type Operation } from "../../core/operation.ts";
import { assertOneLine, FindInFile } from "../../facts/files.ts";
import { OperationTypeError, OperationValueError } from "../../core/errors.ts";
import { sedPattern, sedReplace, sedReplacement } from "../util/files.ts";
import { sedSubstitute } from "./_emulate.ts";
import { prefetchContents, showDiff } from "./_diff.ts";

/** Options of {@linkcode replace}. */
export interface ReplaceOptions {
  /** The file on the host. */
  path: string;
  /** The text to replace: a sed (basic) regular expression. Required. @default {null} */
  text?: string | null;
  /**
   * What replaces it (`\1`... refer to groups; `/` and `&` are taken literally). Required. @default
   * {null}
   */
  replace?: string | null;
  /** sed flags, e.g. `["g"]` for every match on a line, `["i"]` to ignore case. @default {null} */
  flags?: string[] | string | null;
  /** Keep a copy of the file (`PATH.TIMESTAMP`) before editing it. @default {false} */
  backup?: boolean;
  /**
   * Let the shell expand `$VARS` and `$(...)` in `text` and `replace` (double quotes
   * rather than single); write `\$` for a literal `$`. @default {false}
   */
  interpolateVariables?: boolean;
  /** Older name of `text` (pyinfra's deprecated `match`). @default {null} */
  match?: string | null;
}

/**
 * Replaces text in a file with `sed -i`, when some line matches (or when the file does
 * not exist yet at prepare: an earlier operation may create it).
 *
 * @example
 * ```ts ignore
 * import { files } from "tsinfra/operations";
 * files.replace({ path: "/etc/app.conf", text: "^debug = .*", replace: "debug = false" });
 * ```
 */
export const replace: Operation<ReplaceOptions> = defineOperation<ReplaceOptions>("files.replace", {
  summary: "Replace contents of a file using sed.",
  argNames: ["path", "text", "replace", "flags", "backup", "interpolateVariables", "match"],
  async *generator(args, ctx) {
    const text = args.text ?? args.match;
    if (text === null || text === undefined) {
      throw new OperationTypeError("Missing argument `text` required in `files.replace` operation");
    }
    if (args.replace === null || args.replace === undefined) {
      throw new OperationTypeError(
        "Missing argument `replace` required in `files.replace` operation",
      );
    }
    // Checked before any fact is read: sed matches within one line.
    assertOneLine(
      text,
      args.text === null || args.text === undefined ? "match" : "text",
      "files.replace",
    );
    if (String(args.replace).includes("\0")) {
      throw new OperationValueError(
        "Invalid argument `replace` of files.replace: it cannot contain a NUL byte",
      );
    }
    const interpolate = args.interpolateVariables ?? false;
    // With --diff, the file's content is read in the same round trip as the matches.
    prefetchContents(ctx, args.path);
    const existing = await ctx.host.getFact(FindInFile, {
      path: args.path,
      pattern: text,
      interpolate_variables: interpolate,
    });
    if (existing === null || existing.length) {
      const command = sedReplace(args.path, text, args.replace, {
        flags: args.flags,
        backup: args.backup ?? false,
        interpolateVariables: interpolate,
        timestamp: ctx.timestamp(),
        argument: "text",
      });
      const replacement = sedReplacement(String(args.replace));
      await showDiff(ctx, args.path, (before) =>
        // A file missing now: sed edits what an earlier operation makes, not known here.
        before === null ? null : sedSubstitute(before, sedPattern(text, "text"), replacement, {
          flags: typeof args.flags === "string" ? args.flags : (args.flags ?? []).join(""),
          interpolated: interpolate,
        }));
      yield command;
    } else {
      ctx.noop(`string "${text}" does not exist in ${args.path}`);
    }
  },
});

/**
 * `files.line` and `files.replace`: lines in a file, by grep pattern, edited with sed.
 *
 * @module
 */
import { defineOperation } from "../../core/operation.ts";
import { quote, StringCommand } from "../../core/command.ts";
import { FindInFile } from "../../facts/files.ts";
import { OperationTypeError } from "../../core/errors.ts";
import { adjustRegex, sedReplace } from "../util/files.ts";

/** Options of {@linkcode line}. */
export interface LineOptions {
  /** The file to edit. */
  path: string;
  /** The line, or a regular expression matching it (whole-line: `^.*` and `.*$` are added). */
  line: string;
  /** Whether the line should be in the file. @default {true} */
  present?: boolean;
  /** Replace matching lines with this text (and append it when nothing matches). */
  replace?: string | null;
  /** sed flags for the replacement, e.g. `["i"]`. */
  flags?: string[] | string | null;
  /** Keep a timestamped copy of the file before editing. @default {false} */
  backup?: boolean;
  /** Let the shell expand `$VARS` in line and replace (your explicit choice). @default {false} */
  interpolateVariables?: boolean;
  /** Match `line` literally rather than as a regular expression. @default {false} */
  escapeRegexCharacters?: boolean;
  /** Add a newline before appending when the file does not end with one. @default {false} */
  ensureNewline?: boolean;
}

/**
 * Ensures a line is in a file (appended when missing), replaced, or removed.
 *
 * @example
 * ```ts ignore
 * files.line({ path: "/etc/ssh/sshd_config", line: "^PermitRootLogin", replace: "PermitRootLogin no" });
 * ```
 */
export const line = defineOperation<LineOptions>("files.line", {
  summary: "Ensure lines in files using grep to locate and sed to replace.",
  argNames: [
    "path",
    "line",
    "present",
    "replace",
    "flags",
    "backup",
    "interpolateVariables",
    "escapeRegexCharacters",
    "ensureNewline",
  ],
  async *generator(args, ctx) {
    const { path, present = true, backup = false, ensureNewline = false } = args;
    const interpolate = args.interpolateVariables ?? false;
    const matchLine = adjustRegex(args.line, args.escapeRegexCharacters ?? false);
    let presentLines = await ctx.host.getFact(FindInFile, {
      path,
      pattern: matchLine,
      interpolate_variables: interpolate,
    });
    const replace = args.replace || "";
    const text = replace || args.line;
    const value = interpolate ? `"${text}"` : quote(text);
    let echo = ensureNewline
      ? new StringCommand([
        "( [ $(tail -c1",
        quote(path),
        "| wc -l) -eq 0 ] && echo ; echo",
        value,
        ") >>",
        quote(path),
      ])
      : new StringCommand(["echo", value, ">>", quote(path)]);
    const timestamp = ctx.timestamp();
    if (backup) {
      echo = new StringCommand([
        new StringCommand(["cp", quote(path), quote(`${path}.${timestamp}`), "&&"]),
        echo,
      ]);
    }
    const sed = (replacement: string) =>
      sedReplace(path, matchLine, replacement, {
        flags: args.flags,
        backup,
        interpolateVariables: interpolate,
        timestamp,
      });

    if (!presentLines?.length && present) {
      if (replace) {
        let whole = replace;
        if (!whole.startsWith("^")) whole = `^${whole}`;
        if (!whole.endsWith("$")) whole = `${whole}$`;
        presentLines = await ctx.host.getFact(FindInFile, {
          path,
          pattern: whole,
          interpolate_variables: interpolate,
        });
      }
      if (!presentLines?.length) yield echo;
      else ctx.noop(`line "${text}" exists in ${path}`);
    } else if (presentLines?.length && !present) {
      yield sed("");
    } else if (presentLines?.length && present) {
      if (replace && presentLines.some((l) => l !== replace)) yield sed(replace);
      else ctx.noop(`line "${text}" exists in ${path}`);
    }
  },
});

/** Options of {@linkcode replace}. */
export interface ReplaceOptions {
  /** The file to edit. */
  path: string;
  /** The text (a sed regular expression) to replace. */
  text?: string | null;
  /** What to replace it with. */
  replace?: string | null;
  /** sed flags, e.g. `["g"]`. */
  flags?: string[] | string | null;
  /** Keep a timestamped copy of the file before editing. @default {false} */
  backup?: boolean;
  /** Let the shell expand `$VARS` (your explicit choice). @default {false} */
  interpolateVariables?: boolean;
  /** Older name of `text`. */
  match?: string | null;
}

/**
 * Replaces text in a file with sed, when the text is there.
 *
 * @example
 * ```ts ignore
 * files.replace({ path: "/etc/app.conf", text: "debug = true", replace: "debug = false" });
 * ```
 */
export const replace = defineOperation<ReplaceOptions>("files.replace", {
  summary: "Replace contents of a file using sed.",
  argNames: ["path", "text", "replace", "flags", "backup", "interpolateVariables", "match"],
  async *generator(args, ctx) {
    const text = args.text ?? args.match;
    if (text == null) {
      throw new OperationTypeError("Missing argument `text` required in `files.replace` operation");
    }
    if (args.replace == null) {
      throw new OperationTypeError(
        "Missing argument `replace` required in `files.replace` operation",
      );
    }
    const interpolate = args.interpolateVariables ?? false;
    const existing = await ctx.host.getFact(FindInFile, {
      path: args.path,
      pattern: text,
      interpolate_variables: interpolate,
    });
    // The file may not exist yet at prepare (created by an earlier operation).
    if (existing === null || existing.length) {
      yield sedReplace(args.path, text, args.replace, {
        flags: args.flags,
        backup: args.backup ?? false,
        interpolateVariables: interpolate,
        timestamp: ctx.timestamp(),
      });
    } else {
      ctx.noop(`string "${text}" does not exist in ${args.path}`);
    }
  },
});

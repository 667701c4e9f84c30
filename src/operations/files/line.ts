/**
 * `files.line`: a line in a file, found by grep pattern, appended, replaced (sed) or
 * removed.
 *
 * @module
 */
import { defineOperation, type Operation } from "../../core/operation.ts";
import { quote, StringCommand } from "../../core/command.ts";
import { assertOneLine, FindInFile, operandPath } from "../../facts/files.ts";
import {
  adjustRegex,
  interpolatedArgument,
  sedDelete,
  sedPattern,
  sedReplace,
  sedReplacement,
} from "../util/files.ts";
import { afterDoubleQuotes, sedDeleteLines, sedSubstitute } from "./_emulate.ts";
import { prefetchContents, showDiff } from "./_diff.ts";

/** Options of {@linkcode line}. */
export interface LineOptions {
  /** The file on the host. */
  path: string;
  /**
   * The line, or a grep/sed regular expression matching it. It matches whole lines:
   * `^.*` and `.*$` are added unless it starts with `^` / ends with `$`.
   */
  line: string;
  /**
   * Whether the line should be in the file. `false` deletes every matching line (pyinfra
   * leaves an empty line in its place). @default {true}
   */
  present?: boolean;
  /**
   * Text that replaces each matching line; appended when no line matches. @default {null} (`line`
   * itself)
   */
  replace?: string | null;
  /**
   * sed flags for replacing, e.g. `["i"]`; when removing only `i` (ignore case) applies. @default
   * {null}
   */
  flags?: string[] | string | null;
  /** Keep a copy of the file (`PATH.TIMESTAMP`) before editing it. @default {false} */
  backup?: boolean;
  /**
   * Let the shell expand `$VARS` and `$(...)` in `line` and `replace` (they are
   * double-quoted rather than single-quoted); write `\$` for a literal `$`.
   * @default {false}
   */
  interpolateVariables?: boolean;
  /**
   * Match `line` literally: the characters special in grep/sed basic regular expressions
   * (`.\*[]^$`) are escaped. (pyinfra also escapes `(){}+?-`, which makes `\(` a group
   * in grep and sed; tsinfra does not.) @default {false}
   */
  escapeRegexCharacters?: boolean;
  /**
   * When appending, first add a newline if the file does not end with one (as in
   * pyinfra, an empty or missing file then starts with an empty line). @default {false}
   */
  ensureNewline?: boolean;
}

/**
 * The command that appends `text` to `path`: `echo` as pyinfra writes it, or
 * `printf '%s\n'` when echo would change the text (a backslash, a leading `-`).
 */
function appendCommand(
  text: string,
  path: string,
  interpolate: boolean,
  ensureNewline: boolean,
): StringCommand {
  const value = interpolate ? interpolatedArgument(text) : quote(text);
  const echoSafe = !text.includes("\\") && !text.startsWith("-") &&
    !(interpolate && /[$`]/.test(text));
  const write = echoSafe ? ["echo", value] : ["printf", "'%s\\n'", value];
  if (!ensureNewline) return new StringCommand([...write, ">>", quote(path)]);
  // pyinfra's form, which server.user's fixtures pin: an empty or missing file gets an
  // empty first line.
  return new StringCommand([
    "( [ $(tail -c1",
    quote(operandPath(path)),
    "| wc -l) -eq 0 ] && echo ;",
    ...write,
    ") >>",
    quote(path),
  ]);
}

/** sed flags as one word, as `sedReplace` writes them. */
function flagText(flags: string[] | string | null | undefined): string {
  return typeof flags === "string" ? flags : (flags ?? []).join("");
}

/**
 * Ensures a line is in a file (appended when missing), that matching lines read as
 * `replace`, or (`present: false`) that no line matches.
 *
 * @example
 * ```ts ignore
 * import { files } from "tsinfra/operations";
 * files.line({
 *   path: "/etc/ssh/sshd_config",
 *   line: "^PermitRootLogin",
 *   replace: "PermitRootLogin no",
 * });
 * files.line({ path: "/etc/motd", line: "DOWN FOR MAINTENANCE", present: false });
 * ```
 */
export const line: Operation<LineOptions> = defineOperation<LineOptions>("files.line", {
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
    // Checked before any fact is read: a line holds no newline, and the sed script built
    // from it must not be cut short.
    assertOneLine(args.line, "line", "files.line");
    if (args.replace) assertOneLine(args.replace, "replace", "files.line");
    const interpolate = args.interpolateVariables ?? false;
    // grep and sed read basic regular expressions: escaping `(` would make a group.
    const matchLine = adjustRegex(args.line, args.escapeRegexCharacters ?? false, "basic");
    // With --diff, the file's content is read in the same round trip as the lines.
    prefetchContents(ctx, path);
    let presentLines = await ctx.host.getFact(FindInFile, {
      path,
      pattern: matchLine,
      interpolate_variables: interpolate,
    });
    const replace = args.replace || "";
    const text = replace || args.line;
    const timestamp = ctx.timestamp();
    let append = appendCommand(text, path, interpolate, ensureNewline);
    if (backup) {
      append = new StringCommand([
        new StringCommand([
          "cp",
          quote(operandPath(path)),
          quote(operandPath(`${path}.${timestamp}`)),
          "&&",
        ]),
        append,
      ]);
    }
    const sedOptions = { flags: args.flags, backup, interpolateVariables: interpolate, timestamp };

    if (!presentLines?.length && present) {
      // With a replacement, append only when the replacement line is not there either.
      if (replace) {
        // The replacement is text, not a pattern: its regex characters are escaped
        // (unless the shell is to expand it), so the next run finds it as written.
        let whole = interpolate ? replace : replace.replace(/[.\\*[\]^$]/g, "\\$&");
        if (!whole.startsWith("^")) whole = `^${whole}`;
        if (!whole.endsWith("$")) whole = `${whole}$`;
        presentLines = await ctx.host.getFact(FindInFile, {
          path,
          pattern: whole,
          interpolate_variables: interpolate,
        });
      }
      if (!presentLines?.length) {
        await showDiff(ctx, path, (before) => {
          const appended = interpolate ? afterDoubleQuotes(text) : text;
          // The backup's cp fails on a missing file, and nothing is appended.
          if (appended === null || (backup && before === null)) return null;
          const current = before ?? "";
          const newline = ensureNewline && !current.endsWith("\n") ? "\n" : "";
          return `${current}${newline}${appended}\n`;
        });
        yield append;
      } else ctx.noop(`line "${text}" exists in ${path}`);
    } else if (presentLines?.length && !present) {
      const command = sedDelete(path, matchLine, sedOptions);
      await showDiff(
        ctx,
        path,
        (before) =>
          before === null ? null : sedDeleteLines(before, sedPattern(matchLine), {
            ignoreCase: /i/i.test(flagText(args.flags)),
            interpolated: interpolate,
          }),
      );
      yield command;
    } else if (presentLines?.length && present) {
      if (replace && presentLines.some((l) => l !== replace)) {
        const command = sedReplace(path, matchLine, replace, sedOptions);
        await showDiff(
          ctx,
          path,
          (before) =>
            before === null
              ? null
              : sedSubstitute(before, sedPattern(matchLine), sedReplacement(replace), {
                flags: flagText(args.flags),
                interpolated: interpolate,
              }),
        );
        yield command;
      } else ctx.noop(`line "${text}" exists in ${path}`);
    } else {
      ctx.noop(`line "${text}" does not exist in ${path}`);
    }
  },
});

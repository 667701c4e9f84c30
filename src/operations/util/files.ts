/**
 * Command helpers shared by the file operations: chmod/chown, sed replacements,
 * line-matching regexes and the handling of a path of the wrong type, as pyinfra's
 * `operations/util/files.py` (and the private helpers of `operations/files.py`) build
 * them.
 *
 * @module
 */
import * as posix from "node:path/posix";
import { createHash } from "node:crypto";
import { type OperationCommand, quote, StringCommand } from "../../core/command.ts";
import type { OperationContext } from "../../core/operation.ts";
import { operandPath } from "../../facts/files.ts";
import {
  EXIT,
  OperationError,
  OperationTypeError,
  OperationValueError,
} from "../../core/errors.ts";

/** A file mode as operations take it: 644, "644", or a symbolic "u+x". */
export type Mode = number | string;

/** Joins path parts with `/`, trimming trailing slashes of all but the last. */
export function unixPathJoin(...parts: string[]): string {
  return parts.map((part, i) => (i < parts.length - 1 ? part.replace(/\/+$/, "") : part)).join("/");
}

/** `"700"` -> 700; numbers and symbolic modes (`u+x`) as given. */
export function ensureModeInt(mode: Mode | null | undefined): Mode | null | undefined {
  if (typeof mode === "string" && /^\d+$/.test(mode)) return Number(mode);
  return mode;
}

/** The SHA1 of bytes or text (UTF-8), as hex: what `files.Sha1File` reports. */
export function sha1(data: Uint8Array | string): string {
  return createHash("sha1").update(data).digest("hex");
}

/** A value or a list of values, as a list (`null` is empty). */
export function asList<T>(value: T | readonly T[] | null | undefined): T[] {
  if (value === null || value === undefined) return [];
  return Array.isArray(value) ? [...value] : [value as T];
}

/**
 * `chmod [-R] MODE TARGET`.
 *
 * @example
 * ```ts
 * import { chmod } from "./files.ts";
 * chmod("/srv/a b", 755).raw(); // "chmod 755 '/srv/a b'"
 * ```
 */
export function chmod(target: string, mode: Mode, recursive = false): StringCommand {
  return new StringCommand([
    recursive ? "chmod -R" : "chmod",
    quote(String(mode)),
    quote(operandPath(target)),
  ]);
}

/**
 * `chown USER[:GROUP] TARGET`, or `chgrp GROUP TARGET` when only a group is given.
 *
 * @example
 * ```ts
 * import { chown } from "./files.ts";
 * chown("/srv/app", "www", "www").raw(); // "chown www:www /srv/app"
 * ```
 */
export function chown(
  target: string,
  user?: string | null,
  group?: string | null,
  recursive = false,
  dereference = true,
): StringCommand {
  let command = "chown";
  let owner: string;
  if (user && group) owner = `${user}:${group}`;
  else if (user) owner = user;
  else {
    command = "chgrp";
    owner = group ?? "";
  }
  const flags = [command, ...(recursive ? ["-R"] : []), ...(dereference ? [] : ["-h"])].join(" ");
  return new StringCommand([flags, quote(owner), quote(operandPath(target))]);
}

/** A mode and an owner asked for, each optional. */
export interface WantedModeOwner {
  mode?: Mode | null;
  user?: string | null;
  group?: string | null;
}

/**
 * The `chmod` and `chown` that bring an existing path to the mode and owner asked for,
 * each only when it differs (`chmod` first, as pyinfra).
 *
 * @param current the path's mode and owner as a fact read them
 * @param options `recursive` (`-R`), `dereference: false` for a link itself (`-h`)
 * @returns whether any command was yielded
 * @example
 * ```ts
 * import { fixModeOwner } from "./files.ts";
 * const commands = [...fixModeOwner("/srv", { mode: 700, user: "root" }, { mode: 755, user: "root" })];
 * if (commands.length !== 1 || commands[0].raw() !== "chmod 755 /srv") throw new Error();
 * ```
 */
export function* fixModeOwner(
  path: string,
  current: { mode?: Mode | null; user?: string | null; group?: string | null },
  wanted: WantedModeOwner,
  options: { recursive?: boolean; dereference?: boolean } = {},
): Generator<StringCommand, boolean, undefined> {
  const { mode, user, group } = wanted;
  let changed = false;
  if (mode && current.mode !== mode) {
    yield chmod(path, mode, options.recursive);
    changed = true;
  }
  if ((user && current.user !== user) || (group && current.group !== group)) {
    yield chown(path, user, group, options.recursive, options.dereference);
    changed = true;
  }
  return changed;
}

/**
 * Escapes regex characters (when asked) and anchors the pattern to a whole line, as
 * `^.*PATTERN.*$` unless it is already anchored.
 *
 * `syntax` says how the pattern is read: `"extended"` (awk; pyinfra's escaping of
 * `.\+*?[^]$(){}-`) or `"basic"` (grep and sed without `-E`, where `\(`, `\{`, `\+`
 * and `\?` are operators, so only `.\*[]^$` are escaped).
 *
 * @example
 * ```ts
 * import { adjustRegex } from "./files.ts";
 * adjustRegex("a.b", true); // "^.*a\\.b.*$"
 * adjustRegex("f(x)", true, "basic"); // "^.*f(x).*$"
 * ```
 */
export function adjustRegex(
  line: string,
  escapeRegexCharacters: boolean,
  syntax: "basic" | "extended" = "extended",
): string {
  let match = line;
  if (escapeRegexCharacters) {
    match = syntax === "basic"
      ? match.replace(/([.\\*[\]^$])/g, "\\$1")
      : match.replace(/([.\\+*?[^\]$(){}-])/g, "\\$1");
  }
  if (!match.startsWith("^")) match = `^.*${match}`;
  if (!match.endsWith("$")) match = `${match}.*$`;
  return match;
}

/**
 * Double-quotes text for the shell while leaving `$VAR`, `${VAR}` and `$(...)` live:
 * what the `interpolateVariables` options ask for. Unlike pyinfra, which only escapes
 * `"`, the text cannot end the quoted word early: `"`, backticks, a trailing backslash
 * and a backslash before `"`, `` ` ``, `\` or a newline are escaped; `\$` is kept as the
 * way to write a literal `$`.
 *
 * @example
 * ```ts
 * import { interpolatedArgument } from "./files.ts";
 * interpolatedArgument('say "$USER"'); // "\"say \\\"$USER\\\"\""
 * ```
 */
export function interpolatedArgument(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    const next = text[i + 1];
    if (char === "\\") {
      if (next === "$") {
        out += "\\$";
        i++;
      } else if (
        next === undefined || next === '"' || next === "`" || next === "\\" || next === "\n"
      ) {
        out += "\\\\";
      } else {
        out += "\\";
      }
    } else if (char === '"' || char === "`") {
      out += "\\" + char;
    } else {
      out += char;
    }
  }
  return `"${out}"`;
}

/** Options of {@linkcode sedReplace}. */
export interface SedReplaceOptions {
  /** sed flags (`["g", "i"]` or `"gi"`). */
  flags?: string | readonly string[] | null;
  /** Keep sed's `FILE.TIMESTAMP` copy rather than removing it. @default {false} */
  backup?: boolean;
  /**
   * Double-quote the script so the shell expands `$VARS` (the caller's choice). @default {false}
   */
  interpolateVariables?: boolean;
  /** The backup suffix (`ctx.timestamp()`). */
  timestamp: string;
  /** The option the pattern came from, named when it is refused. @default {"line"} */
  argument?: string;
  /**
   * Write the replacement exactly as given: `\1`...`\9` are text too, not the pattern's
   * groups (see {@linkcode sedReplacement}). @default {false}
   */
  literal?: boolean;
}

/**
 * A sed regular expression made safe to put between `/` delimiters, for every byte:
 * sed reads the text between delimiters as pairs (`\` and the next character) and
 * single characters, and so does this. A lone `/` becomes `\/` (which sed reads as a
 * plain `/`), an escaped pair is kept as the user wrote it (`\/` stays `\/`), and a
 * backslash left alone at the end becomes `\\` so it cannot escape the closing
 * delimiter. The result therefore ends exactly where the delimiter is put, whatever the
 * input. A newline cannot be part of a line's pattern and is refused.
 *
 * @param pattern A basic regular expression.
 * @param argument The option the pattern came from, for the error message.
 * @returns The pattern, ready to go between `/` delimiters.
 *
 * @example
 * ```ts
 * import { sedPattern } from "./files.ts";
 * sedPattern("a/b"); // "a\\/b"
 * sedPattern("a\\/b"); // "a\\/b"
 * ```
 */
export function sedPattern(pattern: string, argument = "line"): string {
  if (/[\n\0]/.test(pattern)) {
    throw new OperationValueError(
      `Invalid argument \`${argument}\`: a sed pattern matches within one line and cannot ` +
        `contain a newline or NUL: ${JSON.stringify(pattern)}`,
    );
  }
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === "\\") {
      const next = pattern[i + 1];
      if (next === undefined) out += "\\\\";
      else {
        out += char + next;
        i++;
      }
    } else if (char === "/") out += "\\/";
    else out += char;
  }
  return out;
}

/**
 * A sed replacement that writes the text literally, for every byte, except `\1`...`\9`
 * (the groups of the pattern): `&`, `/` and every other backslash are escaped, and a
 * newline is written as sed's `\` + newline.
 *
 * @param replacement The text that replaces the match.
 * @param literal Escape `\1`...`\9` too, so they are written as text.
 * @returns The replacement, ready to go between `/` delimiters.
 *
 * @example
 * ```ts
 * import { sedReplacement } from "./files.ts";
 * sedReplacement("a&b/c"); // "a\\&b\\/c"
 * sedReplacement("\\1 \\n"); // "\\1 \\\\n"
 * ```
 */
export function sedReplacement(replacement: string, literal = false): string {
  if (replacement.includes("\0")) {
    throw new OperationValueError("Invalid argument `replace`: it cannot contain a NUL byte");
  }
  let out = "";
  for (let i = 0; i < replacement.length; i++) {
    const char = replacement[i];
    const next = replacement[i + 1];
    if (!literal && char === "\\" && next !== undefined && next >= "1" && next <= "9") {
      out += char + next;
      i++;
    } else if (char === "\\" || char === "&" || char === "/" || char === "\n") out += "\\" + char;
    else out += char;
  }
  return out;
}

/**
 * `sed -i.TIMESTAMP 's/LINE/REPLACE/FLAGS' FILE`, removing the backup unless asked to
 * keep it. The pattern goes through {@linkcode sedPattern} and the replacement through
 * {@linkcode sedReplacement}, so no text can end the `s` command: for ordinary text this
 * is pyinfra's command (`/` escaped in both parts, `&` in the replacement).
 *
 * @example
 * ```ts
 * import { sedReplace } from "./files.ts";
 * sedReplace("f", "a", "b", { timestamp: "t" }).raw();
 * // "sed -i.t 's/a/b/' f && rm -f f.t"
 * ```
 */
export function sedReplace(
  file: string,
  line: string,
  replace: string,
  options: SedReplaceOptions,
): StringCommand {
  const flags = flagString(options.flags);
  const script = `s/${sedPattern(line, options.argument)}/${
    sedReplacement(String(replace), options.literal)
  }/${flags}`;
  return sedInPlace(file, script, options);
}

/**
 * `sed -i.TIMESTAMP '/LINE/d' FILE`: deletes the matching lines (pyinfra replaces them
 * with empty lines instead). An `i`/`I` flag makes the match ignore case.
 *
 * @example
 * ```ts
 * import { sedDelete } from "./files.ts";
 * sedDelete("f", "^a$", { timestamp: "t" }).raw();
 * // "sed -i.t '/^a$/d' f && rm -f f.t"
 * ```
 */
export function sedDelete(file: string, line: string, options: SedReplaceOptions): StringCommand {
  const flags = flagString(options.flags);
  const script = `/${sedPattern(line, options.argument)}/${/i/i.test(flags) ? "I" : ""}d`;
  return sedInPlace(file, script, options);
}

/** Runs a sed script in place, keeping the timestamped backup only when asked. */
function sedInPlace(file: string, script: string, options: SedReplaceOptions): StringCommand {
  const sed = new StringCommand([
    "sed",
    quote(`-i.${options.timestamp}`),
    options.interpolateVariables ? interpolatedArgument(script) : singleQuoted(script),
    quote(operandPath(file)),
  ]);
  if (options.backup) return sed;
  return new StringCommand([
    sed,
    "&&",
    "rm",
    "-f",
    quote(operandPath(`${file}.${options.timestamp}`)),
  ]);
}

/** sed flags as one word: letters and digits only, so they cannot add a command. */
function flagString(flags: string | readonly string[] | null | undefined): string {
  const text = typeof flags === "string" ? flags : (flags ?? []).join("");
  if (!/^[A-Za-z0-9]*$/.test(text)) {
    throw new OperationValueError(
      `Invalid argument \`flags\`: sed flags are letters and digits, got ${JSON.stringify(text)}`,
    );
  }
  return text;
}

/** Always single quotes (pyinfra's sed scripts are quoted even when bare would do). */
function singleQuoted(text: string): string {
  return "'" + text.replaceAll("'", `'"'"'`) + "'";
}

/**
 * Python's `fnmatch` pattern as a regular expression matching the whole name: `*`, `?`,
 * `[seq]` and `[!seq]`; `*` also matches `/`.
 *
 * @example
 * ```ts
 * import { fnmatchRegExp } from "./files.ts";
 * fnmatchRegExp("*.py[co]").test("/src/a.pyc"); // true
 * ```
 */
export function fnmatchRegExp(pattern: string): RegExp {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === "*") out += ".*";
    else if (char === "?") out += ".";
    else if (char === "[") {
      let j = i + 1;
      if (pattern[j] === "!") j++;
      if (pattern[j] === "]") j++;
      while (j < pattern.length && pattern[j] !== "]") j++;
      if (j >= pattern.length) {
        out += "\\[";
        continue;
      }
      let body = pattern.slice(i + 1, j).replaceAll("\\", "\\\\");
      const negate = body.startsWith("!");
      if (negate) body = body.slice(1);
      if (body.startsWith("]")) body = "\\" + body;
      else if (body.startsWith("^") || body.startsWith("[")) body = "\\" + body;
      out += `[${negate ? "^" : ""}${body}]`;
      i = j;
    } else out += char.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^(?:${out})$`, "s");
}

/** A controller file or folder that is not there (pyinfra raises `IOError`). */
export class LocalFileError extends OperationError {
  override name = "IOError";
  // The controller's file: bad input, the same for every host.
  override exitCode: number = EXIT.BAD_INPUT;
}

/** Options shared by operations that replace a path of the wrong type. */
export interface ForceOptions {
  /** Remove (or back up) whatever is at the path when it has the wrong type. @default {false} */
  force?: boolean;
  /**
   * With `force`, move the old path aside (`PATH.TIMESTAMP`) rather than deleting it. @default
   * {true}
   */
  forceBackup?: boolean;
  /** With `force` and `forceBackup`, move the backup into this folder. @default {null} */
  forceBackupDir?: string | null;
}

/** Checks that `path` is a string, with pyinfra's message otherwise. */
export function validatePath(path: unknown): string {
  if (typeof path !== "string") {
    throw new OperationTypeError("`path` must be a string or `os.PathLike` object");
  }
  return path;
}

/** Backs up or removes a path of the wrong type, or fails when `force` is off. */
export function* replaceInvalidPath(
  kind: string,
  path: string,
  options: ForceOptions,
  ctx: OperationContext,
): Generator<OperationCommand> {
  if (!options.force) throw new OperationError(`${path} exists and is not a ${kind}`);
  if (options.forceBackup ?? true) {
    let backup = `${path}.${ctx.timestamp()}`;
    if (options.forceBackupDir) backup = `${options.forceBackupDir}/${posix.basename(backup)}`;
    yield new StringCommand(["mv", quote(operandPath(path)), quote(operandPath(backup))]);
  } else {
    yield new StringCommand(["rm", "-rf", quote(operandPath(path))]);
  }
}

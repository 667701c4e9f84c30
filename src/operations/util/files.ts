/**
 * Command helpers shared by the file operations: chmod/chown, sed replacements and
 * line-matching regexes, as pyinfra's `operations/util/files.py` builds them.
 *
 * @module
 */
import { quote, StringCommand } from "../../core/command.ts";

/** A file mode as operations take it: 644, "644", or a symbolic "+x". */
export type Mode = number | string;

/** Joins path parts with `/`, trimming trailing slashes of all but the last. */
export function unixPathJoin(...parts: string[]): string {
  return parts.map((part, i) => (i < parts.length - 1 ? part.replace(/\/+$/, "") : part)).join("/");
}

/** `"700"` -> 700; numbers and symbolic modes (`+x`) as given. */
export function ensureModeInt(mode: Mode | null | undefined): Mode | null | undefined {
  if (typeof mode === "string" && /^\d+$/.test(mode)) return Number(mode);
  return mode;
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
  return new StringCommand([recursive ? "chmod -R" : "chmod", quote(String(mode)), quote(target)]);
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
  return new StringCommand([flags, quote(owner), quote(target)]);
}

/**
 * Escapes regex characters (when asked) and anchors the pattern to a whole line, as
 * `^.*PATTERN.*$` unless it is already anchored.
 *
 * @example
 * ```ts
 * import { adjustRegex } from "./files.ts";
 * adjustRegex("a.b", true); // "^.*a\\.b.*$"
 * ```
 */
export function adjustRegex(line: string, escapeRegexCharacters: boolean): string {
  let match = line;
  if (escapeRegexCharacters) match = match.replace(/([.\\+*?[^\]$(){}-])/g, "\\$1");
  if (!match.startsWith("^")) match = `^.*${match}`;
  if (!match.endsWith("$")) match = `${match}.*$`;
  return match;
}

/** Options of {@linkcode sedReplace}. */
export interface SedReplaceOptions {
  flags?: string | string[] | null;
  backup?: boolean;
  /** Double-quote the script so the shell expands `$VARS` (the caller's choice). */
  interpolateVariables?: boolean;
  /** The backup suffix (`ctx.timestamp()`). */
  timestamp: string;
}

function singleQuote(text: string): string {
  return "'" + text.replaceAll("'", `'"'"'`) + "'";
}

/**
 * `sed -i.TIMESTAMP 's/LINE/REPLACE/FLAGS' FILE`, removing the backup unless asked to
 * keep it.
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
  const flags = Array.isArray(options.flags) ? options.flags.join("") : options.flags ?? "";
  let pattern = line.replaceAll("/", "\\/");
  let replacement = String(replace).replaceAll("/", "\\/").replaceAll("&", "\\&");
  let script: string;
  if (options.interpolateVariables) {
    pattern = pattern.replaceAll('"', '\\"');
    replacement = replacement.replaceAll('"', '\\"');
    script = `"s/${pattern}/${replacement}/${flags}"`;
  } else {
    script = singleQuote(`s/${pattern}/${replacement}/${flags}`);
  }
  const sed = new StringCommand(["sed", `-i.${options.timestamp}`, script, quote(file)]);
  if (options.backup) return sed;
  return new StringCommand([sed, "&&", "rm", "-f", quote(`${file}.${options.timestamp}`)]);
}

/**
 * POSIX shell quoting, byte-compatible with Python's `shlex.quote` so that generated
 * commands match pyinfra's exactly.
 *
 * @module
 */

const SAFE = /^[\w@%+=:,./-]+$/;

/**
 * Quotes a string for a POSIX shell: bare when every character is safe, otherwise in
 * single quotes with each embedded `'` written as `'"'"'`.
 *
 * @example
 * ```ts
 * import { shellQuote } from "./quote.ts";
 * shellQuote("a b"); // "'a b'"
 * shellQuote("it's"); // "'it'\"'\"'s'"
 * ```
 */
export function shellQuote(value: string): string {
  if (value === "") return "''";
  // JS \w is ASCII-only, like shlex's pattern (compiled with re.ASCII).
  if (SAFE.test(value)) return value;
  return "'" + value.replaceAll("'", `'"'"'`) + "'";
}

/**
 * Double-quotes a string for a POSIX shell, with every character that is live inside
 * double quotes (`\`, `"`, `$`, `` ` ``) escaped: the text is taken literally. For
 * commands whose pyinfra form double-quotes a value (`apt-add-repository -y "ppa:x/y"`).
 *
 * @example
 * ```ts
 * import { doubleQuote } from "./quote.ts";
 * if (doubleQuote("ppa:a/b") !== '"ppa:a/b"') throw new Error();
 * if (doubleQuote("$(id)") !== '"\\$(id)"') throw new Error(doubleQuote("$(id)"));
 * ```
 */
export function doubleQuote(value: string): string {
  return `"${value.replace(/[\\"$`]/g, "\\$&")}"`;
}

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

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
  // Python's \w is Unicode-aware only for str; shlex uses re.ASCII.
  if (SAFE.test(value) && /^[\x00-\x7f]*$/.test(value)) return value;
  return "'" + value.replaceAll("'", `'"'"'`) + "'";
}

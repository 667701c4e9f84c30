/**
 * Small helpers shared by the server operations.
 *
 * @module
 */

/**
 * Always single-quotes a value for a POSIX shell (each `'` written as `'"'"'`). pyinfra
 * writes some values in literal single quotes (`-c 'Full Name'`); this keeps those bytes
 * for ordinary values while no value can break out of its argument.
 *
 * @example
 * ```ts
 * import { singleQuoted } from "./util.ts";
 * singleQuoted("Bob"); // "'Bob'"
 * singleQuoted("it's"); // "'it'\"'\"'s'"
 * ```
 */
export function singleQuoted(value: string): string {
  return "'" + value.replaceAll("'", `'"'"'`) + "'";
}

/**
 * Escapes the characters special in a POSIX basic regular expression (grep, sed), so
 * that the text matches itself.
 *
 * @example
 * ```ts
 * import { escapeBasicRegex } from "./util.ts";
 * escapeBasicRegex("*.log"); // "\\*\\.log"
 * ```
 */
export function escapeBasicRegex(text: string): string {
  return text.replace(/[.[\]*^$\\]/g, "\\$&");
}

/** pyinfra's `try_int`: an integer-looking string as a number, anything else as is. */
export function tryInt(value: unknown): unknown {
  if (typeof value === "string" && /^\s*[-+]?\d+\s*$/.test(value)) return Number(value.trim());
  return value;
}

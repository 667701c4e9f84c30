/**
 * Terminal styling: colours only when writing to a terminal and NO_COLOR is unset.
 *
 * @module
 */

/** A set of styling functions, identity when colours are off. */
export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  red(text: string): string;
  blue(text: string): string;
}

const code = (open: number, close: number) => (text: string) =>
  `\x1b[${open}m${text}\x1b[${close}m`;

/** A style for a stream: coloured on a TTY unless NO_COLOR is set. */
export function styleFor(isTerminal: boolean): Style {
  const on = isTerminal && !Deno.env.get("NO_COLOR");
  if (!on) {
    const id = (t: string) => t;
    return { bold: id, dim: id, green: id, yellow: id, red: id, blue: id };
  }
  return {
    bold: code(1, 22),
    dim: code(2, 22),
    green: code(32, 39),
    yellow: code(33, 39),
    red: code(31, 39),
    blue: code(34, 39),
  };
}

/** Removes colour codes (for tests comparing output). */
export function stripColours(text: string): string {
  // deno-lint-ignore no-control-regex -- ANSI escape sequences
  return text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "");
}

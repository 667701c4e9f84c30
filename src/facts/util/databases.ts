/**
 * Parsing shared by the database facts: a header line of column titles, then rows, all
 * split on one delimiter (psql's `-A` output, mysql's batch output).
 *
 * @module
 */

/** One row: column title -> value (`null` for an empty field). */
export type DatabaseRow = Record<string, string | null>;

/**
 * Rows of delimited output whose first line names the columns; `removePrefix` is cut
 * from the start of every title (`rolname` -> `name`).
 *
 * @example
 * ```ts
 * import { parseColumnsAndRows } from "./databases.ts";
 * parseColumnsAndRows(["rolname|rolsuper", "app|f"], "|", "rol"); // [{ name: "app", super: "f" }]
 * ```
 */
export function parseColumnsAndRows(
  lines: readonly string[],
  delimiter: string,
  removePrefix?: string,
  titleParser?: (title: string) => string,
): DatabaseRow[] {
  if (!lines.length) return [];
  let titles = lines[0].split(delimiter);
  if (titleParser) titles = titles.map(titleParser);
  if (removePrefix) {
    titles = titles.map((t) => (t.startsWith(removePrefix) ? t.slice(removePrefix.length) : t));
  }
  return lines.slice(1).map((line) => {
    const row: DatabaseRow = {};
    line.split(delimiter).forEach((bit, i) => (row[titles[i]] = bit || null));
    return row;
  });
}

/** A number when the text is one (Python's `try_int`), else the text. */
export function tryInt(value: string | null): number | string | null {
  if (value === null) return null;
  return /^[+-]?\d+$/.test(value.trim()) ? Number(value) : value;
}

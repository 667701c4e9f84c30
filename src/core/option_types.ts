/**
 * Runtime checks of operation options against their TypeScript types. The types are
 * read from the source by `deno task docs` (the same reading as the reference) into
 * option_types_data.ts, plain data keyed by operation name, so that a deploy written
 * without an editor still gets a clear error before anything runs:
 * `apt.packages in deploy.ts:3:1: update must be boolean, got "yes"`.
 *
 * @module
 */
import { ArgumentError } from "./errors.ts";
import { StringCommand } from "./command.ts";
import { OPTION_TYPES, REQUIRED_OPTIONS } from "./option_types_data.ts";

let enabled = true;

/**
 * Turns the checks off or on. pyinfra's conformance cases pass Python values (truthy
 * strings for booleans) and expect pyinfra's own errors, so their harness runs without
 * them; everything else keeps them on.
 */
export function setOptionTypeChecks(on: boolean): void {
  enabled = on;
}

/**
 * Named types of operation options that are checked as what they stand for (they are
 * declared by the operations: `Mode` in operations/util/files.ts).
 */
const TYPE_ALIASES: Readonly<Record<string, string>> = {
  Mode: "number | string",
  CronField: "string | number | (string | number)[]",
  SysctlSetting: "string | number | (string | number)[]",
};

/** Splits `a | b<c | d> | e` at top-level `|`. */
function splitUnion(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const char of text) {
    if ("<([{".includes(char)) depth++;
    if (">)]}".includes(char)) depth--;
    if (char === "|" && depth === 0) {
      parts.push(current.trim());
      current = "";
    } else current += char;
  }
  parts.push(current.trim());
  return parts.filter(Boolean);
}

/** Whether `value` fits one union member; `undefined` when the member cannot be checked. */
function fits(value: unknown, type: string): boolean | undefined {
  const t = type.replace(/^\((.*)\)$/, "$1").trim();
  if (splitUnion(t).length > 1) return check(value, t);
  if (t === "string") return typeof value === "string";
  if (t === "number") return typeof value === "number";
  if (t === "boolean") return typeof value === "boolean";
  if (t === "null") return value === null;
  if (t === "StringCommand") return value instanceof StringCommand;
  if (t === "undefined") return value === undefined;
  if (/^"(?:[^"\\]|\\.)*"$/.test(t)) return value === JSON.parse(t);
  if (/^-?\d+(\.\d+)?$/.test(t)) return value === Number(t);
  if (t.endsWith("[]")) {
    if (!Array.isArray(value)) return false;
    const results = value.map((item) => check(item, t.slice(0, -2)));
    return results.includes(false) ? false : results.includes(undefined) ? undefined : true;
  }
  if (/^Record<string, .+>$/.test(t)) {
    return typeof value === "object" && value !== null && !Array.isArray(value);
  }
  const alias = TYPE_ALIASES[t];
  if (alias !== undefined) return check(value, alias);
  return undefined; // another named type (PackageSpec, ...): not checked here
}

function check(value: unknown, type: string): boolean | undefined {
  const results = splitUnion(type).map((member) => fits(value, member));
  if (results.includes(true)) return true;
  return results.includes(undefined) ? undefined : false;
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}

/**
 * Names of arguments that hold a path or a name on a host (a file, a user, a group, a
 * service...), where a line break can only be a mistake: commands and the files tools
 * read (passwd, crontab, fstab) are line based.
 */
const PATH_OR_NAME =
  /^(?:path|paths|dest|src|target|name|names|user|users|group|groups|filename|file|files|directory|dir|destination|source|home|link|cronName|service|unit|_chdir|_sudoUser|_suUser|_doasUser|_tempDir)$/;

/**
 * Where in `value` a string holds `test`ed text: the first path found, as
 * `name`, `name[2]` or `name.key`, or undefined.
 */
function findText(
  value: unknown,
  at: string,
  test: (text: string) => boolean,
  seen = new Set<unknown>(),
): string | undefined {
  if (typeof value === "string") return test(value) ? at : undefined;
  if (value === null || typeof value !== "object" || seen.has(value)) return undefined;
  seen.add(value);
  if (value instanceof StringCommand) {
    for (const part of value.parts) {
      const text = typeof part === "object" && "value" in part ? part.value : part;
      const found = findText(text, at, test, seen);
      if (found) return found;
    }
    return undefined;
  }
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = findText(item, `${at}[${i}]`, test, seen);
      if (found) return found;
    }
    return undefined;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const found = findText(key, `${at} (key ${JSON.stringify(key)})`, test, seen) ??
      findText(item, `${at}.${key}`, test, seen);
    if (found) return found;
  }
  return undefined;
}

/**
 * Refuses values no host can be given, at the call site, before anything runs: a NUL
 * byte anywhere (no command line or file name can carry one; sshd drops the connection
 * on it), and a line break in a path or name argument.
 *
 * @param operation the operation's name (`files.file`)
 * @param args its arguments, global ones included
 * @param where the call site (`deploy.ts:3:1`)
 * @throws {ArgumentError} naming the operation, the call site and the argument
 * @example
 * ```ts
 * import { checkImpossibleValues } from "./option_types.ts";
 * checkImpossibleValues("files.file", { path: "/tmp/a" }, "deploy.ts:1:1"); // fine
 * try {
 *   checkImpossibleValues("files.file", { path: "/tmp/a\nb" }, "deploy.ts:1:1");
 * } catch (error) {
 *   (error as Error).message; // "files.file in deploy.ts:1:1: path contains a line break..."
 * }
 * ```
 */
export function checkImpossibleValues(
  operation: string,
  args: Readonly<Record<string, unknown>>,
  where: string,
): void {
  for (const [name, value] of Object.entries(args)) {
    const nul = findText(value, name, (text) => text.includes("\0"));
    if (nul) {
      throw new ArgumentError(
        `${operation} in ${where}: ${nul} contains a NUL byte, which no command or file name can carry; remove it`,
      );
    }
    if (!PATH_OR_NAME.test(name)) continue;
    const newline = findText(value, name, (text) => /[\n\r]/.test(text));
    if (newline) {
      throw new ArgumentError(
        `${operation} in ${where}: ${newline} contains a line break, which a path or a name cannot hold; remove it`,
      );
    }
  }
}

/**
 * Throws an {@linkcode ArgumentError} naming the operation, the call site and the
 * option when a required option is missing or an option's value does not fit its
 * declared type.
 */
export function checkOptionTypes(
  operation: string,
  args: Readonly<Record<string, unknown>>,
  where: string,
): void {
  if (!enabled) return;
  const missing = (Object.hasOwn(REQUIRED_OPTIONS, operation) ? REQUIRED_OPTIONS[operation] : [])
    .filter((name) => args[name] === undefined);
  if (missing.length) {
    throw new ArgumentError(
      `${operation} in ${where}: ${missing.join(", ")} ${
        missing.length > 1 ? "are" : "is"
      } required`,
    );
  }
  const types = Object.hasOwn(OPTION_TYPES, operation) ? OPTION_TYPES[operation] : undefined;
  if (!types) return;
  for (const [name, value] of Object.entries(args)) {
    const type = types[name];
    if (type === undefined || value === undefined) continue;
    if (check(value, type) === false) {
      throw new ArgumentError(
        `${operation} in ${where}: ${name} must be ${type}, got ${describe(value)}`,
      );
    }
  }
}

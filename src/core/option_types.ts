/**
 * Runtime checks of operation options against their TypeScript types. The types are
 * read from the source by `deno task docs` (the same reading as the reference) and
 * registered here, so that a deploy written without an editor still gets a clear error
 * before anything runs: `apt.packages in deploy.ts:3:1: update must be boolean, got "yes"`.
 *
 * @module
 */
import { ArgumentError } from "./errors.ts";

/** Option name -> TypeScript type text, per operation. */
const registry = new Map<string, Readonly<Record<string, string>>>();
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
 * Registers the option types of operations (generated: src/operations/option_types.ts).
 *
 * @example
 * ```ts
 * import { registerOptionTypes } from "./option_types.ts";
 * registerOptionTypes({ "demo.touch": { path: "string", mode: "number | null" } });
 * ```
 */
export function registerOptionTypes(types: Readonly<Record<string, Record<string, string>>>) {
  for (const [operation, options] of Object.entries(types)) registry.set(operation, options);
}

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
  if (t === "string") return typeof value === "string";
  if (t === "number") return typeof value === "number";
  if (t === "boolean") return typeof value === "boolean";
  if (t === "null") return value === null;
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
  return undefined; // a named type (Mode, PackageSpec, ...): not checked here
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
 * Throws an {@linkcode ArgumentError} naming the operation, the call site and the
 * option when an option's value does not fit its declared type.
 */
export function checkOptionTypes(
  operation: string,
  args: Readonly<Record<string, unknown>>,
  where: string,
): void {
  const types = enabled ? registry.get(operation) : undefined;
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

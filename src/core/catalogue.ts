/**
 * The catalogue: operations and facts by name, built explicitly from the modules that
 * export them. Defining an operation or a fact changes no global state; whoever needs
 * to find one by name (the command line, a worker, the help) is given a catalogue.
 *
 * @module
 */
import type { Operation } from "./operation.ts";
import type { Fact, FactArgs } from "./fact.ts";
import { TsinfraError } from "./errors.ts";

/** Operations and facts by name (`"files.line"`, `"server.LinuxName"`). */
export interface Catalogue {
  readonly operations: ReadonlyMap<string, Operation<unknown>>;
  readonly facts: ReadonlyMap<string, Fact<unknown, FactArgs>>;
}

/** A catalogue with nothing in it. */
export const EMPTY_CATALOGUE: Catalogue = Object.freeze({
  operations: new Map(),
  facts: new Map(),
});

/** Whether a value is an operation made by `defineOperation`. */
export function isOperation(value: unknown): value is Operation<unknown> {
  return typeof value === "function" &&
    typeof (value as Partial<Operation<unknown>>).operationName === "string" &&
    typeof (value as Partial<Operation<unknown>>).splitArguments === "function";
}

/** Whether a value is a fact made by `defineFact`. */
export function isFact(value: unknown): value is Fact<unknown, FactArgs> {
  return typeof value === "object" && value !== null &&
    (value as Partial<Fact<unknown>>).kind === "fact" &&
    typeof (value as Partial<Fact<unknown>>).name === "string";
}

function isModuleNamespace(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null &&
    (value as Record<symbol, unknown>)[Symbol.toStringTag] === "Module";
}

/**
 * The catalogue of the operations and facts that modules export, keyed by their
 * `operationName` and `name`. Each argument is a module namespace (`import * as x`) or
 * an object of exports; namespaces found among the exports (`export * as apt`) are
 * searched too. The same definition exported twice (an alias) counts once.
 *
 * @param modules module namespaces or objects whose values are searched
 * @returns the operations and facts found
 * @throws {TsinfraError} when two different definitions have the same name
 * @example
 * ```ts
 * import { catalogueOf } from "./catalogue.ts";
 * import { defineFact } from "./fact.ts";
 * const Hostname = defineFact({
 *   name: "demo.Hostname",
 *   command: "uname -n",
 *   process: (lines) => lines[0],
 * });
 * const catalogue = catalogueOf({ Hostname });
 * if (catalogue.facts.get("demo.Hostname") !== Hostname) throw new Error("not found");
 * ```
 */
export function catalogueOf(...modules: readonly Readonly<Record<string, unknown>>[]): Catalogue {
  const operations = new Map<string, Operation<unknown>>();
  const facts = new Map<string, Fact<unknown, FactArgs>>();
  const seen = new Set<unknown>();
  const add = <T>(map: Map<string, T>, name: string, value: T) => {
    const known = map.get(name);
    if (known !== undefined && known !== value) {
      throw new TsinfraError(`Cannot build the catalogue: two definitions are named ${name}`);
    }
    map.set(name, value);
  };
  const visit = (exports: Readonly<Record<string, unknown>>) => {
    if (seen.has(exports)) return;
    seen.add(exports);
    for (const value of Object.values(exports)) {
      if (isOperation(value)) add(operations, value.operationName, value);
      else if (isFact(value)) add(facts, value.name, value);
      else if (isModuleNamespace(value)) visit(value);
    }
  };
  for (const module of modules) visit(module);
  return { operations, facts };
}

/**
 * One catalogue of several: a name found in more than one takes the first catalogue's
 * definition.
 *
 * @example
 * ```ts
 * import { EMPTY_CATALOGUE, mergeCatalogues } from "./catalogue.ts";
 * const merged = mergeCatalogues(EMPTY_CATALOGUE, EMPTY_CATALOGUE);
 * if (merged.operations.size !== 0) throw new Error("not empty");
 * ```
 */
export function mergeCatalogues(...catalogues: readonly Catalogue[]): Catalogue {
  const operations = new Map<string, Operation<unknown>>();
  const facts = new Map<string, Fact<unknown, FactArgs>>();
  for (const catalogue of catalogues.toReversed()) {
    for (const [name, operation] of catalogue.operations) operations.set(name, operation);
    for (const [name, fact] of catalogue.facts) facts.set(name, fact);
  }
  return { operations, facts };
}

/**
 * The module names of a catalogue's operations and facts (`files` of `files.line`).
 *
 * @example
 * ```ts
 * import { catalogueModules, EMPTY_CATALOGUE } from "./catalogue.ts";
 * if (catalogueModules(EMPTY_CATALOGUE).size !== 0) throw new Error("not empty");
 * ```
 */
export function catalogueModules(catalogue: Catalogue): Set<string> {
  const names = [...catalogue.operations.keys(), ...catalogue.facts.keys()];
  return new Set(names.map((name) => name.split(".")[0]));
}

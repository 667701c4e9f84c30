/**
 * Command-line operations and facts: `files.directory path=/tmp/x _sudo=true` and
 * `fact files.File path=/etc/hosts`, parsed into calls.
 *
 * @module
 */
import type { Operation } from "../core/operation.ts";
import type { Fact, FactArgs } from "../core/fact.ts";
import type { Catalogue } from "../core/catalogue.ts";
import { ArgumentError } from "../core/errors.ts";
import { isGlobalArgument, parseGlobalArgumentValue } from "../core/arguments.ts";

function camel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function closest(name: string, names: string[]): string[] {
  const [module] = name.split(".");
  return names.filter((n) => n.startsWith(module + ".")).slice(0, 12);
}

/**
 * The operation of `catalogue` named `module.op` (pyinfra's snake_case accepted), or an
 * error.
 */
export function findOperation(name: string, catalogue: Catalogue): Operation<unknown> {
  const [module, op] = name.split(".");
  const ops = catalogue.operations;
  const found = ops.get(`${module}.${camel(op ?? "")}`) ??
    ops.get(`${module === "python" ? "js" : module}.${camel(op ?? "")}`);
  if (found) return found;
  const near = closest(name, [...ops.keys()]);
  throw new ArgumentError(
    `Unknown operation ${name}` + (near.length ? `: ${module} has ${near.join(", ")}` : ""),
  );
}

/** The fact of `catalogue` named `module.Fact`, or an error. */
export function findFact(name: string, catalogue: Catalogue): Fact<unknown, FactArgs> {
  const found = catalogue.facts.get(name);
  if (found) return found;
  const near = closest(name, [...catalogue.facts.keys()]);
  throw new ArgumentError(
    `Unknown fact ${name}` + (near.length ? `: ${name.split(".")[0]} has ${near.join(", ")}` : ""),
  );
}

/** Parses a CLI value: JSON when it parses (numbers, booleans, lists), else the text. */
export function parseCliValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Parses `key=value` and positional words into an operation's options. */
export function parseOperationArguments(
  operation: Operation<unknown>,
  words: string[],
): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  let position = 0;
  for (const word of words) {
    const at = word.indexOf("=");
    if (at > 0) {
      const key = word.slice(0, at);
      const value = word.slice(at + 1);
      const name = key.startsWith("_") ? "_" + camel(key.slice(1)) : camel(key);
      input[name] = isGlobalArgument(name)
        ? parseGlobalArgumentValue(name, value)
        : parseCliValue(value);
    } else {
      const name = operation.argNames[position++];
      if (!name) {
        throw new ArgumentError(
          `Too many positional arguments for ${operation.operationName}: ${word} (it takes ${
            operation.argNames.join(", ")
          })`,
        );
      }
      input[name] = parseCliValue(word);
    }
  }
  return input;
}

/** Parses `key=value` and positional words into a fact's arguments. */
export function parseFactArguments(fact: Fact<unknown, FactArgs>, words: string[]): FactArgs {
  const args: FactArgs = {};
  let position = 0;
  for (const word of words) {
    const at = word.indexOf("=");
    if (at > 0 && fact.argNames.includes(word.slice(0, at))) {
      args[word.slice(0, at)] = parseCliValue(word.slice(at + 1));
    } else if (at > 0) {
      throw new ArgumentError(
        `Unknown argument ${word.slice(0, at)} for fact ${fact.name}: it takes ${
          fact.argNames.join(", ") || "no arguments"
        }`,
      );
    } else {
      const name = fact.argNames[position++];
      if (!name) throw new ArgumentError(`Too many arguments for fact ${fact.name}: ${word}`);
      args[name] = word;
    }
  }
  return args;
}

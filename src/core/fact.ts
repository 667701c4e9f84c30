/**
 * Facts: a shell command plus a parser, with a default for hosts where the command
 * finds nothing. Facts keep pyinfra's module, class and argument names.
 *
 * @module
 */
import { StringCommand } from "./command.ts";

/** Arguments of a fact, keyed by pyinfra's argument names. */
export type FactArgs = Record<string, unknown>;

/** How a fact is defined. */
export interface FactSpec<T, A extends FactArgs> {
  /** Stable id, `<module>.<Class>` as pyinfra names it: `"server.LinuxName"`. */
  name: string;
  /** Argument names in pyinfra's positional order (`["path"]`). @default {[]} */
  argNames?: readonly (keyof A & string)[];
  /** Default values of optional arguments, so `getFact(File, {path})` fills them in. */
  argDefaults?: Partial<A>;
  /** The shell command that reads the fact. */
  command: string | StringCommand | ((args: A) => string | StringCommand);
  /** A program that must exist on the host, else the fact takes its default. */
  requiresCommand?: string | ((args: A) => string | undefined);
  /** Parses the command's stdout lines. Only called when there is output. */
  process: (lines: string[], args: A) => T;
  /** The value when the command failed, printed nothing, or `requiresCommand` is absent. */
  default?: () => T;
  /** Shell that runs the fact command, when `sh` will not do. */
  shellExecutable?: string;
  /** One-line description shown by `tsinfra help`. */
  summary?: string;
}

/** A defined fact: pass it to `host.getFact(fact, args)`. */
export interface Fact<T, A extends FactArgs = FactArgs> {
  readonly kind: "fact";
  readonly name: string;
  readonly argNames: readonly string[];
  readonly argDefaults: Partial<A>;
  readonly summary: string;
  readonly shellExecutable?: string;
  /** The fact's command for these arguments, as pyinfra's `fact.command(...)`. */
  command(args: A): StringCommand;
  /** The required program for these arguments, if any. */
  requiresCommand(args: A): string | undefined;
  /** The full command sent to the host: the command, guarded by `requiresCommand`. */
  hostCommand(args: A): StringCommand;
  process(lines: string[], args: A): T;
  defaultValue(): T;
}

/** The value type a fact returns. */
export type FactValue<F> = F extends Fact<infer T, infer _A> ? T : never;
/** The argument type a fact takes. */
export type FactArguments<F> = F extends Fact<infer _T, infer A> ? A : never;

/**
 * Defines a fact.
 *
 * @example
 * ```ts
 * import { defineFact } from "./fact.ts";
 * export const Hostname = defineFact({
 *   name: "server.Hostname",
 *   command: "uname -n",
 *   process: (lines) => lines[0]?.trim() ?? "",
 * });
 * ```
 */
export function defineFact<T, A extends FactArgs = Record<string, never>>(
  spec: FactSpec<T, A>,
): Fact<T, A> {
  const toCommand = (value: string | StringCommand) =>
    typeof value === "string" ? new StringCommand([value]) : value;
  const fact: Fact<T, A> = {
    kind: "fact",
    name: spec.name,
    argNames: spec.argNames ?? [],
    argDefaults: spec.argDefaults ?? {},
    summary: spec.summary ?? "",
    shellExecutable: spec.shellExecutable,
    command(args) {
      const full = { ...spec.argDefaults, ...args } as A;
      return toCommand(typeof spec.command === "function" ? spec.command(full) : spec.command);
    },
    requiresCommand(args) {
      const full = { ...spec.argDefaults, ...args } as A;
      return typeof spec.requiresCommand === "function"
        ? spec.requiresCommand(full)
        : spec.requiresCommand;
    },
    hostCommand(args) {
      const command = this.command(args);
      const requires = this.requiresCommand(args);
      if (!requires) return command;
      // Program missing: succeed with no output, so the fact takes its default.
      return new StringCommand(["!", "command", "-v", requires, ">/dev/null", "||", command]);
    },
    process(lines, args) {
      return spec.process(lines, { ...spec.argDefaults, ...args } as A);
    },
    defaultValue() {
      return spec.default ? spec.default() : (null as T);
    },
  };
  return fact;
}

/** A stable cache key for a fact and its arguments. */
export function factCacheKey(fact: Fact<unknown, FactArgs>, args: FactArgs): string {
  const full: FactArgs = { ...fact.argDefaults, ...args };
  const keys = Object.keys(full).filter((k) => full[k] !== undefined).sort();
  return fact.name + "(" + keys.map((k) => `${k}=${JSON.stringify(full[k])}`).join(",") + ")";
}

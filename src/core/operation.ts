/**
 * Operations: async generators that read facts and yield the commands needed to reach
 * the wanted state, behind one wrapper that registers calls from deploy code. Defining
 * one changes no global state: a catalogue (`catalogue.ts`) finds operations by name.
 *
 * @module
 */
import { checkImpossibleValues, checkOptionTypes } from "./option_types.ts";
import type { OperationCommand } from "./command.ts";
import type { Fact, FactArgs } from "./fact.ts";
import type { GlobalArguments, GlobalArgumentsInput } from "./arguments.ts";
import { GLOBAL_ARGUMENT_NAMES, isGlobalArgument, validateGlobalArguments } from "./arguments.ts";
import type { LocalFiles } from "./local_files.ts";
import { ArgumentError } from "./errors.ts";
import { currentDeploy } from "./context.ts";
import type { OperationMeta } from "./meta.ts";

/** The host as an operation sees it. */
export interface OperationHost {
  readonly name: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly groups: readonly string[];
  /** Reads a fact (cached; run with the operation's sudo/su arguments). */
  getFact<T, A extends FactArgs>(fact: Fact<T, A>, args?: Partial<A>): Promise<T>;
  /**
   * Asks for a fact the operation will probably read next, so that it goes out in the
   * same round trip as the facts awaited now; nothing waits for it and a failure is
   * left to the `getFact` that follows. Optional: a host may ignore it.
   */
  prefetch?<A extends FactArgs>(fact: Fact<unknown, A>, args?: Partial<A>): void;
}

/** What an operation's generator receives besides its own arguments. */
export interface OperationContext {
  readonly host: OperationHost;
  /** The operation's resolved global arguments (`_sudo`, `_sudoUser`, ...). */
  readonly globals: GlobalArguments;
  /** The controller's files (uploads, templates). */
  readonly local: LocalFiles;
  /** Says why nothing needs doing; shown with the "no change" result. */
  noop(reason: string): void;
  /** A temporary file name on the host, stable for the same seed. */
  tempFilename(seed?: string): string;
  /**
   * A private temporary file on the host, for text no other user may read (a crontab):
   * an unguessable name in the temporary folder, created empty with mode 600 just before
   * the operation's first command runs (as the user its commands run as, failing if the
   * name exists, so a planted file or link is never used) and removed when the operation
   * ends, also when a command fails. No seed: a name derived from one could be guessed.
   */
  privateTempFilename(): string;
  /** A timestamp for backup file names. */
  timestamp(): string;
  /** Variables every template sees besides its own (`host`, `inventory`). */
  readonly templateGlobals: Readonly<Record<string, unknown>>;
  /**
   * Set only at prepare, and only when diffs were asked for (`--diff`): shows the
   * unified diff a command the operation yields will make to a host file. Operations
   * that edit a file in place read its content only when this is set.
   */
  readonly diff?: (path: string, before: string, after: string) => void;
}

/** An operation's generator. */
export type OperationGenerator<A> = (
  args: A,
  ctx: OperationContext,
) => AsyncGenerator<OperationCommand, void, undefined>;

/** How an operation is defined. */
export interface OperationSpec<A> {
  /** Every argument name, in pyinfra's positional order (`["path", "present", ...]`). */
  argNames: readonly (keyof A & string)[];
  /** Arguments holding controller paths: `./x` is resolved against the calling file. */
  localPathArgs?: readonly (keyof A & string)[];
  /** False for operations that change something on every run (`server.shell`). */
  idempotent?: boolean;
  /** One-line description shown by `tsinfra help`. */
  summary?: string;
  /** Checks the arguments when the operation is called, before anything runs. */
  validate?: (args: A) => void;
  /**
   * Arguments that must be given (not `undefined`): a missing one is an
   * {@linkcode ArgumentError} at the call site. @default {[]}
   */
  requiredArgs?: readonly (keyof A & string)[];
  /**
   * Any other non-global argument is the operation's too (pyinfra's `**kwargs`, as in
   * `vzctl.set`); they are passed on in `args`. @default {false}
   */
  acceptsExtraArguments?: boolean;
  generator: OperationGenerator<A>;
}

/** Arguments as deploy code passes them: the operation's own plus any global ones. */
export type OperationInput<A> = A & GlobalArgumentsInput;

/**
 * A defined operation: call it from deploy code to register it on the current host.
 */
export interface Operation<A> {
  (args: OperationInput<A>): OperationMeta;
  readonly operationName: string;
  readonly argNames: readonly string[];
  readonly localPathArgs: readonly string[];
  readonly idempotent: boolean;
  readonly summary: string;
  /** Runs the generator directly: for composing operations (`yield* other.generate(...)`). */
  generate(args: A, ctx: OperationContext): AsyncGenerator<OperationCommand, void, undefined>;
  /** Splits and checks input: unknown names are an {@linkcode ArgumentError}. */
  splitArguments(input: Record<string, unknown>, where: string): {
    args: A;
    globals: GlobalArgumentsInput;
  };
}

/**
 * Defines an operation.
 *
 * @example
 * ```ts
 * import { defineOperation } from "./operation.ts";
 * import { sh } from "./command.ts";
 * export const touch = defineOperation<{ path: string }>("demo.touch", {
 *   argNames: ["path"],
 *   async *generator({ path }) {
 *     yield sh`touch ${path}`;
 *   },
 * });
 * ```
 */
export function defineOperation<A>(name: string, spec: OperationSpec<A>): Operation<A> {
  const allowed = new Set<string>(spec.argNames);
  const splitArguments = (input: Record<string, unknown>, where: string) => {
    if (typeof input !== "object" || input === null || Array.isArray(input)) {
      throw new ArgumentError(`${name} takes one options object in ${where}`);
    }
    const args: Record<string, unknown> = {};
    const globals: Record<string, unknown> = {};
    const unknown: string[] = [];
    for (const [key, value] of Object.entries(input)) {
      if (allowed.has(key)) args[key] = value;
      else if (isGlobalArgument(key)) globals[key] = value;
      else if (spec.acceptsExtraArguments) args[key] = value;
      else unknown.push(key);
    }
    if (unknown.length) {
      throw new ArgumentError(
        `Unknown argument${unknown.length > 1 ? "s" : ""} ${
          unknown.join(", ")
        } for ${name} in ${where}` +
          `: valid arguments are ${spec.argNames.join(", ") || "(none)"}` +
          `; global arguments are ${GLOBAL_ARGUMENT_NAMES.join(", ")}`,
      );
    }
    const missing = (spec.requiredArgs ?? []).filter((key) => args[key] === undefined);
    if (missing.length) {
      throw new ArgumentError(
        `${name} in ${where}: ${missing.join(", ")} ${missing.length > 1 ? "are" : "is"} required`,
      );
    }
    checkImpossibleValues(name, { ...args, ...globals }, where);
    validateGlobalArguments(globals, `${name} in ${where}`);
    checkOptionTypes(name, args, where);
    spec.validate?.(args as A);
    return { args: args as A, globals: globals as GlobalArgumentsInput };
  };

  const operation = ((input: OperationInput<A>) => {
    const deploy = currentDeploy(name);
    return deploy.addOperation(operation as Operation<unknown>, input as Record<string, unknown>);
  }) as Operation<A>;
  Object.defineProperties(operation, {
    operationName: { value: name },
    argNames: { value: spec.argNames },
    localPathArgs: { value: spec.localPathArgs ?? [] },
    idempotent: { value: spec.idempotent ?? true },
    summary: { value: spec.summary ?? "" },
    generate: { value: spec.generator },
    splitArguments: { value: splitArguments },
  });
  return operation;
}

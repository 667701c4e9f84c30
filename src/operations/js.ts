/**
 * Controller-side operations, pyinfra's `python` module as `js`: `js.call` runs a
 * function at execution time, in order with the other operations, so it can read the
 * results of earlier ones; `js.raiseException` fails the host with an error.
 *
 * @module
 */
import { defineOperation } from "../core/operation.ts";
import { FunctionCommand } from "../core/command.ts";
import { OperationTypeError } from "../core/errors.ts";

/** Options of {@linkcode call}. */
export interface CallOptions {
  /** The function to run on the controller at execution time (it may be async). */
  function: (...args: never[]) => unknown;
  /** Positional arguments. @default {[]} */
  args?: unknown[];
  /** Keyword arguments, passed as one last argument when given. */
  kwargs?: Record<string, unknown>;
}

/**
 * Runs a function on the controller at execution time. Not idempotent.
 *
 * @example
 * ```ts ignore
 * const conf = files.template({ src: "./app.conf.eta", dest: "/etc/app.conf" });
 * js.call({ function: () => console.log("config changed:", conf.changed) });
 * ```
 */
export const call = defineOperation<CallOptions>("js.call", {
  argNames: ["function", "args", "kwargs"],
  idempotent: false,
  summary: "Execute a function on the controller when the operation runs.",
  validate(args) {
    if (typeof args.function !== "function") {
      throw new OperationTypeError("js.call: `function` must be a function");
    }
  },
  async *generator(options) {
    const fn = options.function as (...args: unknown[]) => unknown;
    const args = options.args ?? [];
    const kwargs = options.kwargs ?? {};
    const withKwargs = Object.keys(kwargs).length ? [...args, kwargs] : args;
    yield new FunctionCommand(fn.name || "__func__", () => fn(...withKwargs), args, kwargs);
  },
});

/** Options of {@linkcode raiseException}. */
export interface RaiseExceptionOptions {
  /** The Error class to throw. @default {Error} */
  exception?: new (message: string) => Error;
  /** The message. */
  message: string;
}

/**
 * Fails the operation with an error when it runs (pyinfra's `python.raise_exception`).
 *
 * @example
 * ```ts ignore
 * js.raiseException({ message: "unsupported distribution", _if: () => name !== "Debian" });
 * ```
 */
export const raiseException = defineOperation<RaiseExceptionOptions>("js.raiseException", {
  argNames: ["exception", "message"],
  idempotent: false,
  summary: "Raise an exception when the operation runs.",
  async *generator({ exception = Error, message }) {
    yield new FunctionCommand("raise_exc", () => {
      throw new exception(message);
    });
  },
});

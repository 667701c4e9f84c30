/**
 * Controller-side operations, pyinfra's `python` module as `js`: `js.call` runs a
 * function at execution time, in order with the other operations, so it can read the
 * results of earlier ones; `js.raiseException` fails the host with an error.
 *
 * @module
 */
import { defineOperation, type Operation } from "../core/operation.ts";
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
export const call: Operation<CallOptions> = defineOperation<CallOptions>("js.call", {
  argNames: ["function", "args", "kwargs"],
  idempotent: false,
  summary: "Execute a function on the controller when the operation runs.",
  validate(args) {
    if (typeof args.function !== "function") {
      throw new OperationTypeError("js.call: `function` must be a function");
    }
    if (args.args !== undefined && !Array.isArray(args.args)) {
      throw new OperationTypeError("js.call: `args` must be an array");
    }
    const kwargs: unknown = args.kwargs;
    if (
      kwargs !== undefined &&
      (typeof kwargs !== "object" || kwargs === null || Array.isArray(kwargs))
    ) {
      throw new OperationTypeError("js.call: `kwargs` must be an object");
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

/** An Error class, constructed with the message. */
export type ErrorClass = new (message?: string) => Error;

/** Options of {@linkcode raiseException}. */
export interface RaiseExceptionOptions {
  /**
   * The error to throw: an Error class (constructed with `message`) or an Error object
   * (thrown as it is, its message replaced when `message` is given). @default {Error}
   */
  exception?: ErrorClass | Error;
  /** The error's message. Required unless `exception` is an Error object, or `args` is given. */
  message?: string;
  /**
   * The arguments to construct an Error class with, instead of `message`: for a class
   * whose constructor takes more than a message (pyinfra's `raise_exception(exc, *args)`).
   */
  args?: unknown[];
}

/**
 * Fails the operation with an error when it runs (pyinfra's `python.raise_exception`).
 *
 * @example
 * ```ts ignore
 * js.raiseException({ exception: RangeError, message: "unsupported distribution", _if: () => name !== "Debian" });
 * ```
 */
export const raiseException: Operation<RaiseExceptionOptions> = defineOperation<
  RaiseExceptionOptions
>("js.raiseException", {
  argNames: ["exception", "message", "args"],
  idempotent: false,
  summary: "Raise an exception when the operation runs.",
  validate({ exception, message, args }) {
    if (
      exception !== undefined && typeof exception !== "function" && !(exception instanceof Error)
    ) {
      throw new OperationTypeError(
        "js.raiseException: `exception` must be an Error class or object",
      );
    }
    if (message !== undefined && typeof message !== "string") {
      throw new OperationTypeError("js.raiseException: `message` must be a string");
    }
    if (args !== undefined) {
      if (!Array.isArray(args)) {
        throw new OperationTypeError("js.raiseException: `args` must be an array");
      }
      if (message !== undefined || exception instanceof Error) {
        throw new OperationTypeError(
          "js.raiseException: `args` constructs an Error class; give `message` or `args`, not both",
        );
      }
    } else if (message === undefined && !(exception instanceof Error)) {
      throw new OperationTypeError(
        "js.raiseException: `message` is required unless `exception` is an Error object",
      );
    }
  },
  async *generator({ exception = Error, message, args }) {
    const constructWith = args ?? (message === undefined ? [] : [message]);
    const raiseExc = () => {
      if (exception instanceof Error) {
        if (message !== undefined) exception.message = message;
        throw exception;
      }
      throw new exception(...(constructWith as [string?]));
    };
    yield new FunctionCommand("raise_exc", raiseExc, constructWith);
  },
});

/**
 * Execute one operation on one host: `_if`, pre/postconditions, the generator run again
 * against fresh facts, each command run as it is yielded (operation_run.ts), callbacks. The
 * coordinator decides which host runs what and when.
 *
 * @module
 */
import { StringCommand } from "../core/command.ts";
import type { Condition } from "../core/arguments.ts";
import type { Host } from "../core/host.ts";
import type { PlannedOperation } from "./plan.ts";
import { failureOf, type OperationOutcome, type PlainFailure, skippedOutcome } from "./protocol.ts";
import type { Fact, FactArgs } from "../core/fact.ts";
import { createOperationContext } from "./operation_context.ts";
import { type ExecuteOptions, OperationRun } from "./operation_run.ts";

export type { ExecuteOptions } from "./operation_run.ts";

function conditionHolds(condition: Condition | Condition[] | undefined): boolean {
  if (condition === undefined) return true;
  const list = Array.isArray(condition) ? condition : [condition];
  return list.every((c) => (typeof c === "function" ? c() : c));
}

/** Runs one operation on one host: conditions, generator, commands, callbacks. */
export async function executeOnHost(
  host: Host,
  planned: PlannedOperation,
  options: ExecuteOptions,
): Promise<OperationOutcome> {
  const { ctx, noopReason, privateTempFiles } = createOperationContext(
    host,
    options.inventory,
    planned.globals,
    options.local,
  );
  const globals = ctx.globals;
  const finish = (outcome: OperationOutcome): OperationOutcome => {
    planned.meta.setResult({
      changed: outcome.changed,
      success: outcome.success,
      stdout: outcome.stdout,
      stderr: outcome.stderr,
      error: outcome.error,
    });
    const callback = outcome.success ? globals._onSuccess : globals._onError;
    if (outcome.status !== "skipped") callback?.(host.name, planned.name);
    return outcome;
  };
  let conditionOk: boolean;
  try {
    conditionOk = conditionHolds(globals._if);
  } catch (error) {
    const cause = failureOf(error);
    const message = `_if condition failed: ${cause.message}`;
    return finish(failure([], "", "", { ...cause, message }, globals._ignoreErrors));
  }
  if (!conditionOk) {
    return finish(skippedOutcome("_if condition is false"));
  }
  const run = new OperationRun(host, planned, globals, options.local, options, privateTempFiles);
  const args = host.connectorArguments(planned.globals);
  if (globals._precondition) {
    const output = await host.run(new StringCommand([globals._precondition]), args);
    if (output.exitCode !== 0) {
      return finish(
        failure(
          [],
          output.stdout,
          output.stderr,
          {
            class: "CommandError",
            message: `Precondition failed: ${globals._precondition}`,
            command: globals._precondition,
            exitCode: output.exitCode,
          },
          globals._ignoreErrors,
        ),
      );
    }
  }
  let error: PlainFailure | undefined;
  try {
    // Queued commands must run before the generator reads a fact: it may depend on them.
    const flushingCtx = {
      ...ctx,
      host: {
        ...ctx.host,
        getFact: async <T, A extends FactArgs>(fact: Fact<T, A>, factArgs?: Partial<A>) => {
          const failed = await run.flush();
          if (failed) throw new CarriedFailure(failed);
          return await ctx.host.getFact(fact, factArgs);
        },
      },
    };
    for await (const command of planned.operation.generate(planned.args, flushingCtx)) {
      const failed = await run.run(command);
      if (failed) {
        error ??= failed;
        if (!globals._continueOnError) break;
      }
    }
    // The last commands take the removal of ctx.privateTempFilename()'s files along.
    if (!error) error = await run.finish();
  } catch (thrown) {
    error ??= thrown instanceof CarriedFailure ? thrown.failure : failureOf(thrown);
  }
  // On every other path (a command failed, the generator threw) they are removed here
  // (always called: `error ??= await ...` would skip it after a failure).
  const leftover = await run.removePrivateFiles();
  error ??= leftover;
  if (!error && globals._postcondition) {
    const output = await host.run(new StringCommand([globals._postcondition]), args);
    if (output.exitCode !== 0) {
      error = {
        class: "CommandError",
        message: `Postcondition failed: ${globals._postcondition}`,
        command: globals._postcondition,
        exitCode: output.exitCode,
      };
    }
  }
  if (error) {
    return finish(
      failure(run.commands, run.stdout, run.stderr, error, globals._ignoreErrors, run.changed),
    );
  }
  return finish({
    status: run.changed ? "changed" : "noChange",
    changed: run.changed,
    success: true,
    commands: run.commands,
    stdout: run.stdout,
    stderr: run.stderr,
    error: null,
    noopReason: run.changed ? undefined : noopReason(),
  });
}

function failure(
  commands: string[],
  stdout: string,
  stderr: string,
  error: PlainFailure,
  ignored: boolean,
  changed = false,
): OperationOutcome {
  return {
    status: "error",
    changed,
    success: false,
    commands,
    stdout,
    stderr,
    error: error.message,
    failure: error,
    ignored,
  };
}

/** A command's failure, carried through the generator when a fact read flushed it. */
class CarriedFailure extends Error {
  constructor(readonly failure: PlainFailure) {
    super(failure.message);
  }
}

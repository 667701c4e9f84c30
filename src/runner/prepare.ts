/**
 * Prepare: run each host's deploy code to register operations, then run every
 * operation's generator against facts to learn what will change. Nothing is changed
 * on any host here.
 *
 * @module
 */
import type { FactPrefetch } from "../core/host.ts";
import type { Fact, FactArgs } from "../core/fact.ts";
import type { OperationContext } from "../core/operation.ts";
import { checkYielded, describeCommand, hideSecrets, UploadCommand } from "../core/command.ts";
import type { Host } from "../core/host.ts";
import type { Inventory } from "../core/inventory.ts";
import type { LocalFiles } from "../core/local_files.ts";
import { ArgumentError, DeployError, EXIT, FactError, TsinfraError } from "../core/errors.ts";
import { HostPlan, type PlannedOperation } from "./plan.ts";
import { createOperationContext } from "./operation_context.ts";
import { createModuleCompiler, ModuleLoader, toDeployError } from "../loader/module_loader.ts";
import { unifiedDiff } from "./diff.ts";
import type { HostPrepared, OperationSummary } from "./protocol.ts";

/** What prepare learnt about one operation on one host. */
export interface PreparedOperation {
  planned: PlannedOperation;
  willChange: boolean;
  /** Commands as prepare generated them, masked. */
  commands: string[];
  noopReason?: string;
  /** Unified diffs of files the operation would upload (with `diff: true`). */
  diffs: string[];
  /** Set when the generator failed: the host fails before execution. */
  error?: string;
  /**
   * The generator failed on a fact the host cannot read yet (a program it lacks): when
   * an earlier operation of the host will change, it is decided at run time instead.
   */
  deferrable?: boolean;
}

/** The deploy code to run for each host. */
export type DeploySource =
  | { kind: "files"; files: string[] }
  | { kind: "function"; fn: () => unknown };

/** Options of {@linkcode collectOperations}. */
export interface PrepareOptions {
  hosts: Host[];
  inventory: Inventory;
  source: DeploySource;
  cwd: string;
  local: LocalFiles;
  /**
   * Resolves false for a host whose connection failed: its deploy code runs while
   * connections open, and an error it then meets (a fact it could not read) is not a
   * deploy error; the host is left out and reported as not connected.
   */
  connected?: (host: Host) => Promise<boolean>;
  /** Compute upload diffs while preparing (`--diff`). @default {false} */
  diff?: boolean;
}

let runCounter = 0;

/**
 * Evaluates the deploy code once per host. Any error in deploy code is bad input:
 * it is thrown (as a DeployError naming file:line:col) so that nothing runs anywhere.
 */
export async function collectOperations(options: PrepareOptions): Promise<Map<string, HostPlan>> {
  const plans = new Map<string, HostPlan>();
  // Modules are cached by URL: a new run (API mode, tests) needs fresh instances.
  const run = ++runCounter;
  // Each user file is compiled once for the run and evaluated once per host.
  const compiler = createModuleCompiler();
  await Promise.all(options.hosts.map(async (host) => {
    const loader = new ModuleLoader(`${host.name}/${run}`, { compiler });
    const plan = new HostPlan(host, options.inventory, loader, options.cwd);
    // Each operation is prepared as soon as it is registered: its first fact reads go
    // out with the facts the deploy code awaits (one round trip, not one more).
    plan.onOperation = (planned) => {
      planned.preparing = prepareOperation(
        host,
        options.inventory,
        planned,
        options.local,
        options.diff ?? false,
      );
      planned.preparing.catch(() => {}); // taken by prepareHost; a dropped host drops it
    };
    plans.set(host.name, plan);
    try {
      if (options.source.kind === "function") await plan.runFunction(options.source.fn);
      else for (const file of options.source.files) await plan.runFile(file);
    } catch (error) {
      if (options.connected && !(await options.connected(host))) {
        plans.delete(host.name);
        return;
      }
      if (error instanceof ArgumentError) throw error;
      if (error instanceof DeployError) throw error;
      const file = options.source.kind === "files" ? options.source.files[0] : "deploy";
      throw toDeployError(error, file);
    }
  }));
  return plans;
}

/** Runs one operation's generator against facts, without executing anything. */
export async function prepareOperation(
  host: Host,
  inventory: Inventory,
  planned: PlannedOperation,
  local: LocalFiles,
  diff: boolean,
): Promise<PreparedOperation> {
  const { ctx: plain, noopReason } = createOperationContext(
    host,
    inventory,
    planned.globals,
    local,
  );
  // Recorded so that execution can read them in the previous operation's round trip.
  const reads: FactPrefetch[] = [];
  const diffs: string[] = [];
  const ctx: OperationContext = {
    ...plain,
    ...(diff
      ? {
        diff: (path: string, before: string, after: string) => {
          diffs.push(unifiedDiff(before, after, path));
        },
      }
      : {}),
    host: {
      ...plain.host,
      getFact: (fact, args) => {
        reads.push({
          fact: fact as unknown as Fact<unknown, FactArgs>,
          args: { ...args } as FactArgs,
          globals: planned.globals,
        });
        return plain.host.getFact(fact, args);
      },
      prefetch: (fact, args) => {
        reads.push({
          fact: fact as unknown as Fact<unknown, FactArgs>,
          args: { ...args } as FactArgs,
          globals: planned.globals,
        });
        plain.host.prefetch?.(fact, args);
      },
    },
  };
  planned.factReads = reads;
  const commands: string[] = [];
  try {
    for await (const yielded of planned.operation.generate(planned.args, ctx)) {
      const command = checkYielded(yielded);
      commands.push(describeCommand(command));
      if (diff && command instanceof UploadCommand) {
        diffs.push(await uploadDiff(host, planned, command, local));
      }
    }
  } catch (error) {
    // The controller's own input is wrong (a missing local file, a broken template):
    // the same on every host, so the run stops before anything runs (exit 2).
    if (error instanceof TsinfraError && error.exitCode === EXIT.BAD_INPUT) {
      const stop = new DeployError(`${planned.name} at ${planned.callSite}: ${error.message}`);
      stop.cause = error;
      throw stop;
    }
    const message = error instanceof TsinfraError || error instanceof Error
      ? error.message
      : String(error);
    planned.meta.setWillChange(false);
    const deferrable = error instanceof FactError && error.missingProgram;
    return { planned, willChange: false, commands, diffs, error: message, deferrable };
  }
  const willChange = commands.length > 0;
  planned.meta.setWillChange(willChange);
  return { planned, willChange, commands, noopReason: noopReason(), diffs };
}

async function uploadDiff(
  host: Host,
  planned: PlannedOperation,
  command: UploadCommand,
  local: LocalFiles,
): Promise<string> {
  const decoder = new TextDecoder();
  const wanted = "path" in command.src
    ? decoder.decode(local.readBytes(command.src.path))
    : typeof command.src.content === "string"
    ? command.src.content
    : decoder.decode(command.src.content);
  let current = "";
  try {
    current = decoder.decode(
      await host.getFile(command.dest, host.connectorArguments(planned.globals)),
    );
  } catch {
    current = "";
  }
  return hideSecrets(unifiedDiff(current, wanted, command.dest), command.secrets);
}

/**
 * Prepares every operation of a host. All generators start together, so the facts they
 * ask for in the same turn go to the host in one batch (prepare-time generators only
 * read facts, so the answers are the same as running them one by one). The host fails
 * at the first operation whose generator failed.
 */
export async function prepareHost(
  plan: HostPlan,
  inventory: Inventory,
  local: LocalFiles,
  diff: boolean,
): Promise<HostPrepared> {
  const operations: OperationSummary[] = [];
  let error: string | undefined;
  const results = await Promise.all(
    plan.operations.map((op) =>
      op.preparing ?? prepareOperation(plan.host, inventory, op, local, diff)
    ),
  );
  for (const [index, op] of plan.operations.entries()) {
    const result = results[index];
    // A fresh host: the fact needs a program an earlier operation installs (sudo, git).
    // Execution prepares the operation again, after those ran.
    const deferred = result.deferrable === true && operations.some((o) => o.willChange);
    if (deferred) op.meta.setWillChange(true);
    operations.push({
      id: op.id,
      key: op.key,
      frames: op.frames,
      callSite: op.callSite,
      name: op.name,
      serial: op.globals._serial ?? plan.host.defaults._serial ?? false,
      parallel: op.globals._parallel,
      runOnce: op.globals._runOnce ?? false,
      conditional: op.globals._if !== undefined,
      willChange: result.willChange || deferred,
      commands: result.commands,
      noopReason: result.noopReason,
      diffs: result.diffs.filter(Boolean),
      error: deferred ? undefined : result.error,
      ...(deferred ? { deferred: result.error } : {}),
      ignoreErrors: op.globals._ignoreErrors ?? plan.host.defaults._ignoreErrors ?? false,
    });
    if (
      result.error && !deferred && !(op.globals._ignoreErrors ?? plan.host.defaults._ignoreErrors)
    ) {
      error = `${op.name} at ${op.callSite}: ${result.error}`;
      break;
    }
  }
  return { host: plan.host.name, operations, error };
}

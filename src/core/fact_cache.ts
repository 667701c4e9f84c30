/**
 * A host's fact cache: reads asked for in the same turn go to the host in one batch per
 * run settings, results are kept until a command may have changed the host, and facts
 * prefetched after a command take the place of the ones it invalidated.
 *
 * @module
 */
import { setImmediate } from "node:timers";
import type { Fact, FactArgs } from "./fact.ts";
import { factCacheKey } from "./fact.ts";
import type { CommandOutput } from "./connector.ts";
import type { ConnectorArguments, GlobalArgumentsInput } from "./arguments.ts";
import { CONNECTOR_ARGUMENT_NAMES, ENVIRONMENT_ARGUMENT_NAMES } from "./arguments.ts";
import type { StringCommand } from "./command.ts";
import {
  batchCommand,
  newMarker,
  splitBatchOutput,
  splitTrailingFacts,
  withTrailingFacts,
} from "./fact_batch.ts";
import { FactError } from "./errors.ts";
import type { EventBus } from "./events.ts";

const SUDO_UNKNOWN_USER = /^sudo: unknown user/;
const SU_UNKNOWN_USER = [/^su: user .+ does not exist/, /^su: unknown login/];

/** A fact read waiting for the next batch. */
interface FactRequest {
  fact: Fact<unknown, FactArgs>;
  args: FactArgs;
  connectorArgs: ConnectorArguments;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/** How a fact command runs: the caller's sudo/su/shell, no stdin, only 0 is success. */
function factRunArguments(request: FactRequest): ConnectorArguments {
  return {
    ...request.connectorArgs,
    _shellExecutable: request.fact.shellExecutable ?? request.connectorArgs._shellExecutable,
    _successExitCodes: [0],
    _stdin: undefined,
  };
}

/** A fact read an operation made while it was prepared: read again ahead of its execution. */
export interface FactPrefetch {
  fact: Fact<unknown, FactArgs>;
  args: FactArgs;
  globals: GlobalArgumentsInput;
}

/** The settings that decide how a command is wrapped and run, as one comparable string. */
function runSettingsKey(args: ConnectorArguments): string {
  return JSON.stringify(CONNECTOR_ARGUMENT_NAMES.map((name) => args[name] ?? null));
}

/**
 * The most command text one batch carries. A batch is one argument of `sh -c` on the
 * host, and Linux refuses an argument over 128 KiB (MAX_ARG_STRLEN); wrapping and
 * quoting add to it, so batches stay well under.
 */
const BATCH_TEXT_LIMIT = 48 * 1024;

/** Splits fact reads into batches whose commands stay under {@linkcode BATCH_TEXT_LIMIT}. */
function underArgumentLimit(group: FactRequest[]): FactRequest[][] {
  const batches: FactRequest[][] = [[]];
  let size = 0;
  for (const request of group) {
    const length = request.fact.hostCommand(request.args).raw().length + 100;
    if (size + length > BATCH_TEXT_LIMIT && batches[batches.length - 1].length) {
      batches.push([]);
      size = 0;
    }
    batches[batches.length - 1].push(request);
    size += length;
  }
  return batches;
}

/** What the cache needs of its host. */
export interface FactCacheHost {
  hostName: string;
  events?: EventBus;
  stats: { factsRead: number };
  /** Runs a fact command (counted as a round trip by the host). */
  run(command: StringCommand, args: ConnectorArguments): Promise<CommandOutput>;
}

/** The facts of one host. */
export class FactCache {
  readonly #host: FactCacheHost;
  #facts = new Map<string, Promise<unknown>>();
  #queue: FactRequest[] = [];
  /** Facts read after the last command, installed in the cache when it is invalidated. */
  #staged: { key: string; request: FactRequest; command: StringCommand; output: CommandOutput }[] =
    [];
  #flushTimer: ReturnType<typeof setImmediate> | undefined;

  constructor(host: FactCacheHost) {
    this.#host = host;
  }

  /** A fact's value: cached, or read in the next batch. */
  get<T>(fact: Fact<T, FactArgs>, args: FactArgs, connectorArgs: ConnectorArguments): Promise<T> {
    const key = this.#cacheKey(fact as unknown as Fact<unknown, FactArgs>, args, connectorArgs);
    let pending = this.#facts.get(key) as Promise<T> | undefined;
    if (!pending) {
      const request = Promise.withResolvers<unknown>();
      this.#queue.push({
        fact: fact as unknown as Fact<unknown, FactArgs>,
        args: args as FactArgs,
        connectorArgs,
        resolve: request.resolve,
        reject: request.reject,
      });
      // Every fact asked for in the same turn of the event loop goes in one batch.
      // setImmediate: the next turn, without setTimeout's 4 ms clamp on nested timers.
      this.#flushTimer ??= setImmediate(() => this.#flush());
      pending = request.promise as Promise<T>;
      this.#facts.set(key, pending);
      // A failed read is not cached: a later call tries again.
      pending.catch(() => this.#facts.delete(key));
    }
    return pending;
  }

  /**
   * `command` followed by the prefetched facts that run with the same settings, and how
   * to take its own output back (staging the facts' outputs).
   */
  withPrefetch(
    command: StringCommand,
    args: ConnectorArguments,
    prefetch: readonly (FactPrefetch & { connectorArgs: ConnectorArguments })[],
  ): { script: StringCommand; finish: (output: CommandOutput) => CommandOutput } {
    const settings = runSettingsKey(args);
    const requests = prefetch.map((p) => this.#request(p)).filter((r) =>
      runSettingsKey(factRunArguments(r.request)) === settings
    );
    if (!requests.length) return { script: command, finish: (output) => output };
    const marker = newMarker();
    const commands = requests.map((r) => r.request.fact.hostCommand(r.request.args));
    return {
      script: withTrailingFacts(command, commands, marker),
      finish: (output) => {
        const { main, facts } = splitTrailingFacts(output, marker, requests.length);
        this.#staged = facts.map((factOutput, i) => ({
          ...requests[i],
          command: commands[i],
          output: factOutput,
        }));
        return main;
      },
    };
  }

  /** A cache key and a request (never queued) for a prefetched fact. */
  #request(
    prefetch: FactPrefetch & { connectorArgs: ConnectorArguments },
  ): { key: string; request: FactRequest } {
    const connectorArgs = prefetch.connectorArgs;
    const request: FactRequest = {
      fact: prefetch.fact,
      args: prefetch.args,
      connectorArgs,
      resolve: () => {},
      reject: () => {},
    };
    return { key: this.#cacheKey(prefetch.fact, prefetch.args, connectorArgs), request };
  }

  #cacheKey(fact: Fact<unknown, FactArgs>, args: FactArgs, connectorArgs: ConnectorArguments) {
    return factCacheKey(fact, args) + "|" +
      JSON.stringify(ENVIRONMENT_ARGUMENT_NAMES.map((name) => connectorArgs[name] ?? null));
  }

  #flush(): void {
    this.#flushTimer = undefined;
    const queue = this.#queue;
    this.#queue = [];
    const groups = new Map<string, FactRequest[]>();
    for (const request of queue) {
      const key = JSON.stringify(factRunArguments(request));
      const group = groups.get(key);
      if (group) group.push(request);
      else groups.set(key, [request]);
    }
    for (const group of groups.values()) {
      for (const batch of underArgumentLimit(group)) {
        this.#readFacts(batch).catch((error) => {
          for (const request of batch) request.reject(error);
        });
      }
    }
  }

  async #readFacts(group: FactRequest[]): Promise<void> {
    const runArgs = factRunArguments(group[0]);
    const commands = group.map((r) => r.fact.hostCommand(r.args));
    let outputs: CommandOutput[];
    if (group.length === 1) outputs = [await this.#host.run(commands[0], runArgs)];
    else {
      const marker = newMarker();
      const output = await this.#host.run(batchCommand(commands, marker), runArgs);
      // A script that never started (sudo refused an unknown user) has no frames: each
      // fact then gets the whole output, so the refusal is recognised as for one fact.
      outputs = splitBatchOutput(output, marker, group.length).map((part) =>
        part.exitCode === -1 && !part.stdout && !part.stderr
          ? { ...part, exitCode: output.exitCode, stderr: output.stderr }
          : part
      );
    }
    this.#host.stats.factsRead += group.length;
    group.forEach((request, i) => {
      try {
        request.resolve(this.#interpret(request, commands[i], outputs[i]));
      } catch (error) {
        request.reject(error as Error);
      }
    });
  }

  #interpret(request: FactRequest, command: StringCommand, output: CommandOutput): unknown {
    const { fact, args, connectorArgs } = request;
    const argsText = Object.entries(args).map(([k, v]) => `${k}=${v}`).join(", ");
    this.#host.events?.emit({
      type: "factLoaded",
      host: this.#host.hostName,
      fact: fact.name,
      args: argsText,
      command: command.masked(),
      output: output.stdout,
    });
    const stdoutLines = splitLines(output.stdout);
    if (output.exitCode === 0) {
      return stdoutLines.length ? fact.process(stdoutLines, args) : fact.defaultValue();
    }
    const firstError = splitLines(output.stderr)[0] ?? "";
    if (
      (connectorArgs._sudoUser && SUDO_UNKNOWN_USER.test(firstError)) ||
      (connectorArgs._suUser && SU_UNKNOWN_USER.some((re) => re.test(firstError)))
    ) {
      return fact.defaultValue();
    }
    const reason = output.timedOut
      ? "timed out"
      : `exit status ${output.exitCode}${firstError ? `: ${output.stderr.trim()}` : ""}`;
    const error = new FactError(
      `Could not load fact ${fact.name}${
        argsText ? ` (${argsText})` : ""
      } on ${this.#host.hostName}: ${reason}`,
    );
    error.missingProgram = output.exitCode === 127;
    throw error;
  }

  /**
   * Forgets every cached fact: called after any command that may have changed the host.
   * Facts read right after that command (see `run`'s prefetch) take their place.
   */
  invalidate(): void {
    this.#facts.clear();
    const staged = this.#staged;
    this.#staged = [];
    for (const { key, request, command, output } of staged) {
      if (output.exitCode !== 0) continue; // read again, so that a failure reports as usual
      try {
        const value = this.#interpret(request, command, output);
        this.#host.stats.factsRead++;
        this.#facts.set(key, Promise.resolve(value));
      } catch {
        // not cached: the next read asks the host and reports the error
      }
    }
  }
}

/** Splits output in lines as pyinfra does: no trailing empty line. */
export function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines.map((line) => line.replace(/\r$/, ""));
}

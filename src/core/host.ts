/**
 * A host: its name, groups and data, its connection, and its fact cache.
 *
 * @module
 */
import type { Fact, FactArgs } from "./fact.ts";
import { factCacheKey } from "./fact.ts";
import type { CommandOutput, Connector, DisconnectOptions, OutputSink } from "./connector.ts";
import type { ConnectorArguments, GlobalArgumentsInput } from "./arguments.ts";
import {
  CONNECTOR_ARGUMENT_NAMES,
  ENVIRONMENT_ARGUMENT_NAMES,
  GLOBAL_ARGUMENT_DEFAULTS,
} from "./arguments.ts";
import { setImmediate } from "node:timers";
import type { StringCommand } from "./command.ts";
import { SudoHelper } from "./sudo_helper.ts";
import {
  batchCommand,
  newMarker,
  splitBatchOutput,
  splitTrailingFacts,
  withTrailingFacts,
} from "./fact_batch.ts";
import { ArgumentError, ConnectError, FactError } from "./errors.ts";
import type { EventBus } from "./events.ts";

const SUDO_UNKNOWN_USER = /^sudo: unknown user/;
const SU_UNKNOWN_USER = [/^su: user .+ does not exist/, /^su: unknown login/];

/** How a host is built. */
export interface HostInit {
  name: string;
  groups: readonly string[];
  data: Readonly<Record<string, unknown>>;
  /** Creates the connector on first use. */
  connector: () => Connector;
  /** Global argument defaults for this host (config, then host data). */
  defaults: GlobalArgumentsInput;
  events?: EventBus;
}

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

/** Reads a fact of a host that another worker owns (routed through the coordinator). */
export type RemoteFactReader = (
  factName: string,
  args: Record<string, unknown>,
  globals: GlobalArgumentsInput,
) => Promise<unknown>;

/** Counters reported per host in `--json`. */
export interface HostStats {
  /** Commands sent to the host, facts included. */
  roundTrips: number;
  /** Facts read from the host (cache misses). */
  factsRead: number;
}

/**
 * A host of the inventory. Deploy code reaches the current one as `host`.
 *
 * @example
 * ```ts ignore
 * import { host } from "tsinfra";
 * import { LinuxName } from "tsinfra/facts/server";
 * if ((await host.getFact(LinuxName)) === "Debian") {
 *   // ...
 * }
 * ```
 */
export class Host {
  readonly name: string;
  readonly groups: readonly string[];
  readonly data: Readonly<Record<string, unknown>>;
  readonly defaults: GlobalArgumentsInput;
  readonly stats: HostStats = { roundTrips: 0, factsRead: 0 };
  #connectorFactory: () => Connector;
  #connector: Connector | undefined;
  #created: Connector | undefined;
  #connecting: Promise<void> | undefined;
  #facts = new Map<string, Promise<unknown>>();
  #events: EventBus | undefined;
  #sudoHelper: SudoHelper;
  #remoteFacts: RemoteFactReader | undefined;
  #queue: FactRequest[] = [];
  /** Facts read after the last command, installed in the cache when it is invalidated. */
  #staged: { key: string; request: FactRequest; command: StringCommand; output: CommandOutput }[] =
    [];
  #flushTimer: ReturnType<typeof setImmediate> | undefined;

  constructor(init: HostInit) {
    this.name = init.name;
    this.groups = init.groups;
    this.data = init.data;
    this.defaults = init.defaults;
    this.#connectorFactory = init.connector;
    this.#events = init.events;
    this.#sudoHelper = new SudoHelper(init.name);
  }

  /**
   * Marks this host as owned by another worker: its facts are read through `reader`
   * and it is never connected from here.
   */
  setRemoteFactReader(reader: RemoteFactReader): void {
    this.#remoteFacts = reader;
  }

  /**
   * The host's connector, made on first use and kept for {@linkcode connect}: making it
   * early checks the host's name and data before anything runs.
   */
  createConnector(): Connector {
    this.#created ??= this.#connectorFactory();
    return this.#created;
  }

  /** Opens the connection once; later calls wait for the same attempt. */
  connect(): Promise<void> {
    if (!this.#connecting) {
      this.#connecting = (async () => {
        try {
          this.#connector = this.createConnector();
          await this.#connector.connect();
        } catch (error) {
          this.#connector = undefined;
          if (error instanceof ConnectError) throw error;
          throw new ConnectError(
            `Could not connect to ${this.name}: ${error instanceof Error ? error.message : error}`,
          );
        }
      })();
    }
    return this.#connecting;
  }

  get connected(): boolean {
    return this.#connector !== undefined;
  }

  async #ready(): Promise<Connector> {
    await this.connect();
    return this.#connector!;
  }

  /** Connector arguments for a command: defaults, then host data/config, then `globals`. */
  connectorArguments(globals: GlobalArgumentsInput = {}): ConnectorArguments {
    const merged: Record<string, unknown> = {};
    for (const key of CONNECTOR_ARGUMENT_NAMES) {
      const value = globals[key] ?? this.defaults[key] ?? GLOBAL_ARGUMENT_DEFAULTS[key];
      if (value !== undefined) merged[key] = value;
    }
    return merged as unknown as ConnectorArguments;
  }

  /**
   * Runs a command on the host, wrapped with sudo/su/env/... as `args` say. Facts in
   * `prefetch` that run with the same settings are read in the same round trip, after
   * the command; they enter the cache when it is next invalidated (after this command),
   * so the next operation finds the state this command left without asking again.
   */
  async run(
    command: StringCommand,
    args: ConnectorArguments,
    sink?: OutputSink,
    prefetch: readonly FactPrefetch[] = [],
  ): Promise<CommandOutput> {
    const connector = await this.#ready();
    const wrap = await this.#wrapperFor(args);
    this.stats.roundTrips++;
    const { script, finish } = this.#withPrefetch(command, args, prefetch);
    const wrapped = wrap(script);
    // The sudo password goes to stdin; a terminal (_getPty) echoes it back. It never
    // reaches output, events or the report.
    const secret = wrapped.secretInput?.replace(/\n$/, "");
    if (!secret) return finish(await connector.runShellCommand(wrapped, { args, sink }));
    const hide = (text: string) => text.replaceAll(secret, "***");
    const hidden: OutputSink | undefined = sink && {
      stdout: sink.stdout && ((text) => sink.stdout!(hide(text))),
      stderr: sink.stderr && ((text) => sink.stderr!(hide(text))),
    };
    const output = await connector.runShellCommand(wrapped, { args, sink: hidden });
    return finish({ ...output, stdout: hide(output.stdout), stderr: hide(output.stderr) });
  }

  /**
   * `command` followed by the prefetched facts that run with the same settings, and how
   * to take its own output back (staging the facts' outputs).
   */
  #withPrefetch(
    command: StringCommand,
    args: ConnectorArguments,
    prefetch: readonly FactPrefetch[],
  ): { script: StringCommand; finish: (output: CommandOutput) => CommandOutput } {
    const settings = runSettingsKey(args);
    const requests = this.#remoteFacts
      ? []
      : prefetch.map((p) => this.#request(p)).filter((r) =>
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
  #request(prefetch: FactPrefetch): { key: string; request: FactRequest } {
    const connectorArgs = this.connectorArguments(prefetch.globals);
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

  /**
   * Uploads bytes to a path on the host (temporary file, then moved into place). `then`
   * (and the facts in `prefetch`) run right after, in the same round trip where the
   * connector can; its output is returned.
   */
  async putFile(
    content: Uint8Array,
    dest: string,
    args: ConnectorArguments,
    tempDir?: string,
    then?: StringCommand,
    prefetch: readonly FactPrefetch[] = [],
  ): Promise<CommandOutput | undefined> {
    const connector = await this.#ready();
    const wrap = await this.#wrapperFor(args);
    this.stats.roundTrips++;
    if (!then) {
      await connector.putFile(content, dest, { args, tempDir, wrap });
      return undefined;
    }
    const { script, finish } = this.#withPrefetch(then, args, prefetch);
    const output = await connector.putFile(content, dest, { args, tempDir, wrap, then: script });
    // A connector that cannot run `then` after the upload: run it on its own.
    if (!output) return await this.run(then, args, undefined, prefetch);
    return finish(output);
  }

  /** Downloads a file from the host. */
  async getFile(src: string, args: ConnectorArguments, tempDir?: string): Promise<Uint8Array> {
    const connector = await this.#ready();
    const wrap = await this.#wrapperFor(args);
    this.stats.roundTrips++;
    return await connector.getFile(src, { args, tempDir, wrap });
  }

  /**
   * The wrapping for these arguments. A sudo password needs the host's askpass helper,
   * created once per host (pyinfra's flow) and removed at disconnect.
   */
  #wrapperFor(args: ConnectorArguments): Promise<(command: StringCommand) => StringCommand> {
    return this.#sudoHelper.wrapperFor(this.#connector!, args, () => this.stats.roundTrips++);
  }

  /**
   * Reads a fact, from the cache when it was read before with the same arguments and
   * the same sudo/su settings, and no change command ran since.
   */
  getFact<T, A extends FactArgs>(
    fact: Fact<T, A>,
    args: Partial<A> = {},
    globals: GlobalArgumentsInput = {},
  ): Promise<T> {
    const unknown = Object.keys(args).filter((k) => !fact.argNames.includes(k));
    if (unknown.length) {
      return Promise.reject(
        new ArgumentError(
          `Unknown argument${unknown.length > 1 ? "s" : ""} ${
            unknown.join(", ")
          } for fact ${fact.name}: ` +
            (fact.argNames.length
              ? `it takes ${fact.argNames.join(", ")}`
              : "it takes no arguments"),
        ),
      );
    }
    if (this.#remoteFacts) return this.#remoteFacts(fact.name, args, globals) as Promise<T>;
    const connectorArgs = this.connectorArguments(globals);
    const key = this.#cacheKey(
      fact as unknown as Fact<unknown, FactArgs>,
      args as FactArgs,
      connectorArgs,
    );
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

  #flush(): void {
    this.#flushTimer = undefined;
    const queue = this.#queue;
    this.#queue = [];
    const groups = new Map<string, FactRequest[]>();
    for (const request of queue) {
      const runArgs = factRunArguments(request);
      const key = JSON.stringify(runArgs);
      groups.set(key, [...groups.get(key) ?? [], request]);
    }
    for (const group of groups.values()) {
      this.#readFacts(group).catch((error) => {
        for (const request of group) request.reject(error);
      });
    }
  }

  async #readFacts(group: FactRequest[]): Promise<void> {
    const runArgs = factRunArguments(group[0]);
    const commands = group.map((r) => r.fact.hostCommand(r.args));
    let outputs: CommandOutput[];
    if (group.length === 1) outputs = [await this.run(commands[0], runArgs)];
    else {
      const marker = newMarker();
      const output = await this.run(batchCommand(commands, marker), runArgs);
      // A script that never started (sudo refused an unknown user) has no frames: each
      // fact then gets the whole output, so the refusal is recognised as for one fact.
      outputs = splitBatchOutput(output, marker, group.length).map((part) =>
        part.exitCode === -1 && !part.stdout && !part.stderr
          ? { ...part, exitCode: output.exitCode, stderr: output.stderr }
          : part
      );
    }
    this.stats.factsRead += group.length;
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
    this.#events?.emit({
      type: "factLoaded",
      host: this.name,
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
      } on ${this.name}: ${reason}`,
    );
    error.missingProgram = output.exitCode === 127;
    throw error;
  }

  /**
   * Forgets every cached fact: called after any command that may have changed the host.
   * Facts read right after that command (see `run`'s prefetch) take their place.
   */
  invalidateFacts(): void {
    this.#facts.clear();
    const staged = this.#staged;
    this.#staged = [];
    for (const { key, request, command, output } of staged) {
      if (output.exitCode !== 0) continue; // read again, so that a failure reports as usual
      try {
        const value = this.#interpret(request, command, output);
        this.stats.factsRead++;
        this.#facts.set(key, Promise.resolve(value));
      } catch {
        // not cached: the next read asks the host and reports the error
      }
    }
  }

  /**
   * Drops the connection without cleaning up on the host (it went away, e.g. in a
   * reboot) and opens a new one; throws `ConnectError` while the host is unreachable.
   */
  async reconnect(): Promise<void> {
    const old = this.#connector;
    this.#connector = undefined;
    this.#created = undefined; // a new connection is a new connector
    this.#connecting = undefined;
    this.#sudoHelper.forget();
    this.invalidateFacts();
    await old?.disconnect().catch(() => {});
    await this.connect();
  }

  /** Removes the sudo password helper from the host, if one was set up. */
  async removeSudoHelper(): Promise<void> {
    await this.#sudoHelper.remove(this.#connector, this.connectorArguments());
  }

  /** Forgets the sudo password helper (the host lost it); the next sudo sets it up again. */
  forgetSudoHelper(): void {
    this.#sudoHelper.forget();
  }

  /** Stops the commands running on this host now, where the connector can (Ctrl-C). */
  async cancel(): Promise<void> {
    await this.#connector?.cancel?.();
  }

  /**
   * Closes the connection; returns the connector's closing note, if any. With `discard`,
   * nothing the run made is kept (see {@linkcode DisconnectOptions}).
   */
  async disconnect(options: DisconnectOptions = {}): Promise<string | void> {
    const connector = this.#connector;
    // As the connecting user, like the setup: sudo from host data would need the helper.
    await this.removeSudoHelper();
    this.#connector = undefined;
    this.#connecting = undefined;
    if (connector) return await connector.disconnect(options);
  }
}

/** Splits output in lines as pyinfra does: no trailing empty line. */
export function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines.map((line) => line.replace(/\r$/, ""));
}

/**
 * A host: its name, groups and data, and its connection; its facts are read through its
 * fact cache (fact_cache.ts), sudo passwords through its helper (sudo_helper.ts).
 *
 * @module
 */
import type { Fact, FactArgs } from "./fact.ts";
import type { CommandOutput, Connector, DisconnectOptions, OutputSink } from "./connector.ts";
import type { ConnectorArguments, GlobalArgumentsInput } from "./arguments.ts";
import { CONNECTOR_ARGUMENT_NAMES, GLOBAL_ARGUMENT_DEFAULTS } from "./arguments.ts";
import { hideSecrets, MaskedPart, type StringCommand } from "./command.ts";
import { SudoHelper } from "./sudo_helper.ts";
import { sudoPasswordOf } from "./wrap.ts";
import { FactCache, type FactPrefetch } from "./fact_cache.ts";
import { runCommand } from "./run_command.ts";
import { downloadFile, uploadFile } from "./transfer.ts";
import { ArgumentError, ConnectError } from "./errors.ts";
import type { EventBus } from "./events.ts";

export type { FactPrefetch } from "./fact_cache.ts";
export { splitLines } from "./fact_cache.ts";

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
  /**
   * Called with every fact asked of this host: a worker answers another worker's read
   * of a fact the deploy defined (known there only by name) with the facts it has met.
   */
  onFact?: (fact: Fact<unknown, FactArgs>) => void;
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
  #facts: FactCache;
  #sudoHelper: SudoHelper;
  #remoteFacts: RemoteFactReader | undefined;
  #onFact: ((fact: Fact<unknown, FactArgs>) => void) | undefined;
  /** Aborted by {@linkcode cancel} (Ctrl-C): uploads on their way are not put in place. */
  #cancelled = new AbortController();

  constructor(init: HostInit) {
    this.name = init.name;
    this.groups = init.groups;
    this.data = init.data;
    this.defaults = init.defaults;
    this.#connectorFactory = init.connector;
    this.#onFact = init.onFact;
    this.#sudoHelper = new SudoHelper(init.name);
    this.#facts = new FactCache({
      hostName: init.name,
      events: init.events,
      stats: this.stats,
      run: (command: StringCommand, args: ConnectorArguments) => this.run(command, args),
    });
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
    const { script, finish } = this.#facts.withPrefetch(
      command,
      args,
      this.#prefetchable(prefetch),
    );
    const wrapped = wrap(script);
    // The sudo password and masked values go to stdin; a terminal (_getPty) echoes them
    // back, and a failing command may print a masked value (cat: /x/SECRET: ...). None
    // reaches output, events, fact errors or the report.
    const secrets = [
      ...(args._sudo ? [sudoPasswordOf(args) ?? ""] : []),
      ...script.secrets(),
      ...Object.values(args._env ?? {}).flatMap((v) => v instanceof MaskedPart ? [v.value] : []),
    ].filter(Boolean);
    if (!secrets.length) return finish(await runCommand(connector, wrapped, { args, sink }));
    const hide = (text: string) => hideSecrets(text, secrets);
    const hidden: OutputSink | undefined = sink && {
      stdout: sink.stdout && ((text) => sink.stdout!(hide(text))),
      stderr: sink.stderr && ((text) => sink.stderr!(hide(text))),
    };
    const output = await runCommand(connector, wrapped, { args, sink: hidden });
    return finish({ ...output, stdout: hide(output.stdout), stderr: hide(output.stderr) });
  }

  /** Prefetched facts with their connector arguments (none for a host read remotely). */
  #prefetchable(prefetch: readonly FactPrefetch[]) {
    if (this.#remoteFacts) return [];
    return prefetch.map((p) => ({ ...p, connectorArgs: this.connectorArguments(p.globals) }));
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
    // A Ctrl-C from now on stops the upload before it is put in place.
    const signal = this.#cancelled.signal;
    const connector = await this.#ready();
    const wrap = await this.#wrapperFor(args);
    this.stats.roundTrips++;
    if (!then) {
      await uploadFile(connector, content, dest, { args, tempDir, wrap, signal });
      return undefined;
    }
    const { script, finish } = this.#facts.withPrefetch(then, args, this.#prefetchable(prefetch));
    const output = await uploadFile(connector, content, dest, {
      args,
      tempDir,
      wrap,
      then: script,
      signal,
    });
    return finish(output as CommandOutput);
  }

  /** Downloads a file from the host. */
  async getFile(src: string, args: ConnectorArguments, tempDir?: string): Promise<Uint8Array> {
    const connector = await this.#ready();
    const wrap = await this.#wrapperFor(args);
    this.stats.roundTrips++;
    return await downloadFile(connector, src, { args, tempDir, wrap });
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
    this.#onFact?.(fact as unknown as Fact<unknown, FactArgs>);
    if (this.#remoteFacts) return this.#remoteFacts(fact.name, args, globals) as Promise<T>;
    return this.#facts.get(fact, args as FactArgs, this.connectorArguments(globals));
  }

  /**
   * Forgets every cached fact: called after any command that may have changed the host.
   * Facts read right after that command (see `run`'s prefetch) take their place.
   */
  invalidateFacts(): void {
    this.#facts.invalidate();
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
    this.#cancelled.abort();
    this.#cancelled = new AbortController();
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

/**
 * The plain data that crosses between the coordinator and the shards that own hosts
 * (in-process or in Deno workers). Nothing here holds functions or class instances.
 *
 * @module
 */
import type { Frame } from "../core/call_site.ts";
import type { GlobalArgumentsInput } from "../core/arguments.ts";

/** What to run for every host: files, one operation, or a command (all plain data). */
export type DeploySpec =
  | { kind: "files"; files: string[] }
  | {
    kind: "operation";
    name: string;
    input: Record<string, unknown>;
    /** The user module that defines the operation, when it is not tsinfra's own. */
    module?: string;
  }
  | { kind: "exec"; command: string };

/** How a shard opens its session: the same for every shard. */
export interface ShardInit {
  inventory: string;
  deployDir: string;
  data: Record<string, unknown>;
  limit: string[];
  argumentDefaults: GlobalArgumentsInput;
  /** The hosts this shard owns. */
  hosts: string[];
  spec: DeploySpec;
  cwd: string;
  /** `--config` and `--group-data`, when given. */
  configFile?: string;
  groupDataDir?: string;
  diff: boolean;
  streamOutput: boolean;
  /** A connector module (`--connectors`, absolute path) each shard loads itself. */
  connectors?: string;
}

/** One operation of one host after prepare. */
export interface OperationSummary {
  id: string;
  key: string;
  frames: Frame[];
  callSite: string;
  name: string;
  serial: boolean;
  parallel?: number;
  runOnce: boolean;
  /** The operation has an `_if` condition, read at execution. */
  conditional: boolean;
  willChange: boolean;
  /** Commands prepare generated, masked. */
  commands: string[];
  noopReason?: string;
  diffs: string[];
  /** The generator failed in prepare. */
  error?: string;
  /**
   * Decided at run time: the fact it needs cannot be read until earlier operations ran
   * (the reason prepare met). It counts as changing.
   */
  deferred?: string;
  ignoreErrors: boolean;
}

/** One host after prepare. */
export interface HostPrepared {
  host: string;
  operations: OperationSummary[];
  /** Set when the host failed in prepare. */
  error?: string;
}

/**
 * A failure as data, from the connector to the report (`--json`): which error class,
 * its message, and for a command that failed, the command (masked) and its exit status.
 */
export interface PlainFailure {
  /** `CommandError` (a command failed or timed out), `FactError`, `OperationError`, ... */
  class: string;
  message: string;
  /** The command that failed, as shown (secrets masked). */
  command?: string;
  exitCode?: number;
  timedOut?: boolean;
}

/** The failure of an error thrown while an operation ran. */
export function failureOf(error: unknown): PlainFailure {
  if (error instanceof Error) return { class: error.name, message: error.message };
  return { class: "Error", message: String(error) };
}

/** What happened to one operation on one host at execution. */
export interface OperationOutcome {
  status: "changed" | "noChange" | "error" | "skipped";
  changed: boolean;
  success: boolean;
  /** Commands that ran, masked. */
  commands: string[];
  stdout: string;
  stderr: string;
  error: string | null;
  /** The error as data (`error` is its message). */
  failure?: PlainFailure;
  noopReason?: string;
  /** The operation failed but `_ignoreErrors` kept the host going. */
  ignored?: boolean;
}

/** The outcome of an operation that did not run on a host (`_if` false, `_runOnce`). */
export function skippedOutcome(reason: string): OperationOutcome {
  return {
    status: "skipped",
    changed: false,
    success: true,
    commands: [],
    stdout: "",
    stderr: "",
    error: null,
    noopReason: reason,
  };
}

/** Counters of one host. */
export interface HostCounters {
  roundTrips: number;
  factsRead: number;
  /** What the connector said on closing (e.g. the image a container was committed to). */
  note?: string;
}

/** An error as it crosses a worker boundary. */
export interface PlainError {
  name: string;
  message: string;
}
